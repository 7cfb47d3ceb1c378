"""Every naughty string, stored in the objects each page displays, opened in
real Chromium: no alert/confirm/prompt runs, the Content-Security-Policy is
never violated, no script error occurs, and the strings show as text.

The data is written through the services (tests/hostile/ covers the HTTP
paths); the pages are: plan page (comments, replies, official responses,
authors' display names and organisations), a version page with hostile
Markdown, the moderation queue (flag notes), a live session page and its
moderator console (questions), an ended session's minutes, the conversation
report (statements) and an admin search for a hostile query.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.roles import Role
from accounts.services import update_profile
from clustering import services as clustering
from consultation import services as consultation
from consultation.models import PlanStatus
from forum import services as forum
from tests.browser.fixtures import login
from tests.data import naughty_strings
from tests.factories import PASSWORD, AgencyFactory, make_user
from tests.forum.factories import ForumSessionFactory, member
from tests.helpers import capture_broadcasts
from tests.hostile.scan import squash

pytestmark = pytest.mark.browser

TRAP = """
window.__calls = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = (...args) => { window.__calls.push(name + ":" + String(args[0])); };
}
document.addEventListener("securitypolicyviolation", (e) => {
  window.__calls.push("csp:" + e.violatedDirective + " " + e.blockedURI);
});
"""

PLAN_BODY = """\
Introductory text.

## 3 Commitments

### 3.2 Open committee meetings

Every committee meeting will be streamed live and archived.
"""

# Strings a reader must find on the pages (where the input takes them), by
# how they start in blns.json.
SAMPLE_STARTS = [
    "<script>alert(123)</script>",
    '"><script>alert(123)</script>',
    "<img src=x onerror=alert(123) />",
    '<script\\x20type="text/javascript">',
    "田中さんにあげて下さい",
    "ثم نفس سقطت",
    "𝐓𝐡𝐞 𝐪𝐮𝐢𝐜𝐤",
    "Ω≈ç√∫",
]


def sample() -> list[str]:
    strings = naughty_strings()
    found = [next((s for s in strings if s.startswith(p)), "") for p in SAMPLE_STARTS]
    assert all(found), dict(zip(SAMPLE_STARTS, found, strict=True))
    return found


SAMPLE = sample()


def ok(function: Any, **kwargs: Any) -> Any:
    """Call a service; a refusal (e.g. text empty once cleaned) is fine."""
    try:
        return function(**kwargs)
    except ValidationError:
        return None


@pytest.fixture
def hostile_world(live_site, settings) -> Iterator[dict[str, Any]]:
    # Services broadcast on commit; Playwright's event loop runs in this
    # thread, so record the broadcasts instead of sending them.
    with capture_broadcasts():
        yield seed(settings)


def seed(settings: Any) -> dict[str, Any]:
    settings.RATELIMIT_ENABLED = False
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }
    strings = naughty_strings()
    agency = AgencyFactory(slug="ministry-of-data", name="Ministry of Data")
    official = make_user(Role.OFFICIAL, agency=agency, email="official@example.org")
    moderator = make_user(Role.MODERATOR, email="mo@example.org")
    make_user(Role.ADMINISTRATOR, email="admin@example.org")
    plan = consultation.create_plan(
        user=official, agency=agency, title=SAMPLE[1], slug="plan", summary=SAMPLE[2]
    )
    consultation.publish_version(user=official, plan=plan, body=PLAN_BODY)
    consultation.update_plan(
        user=official,
        plan=plan,
        title=plan.title,
        summary=plan.summary,
        status=PlanStatus.OPEN,
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=30),
    )
    # Authors whose display names and organisations are naughty strings.
    authors = []
    for text in strings[::10]:
        user = make_user()
        ok(
            update_profile,
            user=user,
            display_name=text,
            sector="citizen",
            organisation=text,
        )
        authors.append(user)
    comments = []
    for n, text in enumerate(strings):
        comment = ok(
            consultation.post_comment,
            user=authors[n % len(authors)],
            plan=plan,
            section_key="3.2",
            body=text,
        )
        if comment is not None:
            comments.append(comment)
    first = comments[0]
    for n, text in enumerate(strings[::5]):
        ok(
            consultation.post_comment,
            user=authors[n % len(authors)],
            plan=plan,
            parent=first,
            body=text,
        )
        ok(
            consultation.respond_to_comment,
            user=official,
            comment=comments[n + 1],
            disposition="adopted",
            body=text,
        )
    flagger = make_user()
    for n, text in enumerate(strings):
        ok(
            consultation.flag_comment,
            user=flagger,
            comment=comments[n % len(comments)],
            reason="other",
            note=text,
        )
    markdown = PLAN_BODY + "\n" + "\n\n".join(s for s in strings if s.strip())
    version = consultation.publish_version(
        user=official, plan=plan, body=markdown, change_summary=SAMPLE[0]
    )
    live = ForumSessionFactory(status="live", moderators=[moderator])
    for n, text in enumerate(strings):
        ok(
            forum.ask_question,
            session_id=live.pk,
            participant=member(authors[n % len(authors)]),
            body=text,
        )
    ended = ForumSessionFactory(status="ended", moderators=[moderator])
    forum.publish_minutes(
        session_id=ended.pk,
        user=moderator,
        minutes="\n\n".join(strings),
        recording_url="",
    )
    conversation = clustering.create_conversation(
        user=moderator, topic=SAMPLE[0], description="\n".join(strings[:40])
    )
    clustering.seed_statements(
        conversation=conversation,
        user=moderator,
        text="\n".join(s for s in strings if s.strip()),
    )
    return {
        "plan": plan,
        "version": version,
        "live": live,
        "ended": ended,
        "conversation": conversation,
    }


def open_and_check(page: Any, url: str, ready: str | None = None) -> str:
    """Open ``url`` with the traps set; return the visible text."""
    page.goto(url)
    page.wait_for_load_state("load")
    if ready:
        page.locator(ready).first.wait_for()
    calls = page.evaluate("window.__calls")
    assert calls == [], (url, calls[:5])
    assert page.script_errors == [], (url, page.script_errors[:5])
    assert page.console_errors == [], (url, page.console_errors[:5])
    return squash(page.inner_text("body"))


def _console_error(page: Any, message: Any) -> None:
    # The admin's pages name no icon, so Chromium asks for /favicon.ico (404).
    if message.type == "error" and not str(message.location.get("url", "")).endswith(
        "/favicon.ico"
    ):
        page.console_errors.append(message.text)


def trapped_page(new_page: Any, email: str) -> Any:
    """A logged-in page with the traps and the console listener installed."""
    page = new_page()
    page.set_default_timeout(60_000)  # pages with a thousand comments
    page.add_init_script(TRAP)
    page.console_errors = []
    page.on("console", lambda m: _console_error(page, m))
    login(page, email, PASSWORD)
    return page


def test_naughty_strings_run_no_script_on_any_page(hostile_world, new_page):
    w = hostile_world
    page = trapped_page(new_page, "mo@example.org")

    shown = open_and_check(page, f"/plans/{w['plan'].slug}/")
    for text in SAMPLE:
        assert squash(text) in shown, text
    shown = open_and_check(
        page, f"/plans/{w['plan'].slug}/versions/{w['version'].number}/"
    )
    assert "田中さんにあげて下さい" in shown
    assert "<script>alert(123)</script>" in shown  # Markdown shows raw HTML as text
    shown = open_and_check(page, "/moderation/")
    assert squash(SAMPLE[0]) in shown  # a flag note
    shown = open_and_check(page, f"/sessions/{w['ended'].pk}/")
    assert "田中さんにあげて下さい" in shown
    shown = open_and_check(
        page, f"/sessions/{w['live'].pk}/moderate/", ready="li.question"
    )
    page.locator("li.question").nth(400).wait_for()
    shown = squash(page.inner_text("body"))
    for text in SAMPLE:
        assert squash(text) in shown, text
    shown = open_and_check(page, f"/conversations/{w['conversation'].pk}/report/")
    assert squash(SAMPLE[0]) in shown

    admin = trapped_page(new_page, "admin@example.org")
    shown = open_and_check(admin, f"/admin/consultation/comment/?q={quote(SAMPLE[2])}")
    assert admin.input_value("#searchbar") == SAMPLE[2]
    assert admin.locator("#result_list tbody tr").count() >= 1

    # The trap itself works: a script that does run is caught.
    page.evaluate("alert('probe')")
    assert page.evaluate("window.__calls") == ["alert:probe"]
