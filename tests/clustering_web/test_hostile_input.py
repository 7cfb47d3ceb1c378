"""Every naughty string as a statement, through the API and the form: stored
(cleaned) or refused with a clear 400, never a 5xx; pages stay escaped."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from clustering import services
from clustering.models import Statement
from tests.data import naughty_strings
from tests.helpers import post_json


@pytest.mark.django_db
@override_settings(RATELIMIT_ENABLED=False)
def test_naughty_statements_through_the_api_and_the_form(conversation, moderator):
    api = Client()
    form = Client()
    stored = 0
    for n, text in enumerate(naughty_strings()):
        r = post_json(
            api, f"/api/conversations/{conversation.pk}/statements/", {"text": text}
        )
        assert r.status_code in (201, 400), (n, text, r.status_code)
        if r.status_code == 400:
            assert set(r.json()) == {"text"}, (n, r.json())
        else:
            stored += 1
        r = form.post(
            f"/conversations/{conversation.pk}/statements/", {"text": f"{text} #{n}"}
        )
        assert r.status_code == 302, (n, text)
    assert stored > 300
    ids = list(
        Statement.objects.filter(
            conversation=conversation, status="pending"
        ).values_list("pk", flat=True)
    )
    services.moderate_statements(
        conversation=conversation, user=moderator, statement_ids=ids, action="accept"
    )
    services.run_analysis(conversation.pk)
    viewer = Client()
    viewer.force_login(moderator)
    for url in (
        f"/conversations/{conversation.pk}/",
        f"/conversations/{conversation.pk}/report/",
        f"/conversations/{conversation.pk}/report/data/",
        f"/conversations/{conversation.pk}/moderate/",
        f"/api/conversations/{conversation.pk}/",
        "/conversations/",
    ):
        r = viewer.get(url)
        assert r.status_code == 200, url
        if r["Content-Type"].startswith("text/html"):
            assert b"<script>alert" not in r.content.lower(), url
        else:  # JSON carries the text as data (served with nosniff)
            assert r["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_naughty_seed_paste_and_settings(moderator):
    client = Client()
    client.force_login(moderator)
    text = "\n".join(naughty_strings())
    r = client.post(
        "/conversations/new/",
        {
            "topic": "<script>alert(1)</script>",
            "vote_policy": "anyone",
            "statement_policy": "anyone",
            "is_open": "on",
        },
    )
    assert r.status_code == 302
    pk = int(r["Location"].rstrip("/").split("/")[-2])
    r = client.post(f"/conversations/{pk}/seed/", {"statements": text})
    assert r.status_code in (200, 302)
    page = client.get(f"/conversations/{pk}/").content
    assert b"<script>alert(1)</script>" not in page
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page
