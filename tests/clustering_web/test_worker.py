"""The analysis worker: debounce, coverage of every vote, warm start, faults."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks import task_backends

from clustering import services
from clustering.models import Analysis, AnalysisSchedule, Vote
from clustering.services import analysis as worker
from tests.clustering_web.conftest import browser, vote_in_groups
from tests.helpers import capture_broadcasts

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def enqueued():
    return task_backends["default"].results


def vote(conversation, who, sid, value=1):
    return services.record_vote(
        conversation=conversation, actor=browser(who), statement_id=sid, value=value
    )


@pytest.fixture
def ids(conversation):
    return list(conversation.statements.values_list("pk", flat=True))


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DUMMY, CLUSTERING_ANALYSIS_INTERVAL=5)
def test_votes_only_write_and_schedule_one_debounced_task(conversation, ids):
    vote(conversation, "a", ids[0])
    # Recording a vote wrote it and enqueued one task due now; nothing computed.
    assert Vote.objects.count() == 1
    assert not Analysis.objects.exists()
    assert len(enqueued()) == 1
    assert enqueued()[0].task.run_after is None  # first vote: at once
    for i, sid in enumerate(ids[1:6]):
        vote(conversation, f"p{i}", sid)
    assert len(enqueued()) == 1  # still one pending task

    assert worker.run_analysis(conversation.pk).status == "ok"
    analysis = Analysis.objects.get()
    assert analysis.n_votes == 6
    # A vote right after the run: the next analysis waits for the interval.
    vote(conversation, "late", ids[7])
    assert len(enqueued()) == 2
    due = enqueued()[1].task.run_after
    schedule = AnalysisSchedule.objects.get(pk=conversation.pk)
    assert due == schedule.last_started_at + timedelta(seconds=5)


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DUMMY)
def test_a_vote_during_an_analysis_triggers_another_that_counts_it(conversation, ids):
    vote(conversation, "a", ids[0])
    real_load = worker.load_inputs

    def load_then_vote_arrives(conv):
        inputs = real_load(conv)
        vote(conversation, "b", ids[1])  # committed while the math runs
        return inputs

    with mock.patch.object(worker, "load_inputs", load_then_vote_arrives):
        assert worker.run_analysis(conversation.pk).status == "ok"
    first = Analysis.objects.get()
    assert first.n_votes == 1
    schedule = AnalysisSchedule.objects.get(pk=conversation.pk)
    assert schedule.is_dirty and schedule.task_due_at is not None
    assert len(enqueued()) >= 2  # the follow-up run is queued
    assert worker.run_analysis(conversation.pk).status == "ok"
    assert Analysis.objects.order_by("-pk").first().n_votes == 2
    assert not AnalysisSchedule.objects.get(pk=conversation.pk).is_dirty


@pytest.mark.django_db(transaction=True)
def test_immediate_backend_analyses_after_each_commit_and_warm_starts(conversation):
    vote_in_groups(conversation, 20)
    analyses = Analysis.objects.filter(conversation=conversation).order_by("pk")
    latest = analyses.last()
    assert latest.n_votes == Vote.objects.filter(conversation=conversation).count()
    assert latest.result["tick"] > 1  # warm-started from the previous state
    assert latest.k == 2
    # Only the latest few keep their full JSON; older rows keep their summary.
    assert analyses.filter(result__isnull=False).count() == 3
    assert analyses.first().summary["n_votes"] >= 1


@pytest.mark.django_db(transaction=True)
def test_math_crash_never_blocks_voting_and_pages_say_updating(conversation, ids):
    vote_in_groups(conversation, 10)
    good = Analysis.objects.filter(status="ok").order_by("-pk").first()
    with (
        mock.patch.object(worker, "analyze", side_effect=RuntimeError("boom")),
        capture_broadcasts() as sent,
    ):
        outcome = vote(conversation, "after-crash", ids[0], -1)
        assert outcome.changed
    assert Vote.objects.filter(participant__browser_token="after-crash").exists()
    failed = Analysis.objects.filter(status="failed")
    assert failed.exists() and "boom" in failed.first().error
    assert any(p["type"] == "status" and p["failed"] for _g, p in sent)
    page = Client().get(f"/conversations/{conversation.pk}/report/").content.decode()
    assert "Results updating" in page
    # The last good analysis is still served.
    data = Client().get(f"/conversations/{conversation.pk}/report/data/").json()
    assert data["analysis"]["id"] == good.pk and data["failed"] is True
    # Once the math works again, the next vote brings the results up to date.
    vote(conversation, "after-fix", ids[1])
    latest = Analysis.objects.order_by("-pk").first()
    assert latest.status == "ok"
    assert latest.n_votes == Vote.objects.filter(conversation=conversation).count()
    assert AnalysisSchedule.objects.get(pk=conversation.pk).failures == 0


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DUMMY)
def test_claim_of_a_dead_worker_is_taken_over_and_every_vote_counted(conversation, ids):
    for i, sid in enumerate(ids[:5]):
        vote(conversation, f"v{i}", sid)
    # A worker on this host claimed the conversation and was killed mid-analysis.
    AnalysisSchedule.objects.filter(pk=conversation.pk).update(
        running_token="dead",
        running_by=f"{worker._HOST}:999999",
        lease_until=timezone.now() + timedelta(minutes=10),
        task_due_at=None,
    )
    vote(conversation, "while-dead", ids[6])  # voting continues
    with mock.patch.object(worker, "_pid_alive", return_value=False):
        assert worker.run_analysis(conversation.pk).status == "ok"
    assert Analysis.objects.get().n_votes == 6


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DUMMY)
def test_live_claim_elsewhere_defers_the_run_until_its_lease_ends(conversation, ids):
    vote(conversation, "a", ids[0])
    lease = timezone.now() + timedelta(seconds=90)
    AnalysisSchedule.objects.filter(pk=conversation.pk).update(
        running_token="other", running_by="another-host:1", lease_until=lease
    )
    assert worker.run_analysis(conversation.pk).status == "busy"
    assert not Analysis.objects.exists()
    assert enqueued()[-1].task.run_after == lease + timedelta(seconds=1)


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DUMMY)
def test_a_lost_task_is_requeued_when_the_page_is_viewed(conversation, ids):
    vote(conversation, "a", ids[0])
    AnalysisSchedule.objects.filter(pk=conversation.pk).update(
        task_due_at=timezone.now() - timedelta(minutes=10)
    )
    before = len(enqueued())
    Client().get(f"/conversations/{conversation.pk}/")
    assert len(enqueued()) == before + 1


@pytest.mark.django_db(transaction=True)
def test_a_run_refused_while_another_holds_the_claim_is_followed_up(conversation, ids):
    """Concurrent requests (one daphne process runs views in several threads):
    a vote's run finds the claim held; the holder runs again when it ends."""
    vote(conversation, "a", ids[0])
    real_load = worker.load_inputs
    outcomes = []

    def load_then_vote_arrives(conv):
        inputs = real_load(conv)
        if not outcomes:
            outcomes.append("voted")
            vote(conversation, "b", ids[1])  # its run is refused: claim held
        return inputs

    before = Analysis.objects.count()
    with mock.patch.object(worker, "load_inputs", load_then_vote_arrives):
        vote(conversation, "c", ids[2])
    latest = Analysis.objects.order_by("-pk").first()
    assert Analysis.objects.count() == before + 2
    assert latest.n_votes == Vote.objects.count() == 3
    assert not AnalysisSchedule.objects.get(pk=conversation.pk).is_dirty
