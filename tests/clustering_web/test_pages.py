"""Pages render for every role, without and with an analysis."""

from __future__ import annotations

import json
import zipfile
from io import BytesIO

import pytest

from clustering.models import Statement
from clustering.services import run_analysis
from tests.clustering_web.conftest import vote_in_groups


@pytest.fixture
def analysed(conversation):
    vote_in_groups(conversation, 30)
    assert run_analysis(conversation.pk).status == "ok"
    return conversation


@pytest.mark.django_db
def test_pages_before_any_vote(client, conversation, moderator):
    for url in [
        "/conversations/",
        f"/conversations/{conversation.pk}/",
        f"/conversations/{conversation.pk}/report/",
        f"/conversations/{conversation.pk}/standing/",
        f"/conversations/{conversation.pk}/report/data/",
        "/",
    ]:
        assert client.get(url).status_code == 200, url
    client.force_login(moderator)
    for url in [
        f"/conversations/{conversation.pk}/moderate/",
        f"/conversations/{conversation.pk}/edit/",
        f"/conversations/{conversation.pk}/seed/",
        "/conversations/new/",
    ]:
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_report_and_downloads_after_votes(client, analysed):
    pk = analysed.pk
    page = client.get(f"/conversations/{pk}/report/").content.decode()
    assert "Group A" in page and "Group B" in page
    data = client.get(f"/conversations/{pk}/report/data/").json()
    assert data["report"]["summary"]["k"] == 2
    assert {g["size"] for g in data["report"]["groups"]} == {15}
    text = Statement.objects.filter(conversation=analysed).first().text
    assert text in page
    part = client.get(f"/conversations/{pk}/report/?part=html")
    assert part.status_code == 200 and b"<html" not in part.content
    z = client.get(f"/conversations/{pk}/export.zip")
    archive = zipfile.ZipFile(BytesIO(b"".join(z.streaming_content)))
    assert set(archive.namelist()) == {
        "votes.csv",
        "comments.csv",
        "participants-votes.csv",
        "summary.csv",
        "LICENSE.txt",
    }
    doc = json.loads(client.get(f"/conversations/{pk}/analysis.json").content)
    assert doc["result"]["schema"] == "agora.clustering/1"
    assert doc["licence"]["name"] == "CC-BY-4.0"


@pytest.mark.django_db
def test_pages_run_a_bounded_number_of_queries(
    client, analysed, django_assert_max_num_queries
):
    """Query counts do not grow with participants, statements or votes."""
    pk = analysed.pk
    sid = Statement.objects.filter(conversation=analysed).first().pk
    client.post(f"/conversations/{pk}/vote/", {"statement": sid, "value": "1"})
    for url, limit in [
        (f"/conversations/{pk}/", 40),
        (f"/conversations/{pk}/report/", 20),
        (f"/conversations/{pk}/report/data/", 12),
        (f"/conversations/{pk}/standing/", 15),
        ("/conversations/", 10),
        (f"/api/conversations/{pk}/next/", 15),
    ]:
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_moderation_page_says_when_more_statements_wait_than_it_lists(
    client, conversation, moderator, monkeypatch
):
    from clustering import selectors
    from clustering.models import StatementStatus

    monkeypatch.setattr(selectors, "QUEUE_PAGE", 2)
    for n in range(3):
        Statement.objects.create(
            conversation=conversation,
            text=f"Waiting number {n}",
            status=StatementStatus.PENDING,
        )
    client.force_login(moderator)
    page = client.get(f"/conversations/{conversation.pk}/moderate/").content.decode()
    assert "3 statements waiting" in page
    assert page.count('data-group="pending"') == 2  # the two oldest, as checkboxes
    assert "The oldest 2 are listed here" in page
