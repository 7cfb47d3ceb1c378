"""Rules that must hold under concurrency (PostgreSQL: real row locks)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from consultation import services
from consultation.models import Endorsement, PlanVersion
from tests.consultation.conftest import PLAN_V2, make_plan
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(*calls):
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_simultaneous_endorsements_by_one_person_count_once(official):
    plan = make_plan(
        official,
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=1),
    )
    comment = services.post_comment(
        user=UserFactory(), plan=plan, section_key="3.2", body="x"
    )
    fan = UserFactory()
    results = run_together(
        *[lambda: services.endorse_comment(user=fan, comment=comment)] * 6
    )
    assert sorted(results, key=str) == [False] * 5 + [True]
    assert Endorsement.objects.filter(comment=comment).count() == 1


def test_simultaneous_publications_get_consecutive_numbers(official):
    plan = make_plan(official)
    results = run_together(
        lambda: services.publish_version(
            user=official, plan=plan, body=PLAN_V2, change_summary="A"
        ),
        lambda: services.publish_version(
            user=official, plan=plan, body=PLAN_V2 + "\nMore.", change_summary="B"
        ),
    )
    assert all(isinstance(r, PlanVersion) for r in results), results
    numbers = sorted(v.number for v in PlanVersion.objects.filter(plan=plan))
    assert numbers == [1, 2, 3]
    plan.refresh_from_db()
    assert plan.current_version.number == 3
