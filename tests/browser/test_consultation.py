"""The consultation in a real browser: comment, reply, endorse, respond,
publish version 2, compare, download the register; accessibility; hostile
text never runs as script."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from accounts.models import Sector
from accounts.roles import Role
from consultation import services
from consultation.models import Comment, Endorsement, OfficialResponse
from consultation.selectors import PLAN_PAGE_THREADS, SECTION_PAGE_THREADS
from tests.browser.fixtures import assert_accessible, login
from tests.consultation.conftest import PLAN_V2, make_plan
from tests.data import naughty_strings
from tests.factories import PASSWORD, AgencyFactory, UserFactory, make_user

pytestmark = pytest.mark.browser

ALERT_TRAP = """
window.__xss = [];
for (const name of ["alert", "confirm", "prompt"]) {
  window[name] = (...args) => { window.__xss.push([name, String(args[0])]); };
}
"""


@pytest.fixture
def consultation(live_site):
    agency = AgencyFactory(
        slug="ministry-of-data",
        name="Ministry of Data",
        liaison_name="Ms. Liaison",
        liaison_email="liaison@ministry.example",
    )
    official = make_user(
        Role.OFFICIAL, agency=agency, email="official@example.org", display_name="Lin"
    )
    plan = make_plan(
        official,
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=30),
    )
    citizen = UserFactory(
        email="chen@example.org", display_name="Chen", sector=Sector.ACADEMIA
    )
    neighbour = UserFactory(display_name="Hsu", sector=Sector.NGO)
    other = services.post_comment(
        user=neighbour,
        plan=plan,
        section_key="3.2",
        body="Two committees is a small pilot.",
    )
    return {
        "plan": plan,
        "official": official,
        "citizen": citizen,
        "other": other,
        "agency": agency,
    }


def announced(page, text: str) -> bool:
    """Wait until the page's live region (aria-live) says ``text``."""
    page.wait_for_function(
        "text => document.getElementById('live-status').textContent.includes(text)",
        arg=text,
    )
    return True


def select_text(page, selector: str, text: str) -> None:
    """Select ``text`` inside the element matching ``selector``, as a mouse would."""
    page.evaluate(
        """([selector, text]) => {
            const root = document.querySelector(selector);
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            while (walker.nextNode()) {
                const node = walker.currentNode;
                const at = node.data.indexOf(text);
                if (at >= 0) {
                    const range = document.createRange();
                    range.setStart(node, at);
                    range.setEnd(node, at + text.length);
                    const selection = window.getSelection();
                    selection.removeAllRanges();
                    selection.addRange(range);
                    return;
                }
            }
            throw new Error("text not found");
        }""",
        [selector, text],
    )


def test_comment_respond_publish_compare_and_register(consultation, new_page):
    plan, other = consultation["plan"], consultation["other"]
    section = "#section-3\\.2"

    # A citizen reads the plan and comments on section 3.2, quoting it.
    citizen = new_page()
    login(citizen, "chen@example.org", PASSWORD)
    citizen.goto(f"/plans/{plan.slug}/")
    assert citizen.get_by_role("heading", level=1).inner_text() == plan.title
    assert citizen.locator(section).get_by_text("Responsible agency").is_visible()
    assert_accessible(citizen)
    citizen.locator(section).get_by_text("Comment on section 3.2").click()
    form = citizen.locator(f"{section} form.comment-form")
    form.get_by_label("Your comment").fill("Please add **captions** to every stream.")
    form.get_by_label("Has concerns").check()
    select_text(citizen, f"{section} [data-section-text]", "streamed live and archived")
    form.get_by_role("button", name="Quote selection").click()
    assert form.get_by_label("Quote a passage (optional)").input_value() == (
        "streamed live and archived"
    )
    assert announced(citizen, "copied into the quote field")
    assert_accessible(citizen)
    with citizen.expect_navigation():
        form.get_by_role("button", name="Publish comment").click()
    mine = Comment.objects.get(author=consultation["citizen"])
    assert citizen.url.endswith(f"#comment-{mine.pk}")
    assert (mine.section_key, mine.stance, mine.quote) == (
        "3.2",
        "concerns",
        "streamed live and archived",
    )
    article = citizen.locator(f"#comment-{mine.pk}")
    assert article.locator("strong").inner_text() == "captions"
    assert "Chen" in article.inner_text() and "Academia / research" in (
        article.inner_text()
    )

    # ...replies to another participant's comment...
    other_article = citizen.locator(f"#comment-{other.pk}")
    other_article.get_by_text("Reply", exact=True).click()
    other_article.get_by_label("Your reply").fill("Four committees at least.")
    with citizen.expect_navigation():
        other_article.get_by_role("button", name="Publish reply").click()
    reply = Comment.objects.get(parent=other)
    assert (
        citizen.locator(f"#comment-{reply.pk}")
        .get_by_text("Four committees at least.")
        .is_visible()
    )

    # ...and endorses it, without leaving the page.
    citizen.evaluate("window.__stayed = true")
    other_article = citizen.locator(f"#comment-{other.pk}")
    button = other_article.get_by_role("button", name="Endorse").first
    button.click()
    citizen.wait_for_function(
        "id => document.getElementById(id).textContent.includes('1 endorsement')",
        arg=f"comment-{other.pk}-endorsements",
    )
    assert button.get_attribute("aria-pressed") == "true"
    assert citizen.evaluate("window.__stayed") is True
    assert announced(citizen, "You endorsed this comment.")
    assert Endorsement.objects.filter(
        comment=other, user=consultation["citizen"]
    ).exists()
    assert citizen.script_errors == []

    # An official drafts version 2 with a live preview...
    official = new_page()
    login(official, "official@example.org", PASSWORD)
    official.goto(f"/plans/{plan.slug}/versions/next/")
    assert_accessible(official)
    official.get_by_label("Plan text (Markdown)").fill(PLAN_V2)
    official.get_by_role("button", name="Preview").click()
    official.locator("#preview").get_by_text("3.4 Youth participation").wait_for()
    with official.expect_navigation():
        official.get_by_role("button", name="Save draft").click()
    assert "Draft of version 2 saved." in official.content()

    # ...answers the comment, saying version 2 addresses it...
    official.goto(f"/plans/{plan.slug}/")
    with official.expect_navigation():
        official.locator(f"#comment-{mine.pk}").get_by_role(
            "link", name="Respond"
        ).click()
    assert_accessible(official)
    official.get_by_label("Adopted", exact=True).check()
    official.get_by_label("Reasons").fill("Captions will be added to every stream.")
    official.get_by_label("Addressed in version").select_option("2")
    with official.expect_navigation():
        official.get_by_role("button", name="Publish response").click()
    assert official.url.endswith(f"#comment-{mine.pk}")
    response = OfficialResponse.objects.get(comment=mine)
    assert response.disposition == "adopted"

    # ...and publishes version 2.
    official.goto(f"/plans/{plan.slug}/versions/next/")
    official.get_by_label("Summary of changes").fill("Captions for every stream.")
    with official.expect_navigation():
        official.get_by_role("button", name="Publish version 2").click()
    assert official.url.endswith(f"/plans/{plan.slug}/")
    assert "Version 2 is published." in official.content()
    assert official.script_errors == []

    # The citizen sees the response and follows the change in the compare view.
    citizen.goto(f"/plans/{plan.slug}/")
    answer = citizen.locator(f"#comment-{mine.pk} .official-response")
    assert "Official response from Ministry of Data" in answer.inner_text()
    assert "Adopted" in answer.inner_text() and "version 2" in answer.inner_text()
    with citizen.expect_navigation():
        citizen.get_by_role("link", name="Compare versions").click()
    assert_accessible(citizen)
    changed = citizen.locator("#diff-3\\.2")
    assert changed.get_by_text("Changed", exact=True).is_visible()
    inserted = " ".join(changed.locator(".diff-main ins").all_inner_texts())
    assert "captions" in inserted
    beside = changed.locator("aside")
    assert "Please add captions to every stream." in beside.inner_text()
    assert "Captions will be added to every stream." in beside.inner_text()
    assert citizen.locator("#diff-3\\.4").get_by_text("Added", exact=True).is_visible()
    assert (
        citizen.locator("#diff-3\\.3").get_by_text("Removed", exact=True).is_visible()
    )

    # The register lists the comment with its disposition, on the page and in CSV.
    citizen.goto(f"/plans/{plan.slug}/register/")
    assert_accessible(citizen)
    with citizen.expect_download() as download:
        citizen.get_by_role("link", name="Download CSV").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    rows = {row["comment_id"]: row for row in csv.DictReader(io.StringIO(text))}
    row = rows[str(mine.pk)]
    assert (row["section"], row["author"], row["disposition"]) == (
        "3.2",
        "Chen",
        "adopted",
    )
    assert row["addressed_in_version"] == "2"
    assert "chen@example.org" not in text
    assert citizen.script_errors == []


def test_forms_and_public_pages_are_accessible(consultation, new_page):
    plan, other = consultation["plan"], consultation["other"]
    moderator = make_user(
        Role.MODERATOR, email="mod@example.org", display_name="Moderator"
    )
    services.flag_comment(user=consultation["citizen"], comment=other, reason="spam")
    page = new_page()
    for url in [
        "/plans/",
        consultation["agency"].get_absolute_url(),
        "/moderation/log/",
    ]:
        page.goto(url)
        assert_accessible(page)
    assert "Ms. Liaison" in page.goto(consultation["agency"].get_absolute_url()).text()

    login(page, "chen@example.org", PASSWORD)
    for url in [
        f"/plans/{plan.slug}/sections/3.2/comment/",
        f"/comments/{other.pk}/flag/",
        f"/comments/{other.pk}/reply/",
        "/accounts/notifications/",
    ]:
        page.goto(url)
        assert_accessible(page)

    staff = new_page()
    login(staff, "mod@example.org", PASSWORD)
    for url in ["/moderation/", f"/comments/{other.pk}/moderate/"]:
        staff.goto(url)
        assert_accessible(staff)
    staff.get_by_label("Spam").check()
    with staff.expect_navigation():
        staff.get_by_role("button", name="Hide comment").click()
    assert staff.url.endswith("/moderation/")
    other.refresh_from_db()
    assert other.is_hidden and moderator.pk

    official = new_page()
    login(official, "official@example.org", PASSWORD)
    for url in ["/plans/new/", f"/plans/{plan.slug}/edit/"]:
        official.goto(url)
        assert_accessible(official)


@override_settings(RATELIMIT_ENABLED=False)
def test_a_busy_section_continues_on_its_own_page(consultation, new_page):
    plan = consultation["plan"]
    writers = [UserFactory(display_name=f"Writer {i}") for i in range(3)]
    for i in range(PLAN_PAGE_THREADS + 2):
        services.post_comment(
            user=writers[i % 3], plan=plan, section_key="3.2", body=f"Point {i}."
        )
    last = Comment.objects.filter(plan=plan).latest("pk")
    citizen = new_page()
    login(citizen, "chen@example.org", PASSWORD)
    citizen.goto(f"/plans/{plan.slug}/")
    assert not citizen.get_by_text(f"Point {PLAN_PAGE_THREADS + 1}.").count()
    # The keyboard reaches the link to every comment on the section.
    link = citizen.get_by_role(
        "link", name=f"Show all {PLAN_PAGE_THREADS + 3} comments on section 3.2"
    )
    link.focus()
    with citizen.expect_navigation():
        citizen.keyboard.press("Enter")
    assert (
        citizen.get_by_role("heading", level=1)
        .inner_text()
        .startswith("Comments on section 3.2")
    )
    assert citizen.get_by_text(f"Point {PLAN_PAGE_THREADS + 1}.").is_visible()
    assert_accessible(citizen)
    # Endorsing works there as on the plan page, without leaving it.
    article = citizen.locator(f"#comment-{last.pk}")
    article.get_by_role("button", name="Endorse").click()
    assert announced(citizen, "You endorsed this comment.")
    # A permalink to the late comment leads to it.
    citizen.goto(f"/comments/{last.pk}/")
    assert citizen.url.endswith(f"/sections/3.2/#comment-{last.pk}")
    assert citizen.locator(f"#comment-{last.pk}").is_visible()
    assert citizen.script_errors == []


@override_settings(RATELIMIT_ENABLED=False)
def test_hostile_text_never_runs_as_script(consultation, new_page):
    plan = consultation["plan"]
    author = consultation["citizen"]
    stored = 0
    for text in naughty_strings():
        try:
            services.post_comment(user=author, plan=plan, section_key="3.2", body=text)
            stored += 1
        except ValidationError:  # blank once control characters are removed
            continue
    assert stored > 500
    official = consultation["official"]
    last = Comment.objects.filter(plan=plan).latest("pk")
    services.respond_to_comment(
        user=official,
        comment=last,
        disposition="not_adopted",
        body=naughty_strings()[200],
    )
    page = new_page()
    page.add_init_script(ALERT_TRAP)
    # The plan page shows the first comments of 3.2; its section pages all.
    pages = -(-Comment.objects.filter(plan=plan).count() // SECTION_PAGE_THREADS)
    for url in [
        f"/plans/{plan.slug}/",
        *(f"/plans/{plan.slug}/sections/3.2/?page={n}" for n in range(1, pages + 1)),
        f"/plans/{plan.slug}/register/",
        f"/comments/{last.pk}/history/",
    ]:
        page.goto(url)
        page.wait_for_load_state("load")
        assert page.evaluate("window.__xss") == [], url
    # What was written is shown as text, where its permalink leads.
    script = Comment.objects.filter(body__contains="<script>alert(123)</script>")
    page.goto(f"/comments/{script.first().pk}/")
    assert page.get_by_text("<script>alert(123)</script>").first.is_visible()
    assert page.script_errors == []
    # The trap works: a script that does run is caught.
    page.evaluate("alert('probe')")
    assert page.evaluate("window.__xss") == [["alert", "probe"]]
