"""The Atom feeds parse with feedparser, link to the site by absolute URLs,
and leave out what the public may not see."""

from __future__ import annotations

from datetime import timedelta

import feedparser
from django.conf import settings
from django.test import Client
from django.utils import timezone

from consultation.models import PlanStatus
from forum.models import SessionStatus
from tests.consultation.conftest import make_plan
from tests.forum.factories import ForumSessionFactory


def parse(url: str):
    response = Client().get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def test_new_versions_of_a_plan(consultation):
    plan = consultation.plan
    feed = parse(f"/plans/{plan.slug}/versions.atom")
    assert [e.title for e in feed.entries] == [
        f"{plan.title}: version 2",
        f"{plan.title}: version 1",
    ]
    newest = feed.entries[0]
    assert newest.link == f"{settings.SITE_URL}/plans/{plan.slug}/versions/2/"
    assert "Captions; youth." in newest.summary
    assert newest.published_parsed and newest.updated_parsed
    assert feed.feed.link == f"{settings.SITE_URL}/plans/{plan.slug}/"


def test_site_wide_versions_leave_out_drafts(consultation, official):
    make_plan(official, slug="draft-plan", status=PlanStatus.DRAFT, publish=False)
    feed = parse("/plans/versions.atom")
    assert len(feed.entries) == 2
    assert all("/plans/open-parliament/" in e.link for e in feed.entries)
    assert Client().get("/plans/draft-plan/versions.atom").status_code == 404


def test_official_responses_of_a_plan(consultation):
    response = Client().get(f"/plans/{consultation.plan.slug}/responses.atom")
    feed = parse(f"/plans/{consultation.plan.slug}/responses.atom")
    (entry,) = feed.entries
    assert entry.title == f"Adopted: comment #{consultation.kept.pk} on section 3.2"
    assert entry.link == f"{settings.SITE_URL}/comments/{consultation.kept.pk}/"
    assert "<strong>version 2</strong>" in entry.summary
    assert entry.author == "Ministry of Data"
    assert b"SECRET" not in response.content


def test_missing_plan_feed_is_a_404(db):
    assert Client().get("/plans/no-such-plan/responses.atom").status_code == 404


def test_upcoming_sessions(db):
    now = timezone.now()
    ForumSessionFactory(
        title="Captions & <b>access</b>", starts_at=now + timedelta(days=2)
    )
    ForumSessionFactory(title="Live now", starts_at=now, status=SessionStatus.LIVE)
    ForumSessionFactory(
        title="Long ago",
        starts_at=now - timedelta(days=9),
        status=SessionStatus.ENDED,
    )
    feed = parse("/sessions/upcoming.atom")
    titles = sorted(e.title for e in feed.entries)
    assert titles == ["Captions & <b>access</b>", "Live now"]
    entry = next(e for e in feed.entries if e.title == "Live now")
    assert entry.link.startswith(f"{settings.SITE_URL}/sessions/")
    assert entry.updated_parsed


def test_pages_announce_their_feeds(consultation):
    """Feed readers find the feeds from the pages (<link rel="alternate">)."""
    slug = consultation.plan.slug
    pages = {
        f"/plans/{slug}/": [
            f"/plans/{slug}/versions.atom",
            f"/plans/{slug}/responses.atom",
        ],
        "/plans/": ["/plans/versions.atom"],
        "/sessions/": ["/sessions/upcoming.atom"],
    }
    for page, feeds in pages.items():
        html = Client().get(page).content.decode()
        for feed in feeds:
            assert 'type="application/atom+xml"' in html and f'href="{feed}"' in html, (
                page,
                feed,
            )
            parse(feed)
