"""Every form and endpoint answers hostile input with a 2xx, 3xx or 4xx — never
a server error — whatever field it arrives in."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from accounts.roles import Role
from consultation import services
from tests.data import naughty_strings
from tests.factories import UserFactory, make_user
from tests.helpers import post_json


def sample() -> list[str]:
    strings = naughty_strings()
    return [*strings[::17], "9" * 40, "-1", "0", "", "null", "[]", "{}", "\x00"]


@pytest.fixture
def actors(plan, official):
    comment = services.post_comment(
        user=UserFactory(), plan=plan, section_key="3.2", body="A comment"
    )
    moderator = make_user(Role.MODERATOR)
    return {"official": official, "moderator": moderator, "comment": comment}


def ok(response) -> bool:
    return response.status_code < 500


@override_settings(RATELIMIT_ENABLED=False)
def test_forms_never_fail_on_hostile_fields(plan, actors):
    comment = actors["comment"]
    official, moderator = Client(), Client()
    official.force_login(actors["official"])
    moderator.force_login(actors["moderator"])
    citizen = Client()
    citizen.force_login(UserFactory())
    for text in sample():
        requests = [
            (official, "/plans/new/",
             {"agency": text, "title": text, "slug": text, "summary": text,
              "opens_at": text}),
            (official, f"/plans/{plan.slug}/edit/",
             {"title": text, "summary": text, "status": text, "closes_at": text}),
            (official, f"/plans/{plan.slug}/versions/next/",
             {"body": text, "change_summary": text, "action": text}),
            (official, f"/plans/{plan.slug}/versions/next/",
             {"body": text, "change_summary": text, "action": "preview"}),
            (official, f"/plans/{plan.slug}/versions/preview/", {"body": text}),
            (official, f"/comments/{comment.pk}/respond/",
             {"disposition": text, "body": text, "addressed_in": text}),
            (citizen, f"/plans/{plan.slug}/sections/3.2/comment/",
             {"body": text, "stance": text, "quote": text, "section": text}),
            (citizen, f"/comments/{comment.pk}/reply/", {"body": text}),
            (citizen, f"/comments/{comment.pk}/flag/", {"reason": text, "note": text}),
            (citizen, f"/comments/{comment.pk}/endorse/", {"endorse": text}),
            (moderator, f"/comments/{comment.pk}/moderate/",
             {"action": text, "reason": text, "note": text}),
            (moderator, f"/comments/{comment.pk}/moderate/",
             {"action": "hide", "reason": text, "note": text}),
        ]  # fmt: skip
        for client, url, data in requests:
            assert ok(client.post(url, data)), (url, text)
        for url in [
            f"/plans/?status={text}&agency={text}&page={text}",
            f"/plans/{plan.slug}/compare/?from={text}&to={text}",
            f"/moderation/log/?page={text}",
            f"/api/plans/?status={text}&agency={text}&page={text}",
            f"/api/plans/{plan.slug}/comments/?section={text}&page={text}",
        ]:
            assert ok(citizen.get(url, secure=False)), (url, text)


@override_settings(RATELIMIT_ENABLED=False)
def test_the_api_never_fails_on_hostile_json(plan, actors):
    comment = actors["comment"]
    citizen = Client()
    citizen.force_login(UserFactory())
    official = Client()
    official.force_login(actors["official"])
    values = [*sample(), None, True, 1.5, -7, 10**40, [], {}, ["3.2"], {"a": 1}]
    for value in values:
        payloads = [
            {"section": value, "body": value, "parent": value, "stance": value,
             "quote": value},
            {"section": "3.2", "body": "ok", "parent": value},
            {"section": "3.2", "body": value},
        ]  # fmt: skip
        for payload in payloads:
            response = post_json(citizen, f"/api/plans/{plan.slug}/comments/", payload)
            assert response.status_code in (201, 400), (payload, response.status_code)
        response = post_json(
            official,
            f"/api/comments/{comment.pk}/responses/",
            {"disposition": value, "body": value, "addressed_in": value},
        )
        assert response.status_code in (201, 400), (value, response.status_code)
    for body in ["[]", '"text"', "1", "null", "{", "\x00"]:
        response = citizen.post(
            f"/api/plans/{plan.slug}/comments/", body, content_type="application/json"
        )
        assert response.status_code == 400, body
