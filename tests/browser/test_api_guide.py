"""The API guide in a real browser: reachable from the footer, accessible."""

from __future__ import annotations

import pytest

from tests.browser.fixtures import assert_accessible

pytestmark = pytest.mark.browser


def test_api_guide_from_the_footer_is_accessible(page):
    page.goto("/")
    page.get_by_role("contentinfo").get_by_role("link", name="API guide").click()
    page.wait_for_url("**/api/guide/")
    assert page.get_by_role("heading", level=1, name="API guide").is_visible()
    assert page.get_by_role("link", name="Interactive API documentation").is_visible()
    assert_accessible(page)
    assert page.script_errors == []
