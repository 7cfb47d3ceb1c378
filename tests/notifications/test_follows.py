"""The follow buttons on the plan and session pages."""

from __future__ import annotations

from django.test import Client, override_settings

from consultation.models import PlanFollow
from consultation.services import is_following_plan
from forum.models import SessionFollow
from tests.notifications.conftest import comment_on


def logged_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def test_follow_and_unfollow_a_plan(plan, ada):
    client = logged_in(ada)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "Follow this plan" in page and 'aria-pressed="false"' in page
    url = f"/plans/{plan.slug}/follow/"
    assert client.post(url, {"follow": "1"}).status_code == 302
    assert client.post(url, {"follow": "1"}).status_code == 302  # idempotent
    assert PlanFollow.objects.get(user=ada, plan=plan).following is True
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "Following" in page and 'aria-pressed="true"' in page
    client.post(url, {"follow": "0"})
    assert is_following_plan(ada, plan) is False
    assert "Follow this plan" in client.get(plan.get_absolute_url()).content.decode()


def test_commenting_follows_until_an_explicit_unfollow(plan, ada):
    comment_on(plan, ada)
    assert is_following_plan(ada, plan) is True
    assert not PlanFollow.objects.exists()
    logged_in(ada).post(f"/plans/{plan.slug}/follow/", {"follow": "0"})
    assert is_following_plan(ada, plan) is False
    comment_on(plan, ada, key="3.2")
    assert is_following_plan(ada, plan) is False  # the unfollow wins


def test_following_needs_login_csrf_and_post(plan, forum_session, ada):
    anonymous = Client()
    assert (
        anonymous.get(plan.get_absolute_url())
        .content.decode()
        .count("Follow this plan")
        == 0
    )
    assert anonymous.post(f"/plans/{plan.slug}/follow/").status_code == 302
    assert anonymous.post(f"/sessions/{forum_session.pk}/follow/").status_code == 302
    strict = logged_in(ada, enforce_csrf_checks=True)
    assert strict.post(f"/plans/{plan.slug}/follow/").status_code == 403
    assert strict.post(f"/sessions/{forum_session.pk}/follow/").status_code == 403
    client = logged_in(ada)
    assert client.get(f"/plans/{plan.slug}/follow/").status_code == 405
    assert client.post("/plans/no-such-plan/follow/").status_code == 404
    assert client.post("/sessions/999999/follow/").status_code == 404
    assert not PlanFollow.objects.exists() and not SessionFollow.objects.exists()


def test_follow_and_unfollow_a_session(forum_session, ada):
    client = logged_in(ada)
    url = f"/sessions/{forum_session.pk}/follow/"
    page = client.get(forum_session.get_absolute_url()).content.decode()
    assert "Follow this session" in page
    client.post(url, {"follow": "1"})
    client.post(url, {"follow": "1"})
    assert SessionFollow.objects.filter(user=ada, session=forum_session).count() == 1
    page = client.get(forum_session.get_absolute_url()).content.decode()
    assert 'aria-pressed="true"' in page
    client.post(url, {"follow": "0"})
    client.post(url, {"follow": "0"})
    assert not SessionFollow.objects.exists()


@override_settings(RATELIMIT_ENABLED=True)
def test_following_is_rate_limited(plan, forum_session, ada):
    client = logged_in(ada)
    statuses = {
        client.post(f"/plans/{plan.slug}/follow/", {"follow": str(n % 2)}).status_code
        for n in range(31)
    }
    assert statuses == {302, 429}
    statuses = {
        client.post(
            f"/sessions/{forum_session.pk}/follow/", {"follow": str(n % 2)}
        ).status_code
        for n in range(31)
    }
    assert statuses == {302, 429}


def test_the_json_api_follows_and_unfollows(plan, forum_session, ada):
    from tests.helpers import post_json

    anonymous = Client()
    assert anonymous.get(f"/api/plans/{plan.slug}/follow/").json() == {
        "following": False
    }
    assert anonymous.post(f"/api/plans/{plan.slug}/follow/").status_code == 403
    assert (
        anonymous.post(f"/api/sessions/{forum_session.pk}/follow/").status_code == 403
    )

    strict = logged_in(ada, enforce_csrf_checks=True)
    assert strict.post(f"/api/plans/{plan.slug}/follow/").status_code == 403  # CSRF

    client = logged_in(ada)
    for url in (
        f"/api/plans/{plan.slug}/follow/",
        f"/api/sessions/{forum_session.pk}/follow/",
    ):
        response = post_json(client, url, {})
        assert response.status_code == 200 and response.json() == {"following": True}
        assert client.get(url).json() == {"following": True}
        assert client.delete(url).json() == {"following": False}
        assert client.delete(url).json() == {"following": False}
        assert client.get(url).json() == {"following": False}
    assert client.post("/api/plans/nope/follow/").status_code == 404
    assert client.post("/api/sessions/424242/follow/").status_code == 404
