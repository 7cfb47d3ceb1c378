"""The analysis worker: scheduling (debounced), claiming, computing, saving.

Design (see docs/conversations.md):

* Every write that changes what the analysis sees (a vote, a moderation
  decision) calls :func:`note_change` inside its transaction. That bumps
  ``AnalysisSchedule.changes`` (so the bump commits or rolls back with the
  write) and, after commit, calls :func:`request_analysis`.
* :func:`request_analysis` enqueues the django-tasks task
  ``clustering.tasks.analyse_conversation`` unless one is already pending, to
  run at ``max(now, last start + interval)``: at most one analysis starts per
  conversation per interval (5 s), and the first vote after a quiet spell is
  analysed at once. The database backend stores the task; ``db_worker`` runs it.
* :func:`run_analysis` claims the conversation (a lease in the schedule row,
  so two workers never analyse one conversation at once), reads ``changes``
  *before* reading the votes — every vote committed before that read is in the
  analysis — computes warm-started from the latest saved state, saves an
  ``Analysis`` and pushes it to open pages. If ``changes`` moved meanwhile (a
  vote arrived during the analysis), another run is requested.
* A worker killed mid-analysis leaves its claim behind: a later run steals it
  at once when the holder was a process on this host that no longer exists,
  otherwise when the lease expires. Votes keep being recorded throughout; the
  next run reads them all.
* A crash in the math is recorded as a failed ``Analysis`` (pages keep the
  last good one and say "results updating"); it is retried with back-off a few
  times, and again whenever new votes arrive.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from clustering import conf, events
from clustering.math import AnalysisState, Parameters, VoteTable, analyze
from clustering.models import (
    Analysis,
    AnalysisSchedule,
    AnalysisStatus,
    Conversation,
    Statement,
    StatementStatus,
    Vote,
)
from clustering.report import build_report
from common.realtime import broadcast_on_commit

logger = logging.getLogger(__name__)

MAX_RETRIES = 3
MAX_BACKOFF = 300.0
STALE_TASK = timedelta(seconds=120)
_HOST = socket.gethostname()


def _worker_name() -> str:
    return f"{_HOST}:{os.getpid()}"


# ---------------------------------------------------------------- scheduling


def ensure_schedule(conversation_id: int) -> None:
    AnalysisSchedule.objects.get_or_create(conversation_id=conversation_id)


def note_change(conversation_id: int) -> None:
    """Record that the analysis input changed (call inside the write's transaction)."""
    bumped = AnalysisSchedule.objects.filter(pk=conversation_id).update(
        changes=F("changes") + 1
    )
    if not bumped:
        ensure_schedule(conversation_id)
        AnalysisSchedule.objects.filter(pk=conversation_id).update(
            changes=F("changes") + 1
        )
    transaction.on_commit(lambda: request_analysis(conversation_id))


def _delay(schedule: AnalysisSchedule) -> float:
    interval = conf.analysis_interval()
    if schedule.failures:
        return float(min(interval * 2**schedule.failures, MAX_BACKOFF))
    return interval


def request_analysis(conversation_id: int, *, from_runner: bool = False) -> bool:
    """Enqueue an analysis unless one is pending; True when one was enqueued.

    ``from_runner``: called by a run that just finished. It enqueues even when
    a task looks pending: that task may have been refused while this run held
    the claim (a duplicate finds nothing to do and costs nothing).
    Never raises: a broken queue must not fail the vote that triggered it.
    """
    try:
        schedule = AnalysisSchedule.objects.filter(pk=conversation_id).first()
        if schedule is None:
            return False
        if not schedule.is_dirty:
            if from_runner and schedule.task_due_at is not None:
                # A run refused while this one held the claim left its marker;
                # everything is covered, so clear it for the next vote.
                AnalysisSchedule.objects.filter(
                    pk=conversation_id, task_due_at=schedule.task_due_at
                ).update(task_due_at=None)
            return False
        now = timezone.now()
        due = now
        if schedule.last_started_at is not None:
            due = max(
                now, schedule.last_started_at + timedelta(seconds=_delay(schedule))
            )
        pending = schedule.task_due_at
        if pending is not None and pending > now - STALE_TASK and not from_runner:
            return False
        # Only one caller wins the right to enqueue (compare and set).
        claimed = (
            AnalysisSchedule.objects.filter(pk=conversation_id, task_due_at=pending)
            if pending is not None
            else AnalysisSchedule.objects.filter(
                pk=conversation_id, task_due_at__isnull=True
            )
        ).update(task_due_at=due)
        if not claimed:
            return False
        _enqueue(conversation_id, due)
        return True
    except Exception:
        logger.exception(
            "could not schedule the analysis of conversation %s", conversation_id
        )
        with contextlib.suppress(Exception):
            AnalysisSchedule.objects.filter(pk=conversation_id).update(task_due_at=None)
        return False


def _enqueue(conversation_id: int, due: datetime) -> None:
    from clustering.tasks import analyse_conversation

    task = analyse_conversation
    backend = task.get_backend()
    if backend.supports_defer and due > timezone.now():
        task = task.using(run_after=due)
    task.enqueue(conversation_id)


# ------------------------------------------------------------------- claiming


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _holder_is_dead(running_by: str) -> bool:
    host, _sep, pid = running_by.rpartition(":")
    if host != _HOST or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False  # a run in this process (another thread) is alive
    return not _pid_alive(int(pid))


def _lease(conversation_id: int) -> timedelta:
    last = (
        Analysis.objects.filter(conversation_id=conversation_id)
        .order_by("-pk")
        .values_list("duration_ms", "n_votes")
        .first()
    )
    seconds = conf.analysis_lease()
    if last is not None:
        duration_ms, n_votes = last
        seconds = max(seconds, 3 * duration_ms / 1000, 60 + n_votes * 3e-5)
    return timedelta(seconds=seconds)


def _claim(conversation_id: int, token: str) -> bool:
    now = timezone.now()
    values = {
        "running_token": token,
        "running_by": _worker_name(),
        "lease_until": now + _lease(conversation_id),
        "last_started_at": now,
        "task_due_at": None,
    }
    free = Q(running_token="") | Q(lease_until__lt=now) | Q(lease_until__isnull=True)
    if AnalysisSchedule.objects.filter(free, pk=conversation_id).update(**values):
        return True
    holder = (
        AnalysisSchedule.objects.filter(pk=conversation_id)
        .values_list("running_token", "running_by")
        .first()
    )
    if holder is not None and _holder_is_dead(holder[1]):
        logger.warning(
            "conversation %s: taking over the analysis of dead worker %s",
            conversation_id,
            holder[1],
        )
        return bool(
            AnalysisSchedule.objects.filter(
                pk=conversation_id, running_token=holder[0]
            ).update(**values)
        )
    return False


def _defer_behind_running(conversation_id: int) -> None:
    """Another run holds the claim: make sure a task follows its lease.

    The holder requests the next run itself when it finishes; this deferred
    task only matters if the holder dies (so it needs a backend that defers).
    """
    from clustering.tasks import analyse_conversation

    if not analyse_conversation.get_backend().supports_defer:
        return
    schedule = AnalysisSchedule.objects.filter(pk=conversation_id).first()
    if schedule is None or schedule.lease_until is None:
        return
    if (
        schedule.task_due_at is not None
        and schedule.task_due_at >= schedule.lease_until
    ):
        return
    due = schedule.lease_until + timedelta(seconds=1)
    pending = (
        Q(task_due_at=schedule.task_due_at)
        if schedule.task_due_at is not None
        else Q(task_due_at__isnull=True)
    )
    if AnalysisSchedule.objects.filter(pending, pk=conversation_id).update(
        task_due_at=due
    ):
        analyse_conversation.using(run_after=due).enqueue(conversation_id)


# ------------------------------------------------------------------ computing


@dataclass(frozen=True)
class AnalysisInputs:
    votes: list[tuple[int, int, int]]
    moderated_out: frozenset[int]
    meta: frozenset[int]
    last_vote_at: datetime | None


def load_inputs(conversation: Conversation) -> AnalysisInputs:
    """Votes and moderation as the math sees them.

    Accepted and rejected statements take part (rejected ones are moderated
    out, as in Polis); meta statements are left out of the groups; pending
    statements take part only when moderation is not strict (they are shown to
    voters then).
    """
    rows = Statement.objects.filter(conversation=conversation).values_list(
        "pk", "status", "is_meta"
    )
    included: set[int] = set()
    moderated_out: set[int] = set()
    meta: set[int] = set()
    for pk, status, is_meta in rows:
        if status == StatementStatus.PENDING and conversation.strict_moderation:
            continue
        included.add(pk)
        if status == StatementStatus.REJECTED or is_meta:
            moderated_out.add(pk)
        if is_meta:
            meta.add(pk)
    table = Vote._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT participant_id, statement_id, value FROM {table} "  # noqa: S608
            "WHERE conversation_id = %s",
            [conversation.pk],
        )
        votes = [
            (int(p), int(s), int(v)) for p, s, v in cursor.fetchall() if s in included
        ]
    last = Vote.objects.filter(conversation=conversation).aggregate(m=Max("updated_at"))
    return AnalysisInputs(votes, frozenset(moderated_out), frozenset(meta), last["m"])


def _previous_state(conversation_id: int) -> AnalysisState | None:
    data = (
        Analysis.objects.filter(
            conversation_id=conversation_id,
            status=AnalysisStatus.OK,
            state__isnull=False,
        )
        .order_by("-pk")
        .values_list("state", flat=True)
        .first()
    )
    if not data:
        return None
    try:
        return AnalysisState.from_json(data)
    except Exception:
        logger.warning("conversation %s: unreadable warm-start state", conversation_id)
        return None


def compute(inputs: AnalysisInputs, state: AnalysisState | None) -> Any:
    """Run the engine; a failed warm start is retried cold once."""
    table = VoteTable.from_votes(inputs.votes) if inputs.votes else VoteTable.empty()
    params = Parameters()
    try:
        return analyze(
            table,
            moderated_out=inputs.moderated_out,
            meta=inputs.meta,
            state=state,
            params=params,
        )
    except Exception:
        if state is None:
            raise
        logger.exception("warm-started analysis failed; retrying cold")
        return analyze(
            table, moderated_out=inputs.moderated_out, meta=inputs.meta, params=params
        )


def _sectors(conversation_id: int) -> dict[int, str | None]:
    from clustering.models import Participant

    return dict(
        Participant.objects.filter(conversation_id=conversation_id).values_list(
            "pk", "user__sector"
        )
    )


def _prune(conversation_id: int) -> None:
    keep = list(
        Analysis.objects.filter(conversation_id=conversation_id)
        .order_by("-pk")
        .values_list("pk", flat=True)[: conf.keep_full_analyses()]
    )
    Analysis.objects.filter(conversation_id=conversation_id).exclude(
        pk__in=keep
    ).filter(result__isnull=False).update(
        result=None, state=None, report=None, positions=None, priorities={}
    )


@dataclass(frozen=True)
class RunOutcome:
    status: str  # "ok", "failed", "clean", "busy", "discarded", "missing"
    analysis_id: int | None = None


def run_analysis(conversation_id: int, *, force: bool = False) -> RunOutcome:
    """Analyse one conversation now (the worker's task body).

    Never raises: an unexpected error (say, the database going away) is
    logged and the schedule is left so that the next change retries.
    """
    try:
        return _run_analysis(conversation_id, force=force)
    except Exception:
        logger.exception("analysis run of conversation %s failed", conversation_id)
        with contextlib.suppress(Exception):
            AnalysisSchedule.objects.filter(pk=conversation_id).update(task_due_at=None)
        return RunOutcome("error")


def _run_analysis(conversation_id: int, *, force: bool) -> RunOutcome:
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is None:
        return RunOutcome("missing")
    ensure_schedule(conversation_id)
    schedule = AnalysisSchedule.objects.get(pk=conversation_id)
    if not schedule.is_dirty and not force:
        AnalysisSchedule.objects.filter(pk=conversation_id, running_token="").update(
            task_due_at=None
        )
        return RunOutcome("clean")
    token = uuid.uuid4().hex
    if not _claim(conversation_id, token):
        _defer_behind_running(conversation_id)
        return RunOutcome("busy")
    started = timezone.now()
    clock = time.perf_counter()
    # Read the change counter first: every vote committed before this read is
    # visible to the queries below.
    covered = AnalysisSchedule.objects.values_list("changes", flat=True).get(
        pk=conversation_id
    )
    outcome: RunOutcome
    try:
        inputs = load_inputs(conversation)
        result = compute(inputs, _previous_state(conversation_id))
        data = result.to_json()
        report, positions = build_report(data, _sectors(conversation_id))
        outcome = _save_success(
            conversation,
            token=token,
            covered=covered,
            started=started,
            duration=time.perf_counter() - clock,
            inputs=inputs,
            result=result,
            data=data,
            report=report,
            positions=positions,
        )
    except Exception as exc:
        logger.exception("analysis of conversation %s failed", conversation_id)
        outcome = _save_failure(
            conversation,
            token=token,
            covered=covered,
            started=started,
            duration=time.perf_counter() - clock,
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )
    # A vote that arrived during the run asks for the next one.
    request_analysis(conversation_id, from_runner=True)
    return outcome


def _release(conversation_id: int, token: str) -> AnalysisSchedule | None:
    schedule = AnalysisSchedule.objects.select_for_update().get(pk=conversation_id)
    if schedule.running_token != token:
        return None
    return schedule


def _save_success(
    conversation: Conversation,
    *,
    token: str,
    covered: int,
    started: datetime,
    duration: float,
    inputs: AnalysisInputs,
    result: Any,
    data: dict[str, Any],
    report: dict[str, Any],
    positions: dict[str, Any],
) -> RunOutcome:
    with transaction.atomic():
        schedule = _release(conversation.pk, token)
        if schedule is None:
            logger.warning(
                "conversation %s: claim lost during the analysis; result discarded",
                conversation.pk,
            )
            return RunOutcome("discarded")
        analysis = Analysis.objects.create(
            conversation=conversation,
            status=AnalysisStatus.OK,
            started_at=started,
            computed_at=timezone.now(),
            duration_ms=round(duration * 1000),
            params=result.params.to_json(),
            changes=covered,
            n_votes=result.n_votes,
            n_participants=result.n_participants,
            n_clustered=result.n_clustered,
            k=result.k,
            last_vote_at=inputs.last_vote_at,
            summary=report["summary"],
            priorities=data["priorities"],
            report=report,
            positions=positions,
            result=data,
            state=result.state.to_json(),
        )
        schedule.running_token = ""
        schedule.lease_until = None
        schedule.analysed_changes = max(schedule.analysed_changes, covered)
        schedule.failures = 0
        schedule.last_error = ""
        schedule.save(
            update_fields=[
                "running_token",
                "lease_until",
                "analysed_changes",
                "failures",
                "last_error",
            ]
        )
        _prune(conversation.pk)
        broadcast_on_commit(
            events.conversation_group(conversation.pk),
            events.analysis_event(analysis, public=not conversation.is_private),
        )
    return RunOutcome("ok", analysis.pk)


def _save_failure(
    conversation: Conversation,
    *,
    token: str,
    covered: int,
    started: datetime,
    duration: float,
    error: str,
) -> RunOutcome:
    with transaction.atomic():
        schedule = _release(conversation.pk, token)
        if schedule is None:
            return RunOutcome("discarded")
        analysis = Analysis.objects.create(
            conversation=conversation,
            status=AnalysisStatus.FAILED,
            error=error,
            started_at=started,
            computed_at=timezone.now(),
            duration_ms=round(duration * 1000),
            changes=covered,
        )
        schedule.running_token = ""
        schedule.lease_until = None
        schedule.failures += 1
        schedule.last_error = error
        if schedule.failures >= MAX_RETRIES:
            # Give up on this input; the next vote or moderation tries again.
            schedule.analysed_changes = max(schedule.analysed_changes, covered)
        schedule.save(
            update_fields=[
                "running_token",
                "lease_until",
                "failures",
                "last_error",
                "analysed_changes",
            ]
        )
        broadcast_on_commit(
            events.conversation_group(conversation.pk),
            events.status_event(updating=True, failed=True),
        )
    return RunOutcome("failed", analysis.pk)


def analysis_state(conversation_id: int) -> tuple[bool, bool]:
    """(updating, failed) for pages: results are behind, or the math failed."""
    schedule = AnalysisSchedule.objects.filter(pk=conversation_id).first()
    if schedule is None:
        return False, False
    return schedule.is_dirty or schedule.is_running, schedule.failures > 0


def heal(conversation_id: int) -> None:
    """Pages call this when results are behind: re-enqueue a lost task.

    It only enqueues (never computes); request_analysis decides whether a
    task is already pending.
    """
    request_analysis(conversation_id)
