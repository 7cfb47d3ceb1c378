"""200 concurrent voters on PostgreSQL: repeated, changed and retried votes.

Exact rows, exact tallies, no 5xx, and the worker's analysis (running while
the votes arrive, then once more) counts every vote.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connections
from django.db.models import Count
from django.test import Client, override_settings

from clustering import services
from clustering.models import Analysis, Participant, Vote, VoteHistory
from clustering.services.analysis import run_analysis
from clustering.services.participation import SESSION_KEY
from tests.helpers import post_json

N_VOTERS = 200
N_TWINS = 50  # voters whose first pass is also sent, at the same time, by a twin
THREADS = 40
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _client_for(token: str) -> Client:
    client = Client()
    session = client.session
    session[SESSION_KEY] = token
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DUMMY)
def test_two_hundred_concurrent_voters(moderator):
    conversation = services.create_conversation(user=moderator, topic="Load")
    services.seed_statements(
        conversation=conversation,
        user=moderator,
        text="\n".join(f"Concurrent statement {i}" for i in range(12)),
    )
    ids = list(conversation.statements.values_list("pk", flat=True))
    url = f"/api/conversations/{conversation.pk}/votes/"
    rng = random.Random(7)
    first = {v: {s: rng.choice([-1, 0, 1]) for s in ids} for v in range(N_VOTERS)}
    second = {
        v: {s: rng.choice([x for x in (-1, 0, 1) if x != first[v][s]])
            for s in rng.sample(ids, 4)}
        for v in range(N_VOTERS)
    }  # fmt: skip
    cookies = {}
    for v in range(N_VOTERS):
        client = _client_for(f"voter-{v}")
        cookies[v] = client.cookies[settings.SESSION_COOKIE_NAME].value
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def send(v: int, votes: dict[int, int], retry_every: int) -> None:
        try:
            client = Client()
            client.cookies[settings.SESSION_COOKIE_NAME] = cookies[v]
            order = list(votes.items())
            random.Random(v).shuffle(order)
            for n, (sid, value) in enumerate(order):
                repeats = 2 if retry_every and n % retry_every == 0 else 1
                for _ in range(repeats):  # a retry sends the same vote again
                    r = post_json(
                        client,
                        url,
                        {"statement": sid, "value": value},
                        REMOTE_ADDR=f"10.{v // 250}.{v % 250}.1",
                    )
                    with lock:
                        statuses[r.status_code] += 1
        finally:
            connections.close_all()

    stop = threading.Event()
    worker_runs: list[str] = []

    def worker() -> None:
        try:
            while not stop.is_set():
                worker_runs.append(run_analysis(conversation.pk).status)
                stop.wait(0.2)
        finally:
            connections.close_all()

    background = threading.Thread(target=worker)
    background.start()
    try:
        with ThreadPoolExecutor(THREADS) as pool:
            jobs = [pool.submit(send, v, first[v], 3) for v in range(N_VOTERS)]
            jobs += [pool.submit(send, v, first[v], 0) for v in range(N_TWINS)]
            for job in jobs:
                job.result()
            jobs = [pool.submit(send, v, second[v], 2) for v in range(N_VOTERS)]
            for job in jobs:
                job.result()
    finally:
        stop.set()
        background.join()

    assert all(code < 500 for code in statuses), statuses
    assert set(statuses) <= {200, 201}, statuses
    final = {v: {**first[v], **second[v]} for v in range(N_VOTERS)}
    assert Participant.objects.filter(conversation=conversation).count() == N_VOTERS
    assert Vote.objects.filter(conversation=conversation).count() == N_VOTERS * len(ids)
    assert VoteHistory.objects.filter(conversation=conversation).count() == N_VOTERS * (
        len(ids) + 4
    )
    expected: dict[int, Counter[int]] = {s: Counter() for s in ids}
    for votes in final.values():
        for sid, value in votes.items():
            expected[sid][value] += 1
    for sid in ids:
        got = Counter(
            dict(
                Vote.objects.filter(statement_id=sid)
                .values("value")
                .annotate(n=Count("pk"))
                .values_list("value", "n")
            )
        )
        assert +got == +expected[sid], sid
    by_token = {
        p.browser_token: p.pk
        for p in Participant.objects.filter(conversation=conversation)
    }
    for v in (0, 57, 199):
        mine = dict(
            Vote.objects.filter(participant_id=by_token[f"voter-{v}"]).values_list(
                "statement_id", "value"
            )
        )
        assert mine == final[v]

    assert "ok" in worker_runs  # the worker analysed while votes arrived
    assert run_analysis(conversation.pk).status in ("ok", "clean")
    latest = Analysis.objects.filter(conversation=conversation, status="ok").latest()
    assert latest.n_votes == N_VOTERS * len(ids)
    for sid in ids:
        s = latest.result["statements"][str(sid)]
        assert (s["agree"], s["disagree"], s["pass"]) == (
            expected[sid][1],
            expected[sid][-1],
            expected[sid][0],
        )
