"""Two digest runs at once still send each person one e-mail (row locks with
SKIP LOCKED; PostgreSQL only, like the other concurrency tests)."""

from __future__ import annotations

import threading
import time
from unittest import mock

import pytest
from django.core import mail
from django.db import connection

from accounts import tasks
from accounts.models import EmailFrequency, Notification
from accounts.services import notify
from tests.notifications.conftest import person

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
        thread.join(timeout=60)
    return results


def test_simultaneous_digest_runs_send_once():
    people = [person(f"Reader{n}", EmailFrequency.DAILY) for n in range(3)]
    for user in people:
        for n in range(3):
            notify(recipient=user, kind="k", title=f"News {n}", email_subject="x")
    real = tasks.digest_message

    def slow(user, rows):
        time.sleep(0.3)  # hold the row locks while the other run looks
        return real(user, rows)

    with mock.patch.object(tasks, "digest_message", side_effect=slow):
        results = run_together(tasks.run_digests, tasks.run_digests, tasks.run_digests)
    assert sum(results) == 3, results  # type: ignore[arg-type]
    assert sorted(m.to[0] for m in mail.outbox) == [
        "reader0@example.org",
        "reader1@example.org",
        "reader2@example.org",
    ]
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
