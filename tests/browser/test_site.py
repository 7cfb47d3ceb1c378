"""The site shell in a real browser: home, sign-up, log in, language, a11y."""

from __future__ import annotations

import re

import pytest

from accounts.models import User
from tests.browser.fixtures import assert_accessible, login
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


def test_home_page_explains_the_three_activities_and_is_accessible(page):
    page.goto("/")
    assert page.get_by_role("heading", level=1).is_visible()
    for name in ("Comment on draft plans", "Join live forum sessions", "Map opinions"):
        assert page.get_by_role("link", name=name).is_visible()
    nav = page.get_by_role("navigation", name="Main")
    for name in ("Plans", "Sessions", "Conversations", "Open data"):
        assert nav.get_by_role("link", name=name).is_visible()
    assert_accessible(page)
    assert page.script_errors == []


def test_skip_link_moves_focus_to_main_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main"


def test_sign_up_with_sector_then_display_name_is_shown_and_email_is_not(page):
    page.goto("/accounts/signup/")
    assert_accessible(page)
    page.get_by_label("Email").fill("new.person@example.org")
    page.get_by_label("Display name").fill("Hsu Wen")
    page.get_by_label("Stakeholder sector").select_option("academia")
    page.get_by_label("Organisation (optional)").fill("National Taiwan University")
    page.get_by_label("Password:", exact=True).fill("a-long-unusual-pass-phrase")
    page.get_by_label("Password (again)").fill("a-long-unusual-pass-phrase")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url(lambda url: "/signup/" not in url)

    user = User.objects.get(email="new.person@example.org")
    assert (user.display_name, user.sector, user.organisation) == (
        "Hsu Wen",
        "academia",
        "National Taiwan University",
    )
    page.goto("/")
    assert page.get_by_text("Hsu Wen").first.is_visible()
    assert "new.person@example.org" not in page.content()


def test_log_in_and_log_out(page):
    UserFactory(email="lee@example.org", display_name="Lee")
    login(page, "lee@example.org", PASSWORD)
    account_menu = page.locator("details.account-menu summary")
    assert account_menu.inner_text().strip().endswith("Lee")
    account_menu.click()
    page.get_by_role("button", name="Log out").click()
    assert page.get_by_role("link", name="Log in").is_visible()


def test_language_switch_renders_traditional_chinese(page):
    page.goto("/")
    with page.expect_navigation():
        page.get_by_label("Language").select_option("zh-hant")
    expect_html_lang = page.locator("html").get_attribute("lang")
    assert expect_html_lang == "zh-hant"
    nav = page.get_by_role("navigation")
    assert nav.get_by_role("link", name="計畫").is_visible()
    assert re.search(
        "[\u4e00-\u9fff]", page.get_by_role("heading", level=1).inner_text()
    )
    assert_accessible(page)
