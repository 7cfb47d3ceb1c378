"""Killing the analysis worker mid-analysis loses no vote.

A real ``manage.py db_worker`` process runs the analysis of an imported Polis
conversation (Canadian electoral reform, 12k votes). It is SIGKILLed while it
holds the claim; votes keep being recorded; a restarted worker takes the dead
worker's claim over and its analysis counts every vote. PostgreSQL only: the
worker and the test share the test database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest
from django.test import override_settings

from clustering import services
from clustering.models import Analysis, AnalysisSchedule, Conversation, Vote
from clustering.services.imports import import_export
from clustering.services.participation import visible_statements
from tests.clustering_web.conftest import browser
from tests.faults.live import ROOT, database_url, shared_data, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def start_worker() -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    """Start ``db_worker`` processes on the test database; kill them at the end."""
    started: list[subprocess.Popen[bytes]] = []
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "1",
        "DATABASE_URL": database_url(),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)  # its broadcasts need no listener here

    def start() -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--queue-name",
                "*",
                "--interval",
                "0.2",
                "--no-reload",  # DEBUG=1 would run it in a child process
                "--no-startup-delay",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


@override_settings(TASKS=DB_TASKS, CLUSTERING_ANALYSIS_INTERVAL=1)
def test_killed_worker_loses_no_vote(start_worker):
    started = time.monotonic()
    first = start_worker()
    conversation = import_export(
        shared_data() / "polis/opendata/canadian-electoral-reform",
        title="Electoral reform",
        is_open=True,
    )
    imported = Vote.objects.filter(conversation=conversation).count()

    def claimed() -> bool:
        return (
            AnalysisSchedule.objects.filter(
                pk=conversation.pk, running_by__endswith=f":{first.pid}"
            )
            .exclude(running_token="")
            .exists()
        )

    wait_for(claimed, timeout=30, step=0.005)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    # Killed mid-analysis: the claim is left behind, no analysis was saved.
    assert claimed()
    assert not Analysis.objects.filter(conversation=conversation).exists()

    # Voting continues while no worker runs.
    statements = list(visible_statements(conversation).values_list("pk", flat=True)[:5])
    for i, sid in enumerate(statements):
        outcome = services.record_vote(
            conversation=Conversation.objects.get(pk=conversation.pk),
            actor=browser(f"after-kill-{i}", ip=f"10.9.0.{i}"),
            statement_id=sid,
            value=1 if i % 2 else -1,
        )
        assert outcome.changed
    total = Vote.objects.filter(conversation=conversation).count()
    assert total == imported + len(statements)

    second = start_worker()

    def analysed() -> Analysis | None:
        return (
            Analysis.objects.filter(conversation=conversation, status="ok")
            .order_by("-pk")
            .first()
        )

    analysis = wait_for(analysed, timeout=40, step=0.2)
    assert second.poll() is None, second.stderr
    assert analysis.n_votes == total
    schedule = AnalysisSchedule.objects.get(pk=conversation.pk)
    assert schedule.running_token == ""
    assert not schedule.is_dirty
    assert time.monotonic() - started < 60
