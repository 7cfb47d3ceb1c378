"""Plans and versions: create, write drafts, preview, publish, immutability,
the comment window."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from freezegun import freeze_time

from consultation import permissions as perms
from consultation import services
from consultation.models import Plan, PlanStatus, PlanVersion, Section
from tests.consultation.conftest import PLAN_V1, PLAN_V2, make_plan, publish_v2
from tests.factories import UserFactory

UTC = datetime.fromisoformat


def test_publishing_splits_the_text_into_sections(official, agency):
    plan = make_plan(official)
    version = plan.current_version
    assert version.number == 1 and version.is_published
    sections = list(version.sections.order_by("ordinal"))
    assert [s.key for s in sections] == [
        "preamble", "background", "3", "3.1", "3.2", "3.3",
    ]  # fmt: skip
    three_two = sections[4]
    assert three_two.agency == agency
    assert three_two.milestones == [
        {"due": "2026-03", "text": "Stream every committee meeting"}
    ]
    assert three_two.body_html == (
        "<p>Every committee meeting will be streamed live and archived.</p>"
    )
    assert three_two.source.startswith("Agency: ministry-of-data")


def test_a_new_plan_is_a_private_draft_until_a_version_is_published(official):
    plan = make_plan(official, publish=False, status=PlanStatus.DRAFT)
    assert plan.status == PlanStatus.DRAFT and plan.current_version is None
    assert not perms.can_view_plan(UserFactory(), plan)
    assert perms.can_view_plan(official, plan)
    assert Client().get(f"/plans/{plan.slug}/").status_code == 404


def test_plans_need_a_unique_valid_slug(official, plan):
    with pytest.raises(ValidationError) as caught:
        services.create_plan(
            user=official, agency=official.agency, title="Again", slug=plan.slug
        )
    assert (
        "Another plan already uses this address." in caught.value.message_dict["slug"]
    )
    with pytest.raises(ValidationError) as caught:
        services.create_plan(
            user=official, agency=official.agency, title=" ", slug="a b/c"
        )
    assert set(caught.value.message_dict) == {"title", "slug"}


def test_only_the_agencys_officials_create_its_plans(official, other_official):
    with pytest.raises(PermissionDenied):
        services.create_plan(
            user=other_official, agency=official.agency, title="T", slug="t"
        )


def test_the_comment_window_must_close_after_it_opens(official):
    now = UTC("2026-01-01T00:00:00+00:00")
    with pytest.raises(ValidationError) as caught:
        services.create_plan(
            user=official,
            agency=official.agency,
            title="T",
            slug="t",
            opens_at=now,
            closes_at=now - timedelta(hours=1),
        )
    assert "closes_at" in caught.value.message_dict


def test_a_plan_opens_for_comment_only_once_a_version_is_published(official):
    plan = make_plan(official, publish=False, status=PlanStatus.DRAFT)
    with pytest.raises(ValidationError) as caught:
        services.update_plan(
            user=official,
            plan=plan,
            title=plan.title,
            summary="",
            status=PlanStatus.OPEN,
            opens_at=None,
            closes_at=None,
        )
    assert "status" in caught.value.message_dict


@pytest.mark.parametrize(
    ("moment", "status", "expected"),
    [
        ("2026-02-28T23:59:59+00:00", PlanStatus.OPEN, "not_yet"),
        ("2026-03-01T00:00:00+00:00", PlanStatus.OPEN, "open"),
        ("2026-03-31T23:59:59+00:00", PlanStatus.OPEN, "open"),
        ("2026-04-01T00:00:00+00:00", PlanStatus.OPEN, "closed"),
        ("2026-03-15T00:00:00+00:00", PlanStatus.DRAFT, "not_yet"),
        ("2026-03-15T00:00:00+00:00", PlanStatus.CLOSED, "closed"),
        ("2026-03-15T00:00:00+00:00", PlanStatus.FINAL, "closed"),
    ],
)
def test_comment_window_is_a_predicate_over_status_and_time(
    official, moment, status, expected
):
    plan = make_plan(
        official,
        status=status,
        opens_at=UTC("2026-03-01T00:00:00+00:00"),
        closes_at=UTC("2026-04-01T00:00:00+00:00"),
    )
    with freeze_time(moment):
        assert perms.comment_window(plan) == expected
        assert perms.is_open_for_comment(plan) is (expected == "open")
        assert perms.can_comment(UserFactory(), plan) is (expected == "open")


def test_drafts_are_saved_then_published_as_the_next_number(official, plan):
    draft = services.save_draft_version(
        user=official, plan=plan, body=PLAN_V2, change_summary="Changes."
    )
    assert draft.number == 2 and not draft.is_published
    again = services.save_draft_version(
        user=official, plan=plan, body=PLAN_V2 + "\nMore.", change_summary="Changes."
    )
    assert again.pk == draft.pk
    plan.refresh_from_db()
    assert plan.current_version.number == 1  # the draft is not public
    version = services.publish_version(user=official, plan=plan)
    plan.refresh_from_db()
    assert version.pk == draft.pk and plan.current_version == version
    assert [s.key for s in version.sections.all()][-1] == "3.4"


def test_one_draft_per_plan_is_a_database_constraint(official, plan):
    PlanVersion.objects.create(plan=plan, number=2, body="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanVersion.objects.create(plan=plan, number=3, body="y")


def test_later_versions_must_say_what_changed(official, plan):
    with pytest.raises(ValidationError) as caught:
        services.publish_version(user=official, plan=plan, body=PLAN_V2)
    assert "change_summary" in caught.value.message_dict
    assert PlanVersion.objects.filter(plan=plan).count() == 1  # rolled back


def test_publishing_refuses_unknown_agencies_and_duplicate_keys(official, plan):
    body = "## 1 A\nAgency: nobody\n\n## 1 B\n"
    with pytest.raises(ValidationError) as caught:
        services.publish_version(
            user=official, plan=plan, body=body, change_summary="x"
        )
    messages = " ".join(caught.value.message_dict["body"])
    assert "have the key “1”" in messages
    assert "no agency called “nobody”" in messages
    plan.refresh_from_db()
    assert plan.current_version.number == 1


def test_agencies_are_found_by_slug_or_name(official, plan, other_agency):
    body = "## 1 A\nAgency: Other Ministry\n\n## 2 B\nAgency: OTHER-MINISTRY\n"
    version = services.publish_version(
        user=official, plan=plan, body=body, change_summary="x"
    )
    assert {s.agency for s in version.sections.all()} == {other_agency}


def test_a_published_version_cannot_be_changed(official, plan):
    version = plan.current_version
    version.body = "Rewritten history"
    with pytest.raises(ValueError, match="published and cannot change"):
        version.save()
    version.refresh_from_db()
    assert version.body == PLAN_V1.strip()
    # Saving a draft is fine.
    draft = services.save_draft_version(user=official, plan=plan, body="x")
    draft.body = "y"
    draft.save()


def test_final_plans_take_no_new_versions(official, plan):
    services.update_plan(
        user=official,
        plan=plan,
        title=plan.title,
        summary="",
        status=PlanStatus.FINAL,
        opens_at=None,
        closes_at=None,
    )
    with pytest.raises(PermissionDenied):
        services.save_draft_version(user=official, plan=plan, body="x")


def test_preview_renders_through_the_sanitiser_and_lists_problems(official, plan):
    preview = services.build_preview(
        body="## 3.2 Title\nAgency: nobody\n\n"
        "<script>alert(1)</script> [x](javascript:alert(1))"
    )
    assert preview.sections[0].key == "3.2"
    html = preview.sections[0].body_html
    assert "<script" not in html and 'href="javascript' not in html
    assert any("nobody" in e for e in preview.errors)


# --- The version form and its preview endpoint --------------------------------


def test_officials_write_and_publish_versions_in_the_site(official, plan):
    client = Client()
    client.force_login(official)
    url = f"/plans/{plan.slug}/versions/next/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Version 2 of Open Parliament Action Plan" in page.content.decode()

    preview = client.post(
        url, {"body": PLAN_V2, "change_summary": "", "action": "preview"}
    )
    assert preview.status_code == 200
    assert "Youth participation" in preview.content.decode()
    assert not PlanVersion.objects.filter(plan=plan, number=2).exists()

    saved = client.post(url, {"body": PLAN_V2, "change_summary": "", "action": "save"})
    assert saved.status_code == 302
    assert PlanVersion.objects.get(plan=plan, number=2).published_at is None

    refused = client.post(
        url, {"body": PLAN_V2, "change_summary": "", "action": "publish"}
    )
    assert refused.status_code == 400
    assert "Say what changed since version 1" in refused.content.decode()

    published = client.post(
        url, {"body": PLAN_V2, "change_summary": "Captions.", "action": "publish"}
    )
    assert published.status_code == 302
    plan.refresh_from_db()
    assert plan.current_version.number == 2


def test_the_preview_endpoint_returns_sanitised_html(official, plan):
    client = Client(enforce_csrf_checks=True)
    client.force_login(official)
    url = f"/plans/{plan.slug}/versions/preview/"
    assert client.post(url, {"body": "## 1 A"}).status_code == 403  # no CSRF token
    client.get(f"/plans/{plan.slug}/versions/next/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        url,
        {"body": "## 3.2 A\n\n<img src=x onerror=alert(1)> **bold**"},
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200
    data = response.json()
    assert data["sections"] == [{"key": "3.2", "heading": "3.2 A"}]
    assert "<strong>bold</strong>" in data["html"]
    assert "<img" not in data["html"] and "onerror" not in data["html"].replace(
        "&lt;img src=x onerror=alert(1)&gt;", ""
    )


def test_the_preview_endpoint_is_for_the_agency_only(other_official, plan):
    client = Client()
    client.force_login(other_official)
    response = client.post(f"/plans/{plan.slug}/versions/preview/", {"body": "x"})
    assert response.status_code == 403


def test_plan_create_and_edit_forms(official):
    client = Client()
    client.force_login(official)
    response = client.post(
        "/plans/new/",
        {"agency": official.agency.pk, "title": "New plan", "slug": "new-plan"},
    )
    assert response.status_code == 302
    plan = Plan.objects.get(slug="new-plan")
    assert plan.agency == official.agency and plan.status == PlanStatus.DRAFT

    bad = client.post(
        "/plans/new/",
        {"agency": official.agency.pk, "title": "Again", "slug": "new-plan"},
    )
    assert bad.status_code == 400
    assert "Another plan already uses this address." in bad.content.decode()

    edit = client.post(
        f"/plans/{plan.slug}/edit/",
        {"title": "Renamed", "summary": "", "status": "open"},
    )
    assert edit.status_code == 400
    assert "Publish a first version" in edit.content.decode()


def test_sections_of_old_versions_stay_as_published(official, plan):
    publish_v2(plan, official)
    v1 = plan.versions.get(number=1)
    assert Section.objects.filter(version=v1, key="3.3").exists()
    assert not Section.objects.filter(version=plan.current_version, key="3.3").exists()
