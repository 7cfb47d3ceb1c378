"""Upvotes under concurrency (PostgreSQL): the unique constraint holds and the
count stays equal to the rows, with double clicks and retries, and no 5xx."""

from __future__ import annotations

import queue
import threading
from collections import Counter

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from forum import selectors, services
from forum.models import Question, QuestionVote
from tests.factories import UserFactory
from tests.forum.factories import ForumSessionFactory, member

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(120),
]

USERS = 50
WORKERS = 32  # concurrent requests (the CI database allows ~100 connections)


def test_100_concurrent_upvotes_from_50_users_count_exactly_50(citizen):
    session = ForumSessionFactory(status="live")
    question = services.ask_question(
        session_id=session.pk, participant=member(citizen), body="Vote for me"
    )
    cookies = []
    for _ in range(USERS):
        client = Client()
        client.force_login(UserFactory())
        cookies.append(client.cookies[settings.SESSION_COOKIE_NAME].value)

    # Each user double-clicks: two requests side by side in the queue.
    tasks: queue.Queue[int] = queue.Queue()
    for user in range(USERS):
        tasks.put(user)
        tasks.put(user)
    start = threading.Event()
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    url = f"/api/questions/{question.pk}/upvote/"

    def worker() -> None:
        start.wait()
        try:
            while True:
                try:
                    user = tasks.get_nowait()
                except queue.Empty:
                    return
                client = Client()
                client.cookies[settings.SESSION_COOKIE_NAME] = cookies[user]
                for _attempt in range(3):  # a client retries what failed
                    status = client.post(url).status_code
                    with lock:
                        statuses[status] += 1
                    if status == 200:
                        break
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    start.set()
    for thread in threads:
        thread.join(timeout=90)
    assert not any(t.is_alive() for t in threads)

    assert not [s for s in statuses if s >= 500], statuses
    assert statuses[200] == 2 * USERS, statuses
    assert QuestionVote.objects.filter(question=question).count() == USERS
    question.refresh_from_db()
    assert question.upvote_count == USERS
    assert selectors.upvote_counts(session.pk, None) == {question.pk: USERS}
    # A late retry of a request that already succeeded changes nothing.
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = cookies[0]
    assert client.post(url).json()["upvotes"] == USERS
    assert Question.objects.get(pk=question.pk).upvote_count == USERS


def test_concurrent_events_get_distinct_consecutive_seqs(citizen, moderator):
    """Writers racing on one session each get their own seq (row lock)."""
    session = ForumSessionFactory(status="live", moderators=[moderator])
    users = [UserFactory() for _ in range(20)]
    start = threading.Event()
    errors: list[BaseException] = []

    def ask(user) -> None:
        start.wait()
        try:
            services.ask_question(
                session_id=session.pk, participant=member(user), body=f"From {user.pk}"
            )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    start.set()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    seqs = sorted(session.events.filter(stream="public").values_list("seq", flat=True))
    assert seqs == list(range(1, 21))
    session.refresh_from_db()
    assert session.public_seq == 20
