"""The public pages: plan list, plan page, versions, compare, agencies, home."""

from __future__ import annotations

import re

from django.test import Client, override_settings

from accounts.models import Sector
from consultation import services
from consultation.models import Comment, PlanStatus
from tests.consultation.conftest import make_plan, publish_v2
from tests.factories import UserFactory


def comment_on(plan, user, key="3.2", body="Please add captions."):
    return services.post_comment(user=user, plan=plan, section_key=key, body=body)


def test_plan_list_filters_by_status_and_agency(official, other_official, plan):
    make_plan(other_official, slug="other-plan", status=PlanStatus.CLOSED)
    client = Client()
    everything = client.get("/plans/").content.decode()
    assert "Open Parliament Action Plan" in everything
    assert everything.count('class="card plan-card"') == 2
    closed = client.get("/plans/?status=closed").content.decode()
    assert closed.count('class="card plan-card"') == 1
    assert "Other Ministry" in closed
    by_agency = client.get("/plans/?agency=ministry-of-data").content.decode()
    assert by_agency.count('class="card plan-card"') == 1
    nothing = client.get("/plans/?agency=nope&status=final").content.decode()
    assert "No plans match these filters." in nothing


def test_unpublished_plans_are_listed_only_for_their_agency(official, other_official):
    make_plan(official, slug="secret", publish=False, status=PlanStatus.DRAFT)
    assert "secret" not in Client().get("/plans/").content.decode()
    client = Client()
    client.force_login(official)
    assert "/plans/secret/" in client.get("/plans/").content.decode()
    client.force_login(other_official)
    assert "/plans/secret/" not in client.get("/plans/").content.decode()


def test_plan_page_shows_sections_with_comment_counts(plan):
    ada = UserFactory(display_name="Ada", sector=Sector.ACADEMIA)
    comment_on(plan, ada, "3.2")
    comment_on(plan, UserFactory(), "3.2")
    comment_on(plan, UserFactory(), "3.1")
    response = Client().get(f"/plans/{plan.slug}/")
    html = response.content.decode()
    assert response.status_code == 200
    sections = response.context["page"].sections
    assert {s.section.key: s.comment_count for s in sections}["3.2"] == 2
    assert 'id="section-3.2"' in html
    assert "2 comments on 3.2" in html and "1 comment on 3.1" in html
    assert "Academia / research" in html and "Ada" in html
    assert "Responsible agency" in html and "2026-03" in html


def test_comments_follow_their_clause_into_the_next_version(plan, official):
    old = comment_on(plan, UserFactory(), "3.2", "On the first version")
    gone = comment_on(plan, UserFactory(), "3.3", "On a removed clause")
    publish_v2(plan, official)
    html = Client().get(f"/plans/{plan.slug}/").content.decode()
    assert "On the first version" in html and "on version 1" in html
    assert "Comments on sections this version no longer has" in html
    assert "On a removed clause" in html
    v1 = Client().get(f"/plans/{plan.slug}/versions/1/")
    assert v1.status_code == 200
    assert "You are reading version 1. The current version is 2." in v1.content.decode()
    assert Client().get(f"/plans/{plan.slug}/versions/3/").status_code == 404
    assert old.pk and gone.pk


def test_commenting_happens_on_the_current_version_only(plan, official):
    publish_v2(plan, official)
    client = Client()
    client.force_login(UserFactory())
    assert client.get(f"/plans/{plan.slug}/sections/3.3/comment/").status_code == 404
    v1 = client.get(f"/plans/{plan.slug}/versions/1/").content.decode()
    assert "Comment on section" not in v1
    current = client.get(f"/plans/{plan.slug}/").content.decode()
    assert "Comment on section 3.4" in current


def test_compare_view_shows_changed_sections_with_comments_and_responses(
    plan, official
):
    comment = comment_on(plan, UserFactory(display_name="Hsu"), "3.2", "Captions!")
    services.save_draft_version(user=official, plan=plan, body="x")
    services.respond_to_comment(
        user=official,
        comment=comment,
        disposition="adopted",
        body="Captions are in version 2.",
        addressed_in=2,
    )
    publish_v2(plan, official)
    response = Client().get(f"/plans/{plan.slug}/compare/?from=1&to=2")
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["counts"] == {
        "added": 1, "removed": 1, "changed": 1, "unchanged": 4,
    }  # fmt: skip
    section = html[html.index('id="diff-3.2"') :]
    section = section[: section.index("</section>")]
    assert "Changed" in section
    assert re.search(r"<ins>.*with captions.*</ins>", section)
    assert "Captions!" in section and "Hsu" in section
    assert "Captions are in version 2." in section and "Adopted" in section
    assert "1 addressed in version 2" in section
    assert 'id="diff-3.4"' in html and 'id="diff-3.3"' in html


def test_compare_defaults_to_the_last_two_versions_and_ignores_bad_input(
    plan, official
):
    single = Client().get(f"/plans/{plan.slug}/compare/")
    assert "only one published version" in single.content.decode()
    publish_v2(plan, official)
    for query in ("", "?from=abc&to=99999999999999999999999", "?from=-1&to=0"):
        response = Client().get(f"/plans/{plan.slug}/compare/{query}")
        assert response.status_code == 200
        assert (response.context["old"].number, response.context["new"].number) == (
            1,
            2,
        )


def test_agency_page_shows_liaison_plans_and_commitments(plan, agency):
    agency.liaison_name = "Ms. Liaison"
    agency.liaison_email = "liaison@ministry.example"
    agency.save()
    response = Client().get(agency.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Open-government liaison" in html and "Ms. Liaison" in html
    assert "mailto:liaison@ministry.example" in html
    assert "Open Parliament Action Plan" in html
    assert [s.key for s in response.context["commitments"]] == ["3.1", "3.2"]
    assert f"/plans/{plan.slug}/#section-3.2" in html
    assert Client().get("/agencies/").status_code == 200
    assert Client().get("/agencies/nope/").status_code == 404


def test_home_page_lists_plans_open_for_comment(plan):
    html = Client().get("/").content.decode()
    assert "Plans open for comment" in html and plan.get_absolute_url() in html


def test_pages_never_show_email_addresses(plan, official):
    ada = UserFactory(display_name="Ada", email="ada.secret@example.org")
    comment = comment_on(plan, ada)
    services.respond_to_comment(
        user=official, comment=comment, disposition="adopted", body="Yes."
    )
    for url in [
        f"/plans/{plan.slug}/",
        f"/plans/{plan.slug}/register/",
        f"/plans/{plan.slug}/register.csv",
        f"/plans/{plan.slug}/register.json",
        f"/plans/{plan.slug}/compare/",
        f"/api/plans/{plan.slug}/comments/",
        f"/api/plans/{plan.slug}/",
    ]:
        content = Client().get(url).content.decode()
        assert "ada.secret" not in content, url
        assert official.email not in content, url


def test_the_plan_page_with_500_comments_needs_a_bounded_number_of_queries(
    plan, official, django_assert_max_num_queries
):
    people = [UserFactory() for _ in range(20)]
    sections = list(plan.current_version.sections.all())
    comments = Comment.objects.bulk_create(
        Comment(
            plan=plan,
            section=sections[n % len(sections)],
            section_key=sections[n % len(sections)].key,
            author=people[n % 20],
            body=f"Comment {n}",
            body_html=f"<p>Comment {n}</p>",
        )
        for n in range(400)
    )
    Comment.objects.bulk_create(
        Comment(
            plan=plan,
            section=parent.section,
            section_key=parent.section_key,
            parent=parent,
            author=people[n % 20],
            body=f"Reply {n}",
            body_html=f"<p>Reply {n}</p>",
        )
        for n, parent in enumerate(comments[:100])
    )
    for parent in comments[:30]:
        services.respond_to_comment(
            user=official, comment=parent, disposition="adopted", body="Yes."
        )
    for person in people[:5]:
        services.endorse_comment(user=person, comment=comments[-1])
    reader = UserFactory()
    client = Client()
    client.force_login(reader)
    client.get("/")  # warm the session and the caches
    with django_assert_max_num_queries(15):
        response = client.get(f"/plans/{plan.slug}/")
    assert response.status_code == 200
    assert response.context["page"].comment_count == 500
    with django_assert_max_num_queries(12):
        anonymous = Client().get(f"/plans/{plan.slug}/")
    assert anonymous.status_code == 200
    with django_assert_max_num_queries(12):
        Client().get(f"/plans/{plan.slug}/register/")
    with django_assert_max_num_queries(12):
        Client().get(f"/api/plans/{plan.slug}/comments/")


def test_plan_page_in_traditional_chinese(plan):
    client = Client()
    client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"})
    html = client.get(f"/plans/{plan.slug}/").content.decode()
    assert '<html lang="zh-hant">' in html
    assert "開放徵詢意見" in html  # the status badge
    assert "章節" in html and "負責機關" in html and "里程碑" in html
    assert "Responsible agency" not in html


@override_settings(LANGUAGE_CODE="en")
def test_unknown_section_urls_are_404(plan):
    client = Client()
    client.force_login(UserFactory())
    assert client.get(f"/plans/{plan.slug}/sections/9.9/comment/").status_code == 404
    assert client.get("/comments/99999999999999999999999/").status_code == 404
    assert client.get("/comments/0/reply/").status_code == 404
