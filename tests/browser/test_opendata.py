"""The open-data page in a real browser: accessible, and its downloads work
through the live ASGI server."""

from __future__ import annotations

import json
import zipfile

import pytest

from accounts.roles import Role
from consultation import services as consultation
from tests.browser.fixtures import assert_accessible
from tests.consultation.conftest import make_plan
from tests.factories import AgencyFactory, make_user

pytestmark = pytest.mark.browser


def test_open_data_page_is_accessible_and_the_zip_downloads(page, tmp_path):
    agency = AgencyFactory(slug="ministry-of-data", name="Ministry of Data")
    official = make_user(Role.OFFICIAL, agency=agency, display_name="Olu Official")
    plan = make_plan(official)
    citizen = make_user(display_name="Ada Citizen")
    consultation.post_comment(
        user=citizen, plan=plan, section_key="3.1", body="Publish it as CSV."
    )

    page.goto("/open-data/")
    assert page.get_by_role("heading", level=1, name="Open data").is_visible()
    assert page.get_by_role("heading", name=plan.title).is_visible()
    assert_accessible(page)

    with page.expect_download() as info:
        page.get_by_role("link", name=f"Download everything (ZIP) {plan.title}").click()
    download = info.value
    assert download.suggested_filename == f"agora-plan-{plan.slug}.zip"
    target = tmp_path / "plan.zip"
    download.save_as(target)
    with zipfile.ZipFile(target) as archive:
        package = json.loads(archive.read("datapackage.json"))
        comments = archive.read("data/comments.csv").decode()
    assert "comments" in {r["name"] for r in package["resources"]}
    assert "Publish it as CSV." in comments and "Ada Citizen" in comments
    assert citizen.email not in comments
