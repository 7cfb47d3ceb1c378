"""Notifications in a real browser: follow a plan, see its new version on the
notifications page, change the e-mail setting; every page accessible."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import EmailFrequency, User
from accounts.roles import Role
from accounts.services import unsubscribe_token
from tests.browser.fixtures import assert_accessible, login
from tests.consultation.conftest import make_plan, publish_v2
from tests.factories import PASSWORD, AgencyFactory, UserFactory, make_user

pytestmark = pytest.mark.browser


def test_follow_a_plan_then_read_the_notification(page, live_site):
    agency = AgencyFactory(slug="ministry-of-data", name="Ministry of Data")
    official = make_user(Role.OFFICIAL, agency=agency, display_name="Lin")
    plan = make_plan(
        official,
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=30),
    )
    UserFactory(email="ada@example.org", display_name="Ada")
    login(page, "ada@example.org", PASSWORD)

    page.goto(plan.get_absolute_url())
    follow = page.get_by_role("button", name="Follow this plan")
    assert follow.get_attribute("aria-pressed") == "false"
    follow.click()
    following = page.get_by_role("button", name="Following")
    following.wait_for()
    assert following.get_attribute("aria-pressed") == "true"
    assert page.get_by_text("You follow this plan").is_visible()
    assert_accessible(page)

    publish_v2(plan, official)
    page.goto("/accounts/notifications/")
    link = page.get_by_role(
        "link", name="Version 2 of “Open Parliament Action Plan” was published."
    )
    assert link.is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Notification settings").click()
    page.get_by_label("Once a day, in a digest").check()
    page.get_by_role("button", name="Save settings").click()
    page.get_by_text("Your notification settings were saved.").wait_for()
    assert_accessible(page)
    user = User.objects.get(email="ada@example.org")
    assert user.email_notifications == EmailFrequency.DAILY
    assert page.script_errors == []


def test_unsubscribe_from_the_link_without_logging_in(page, live_site):
    user = UserFactory(email="bo@example.org", display_name="Bo")
    page.goto(f"/accounts/unsubscribe/{unsubscribe_token(user)}/")
    assert_accessible(page)
    page.get_by_role("button", name="Stop notification e-mails").click()
    page.get_by_text("Notification e-mails are off for Bo.").wait_for()
    assert_accessible(page)
    user.refresh_from_db()
    assert user.email_notifications == EmailFrequency.OFF
    page.goto("/accounts/unsubscribe/not-a-token/")
    assert page.get_by_role("alert").is_visible()
    assert page.script_errors == []
