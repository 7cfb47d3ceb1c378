"""Live forum sessions in real Chromium: three people, one session."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from forum import services
from forum.models import ForumSession, Question
from tests.browser.fixtures import assert_accessible, login
from tests.data import naughty_strings
from tests.factories import PASSWORD, UserFactory, make_user
from tests.forum.factories import AgendaItemFactory, ForumSessionFactory, member

pytestmark = pytest.mark.browser

TRAP = """
window.__alerts = [];
for (const name of ["alert", "confirm", "prompt"]) {
  window[name] = (...args) => {
    window.__alerts.push([name, String(args[0])]);
    return true;
  };
}
window.__csp = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
"""


def call(function, **kwargs):
    """Run a service outside Playwright's event loop (its thread has one)."""

    def run():
        try:
            return function(**kwargs)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def wait_connected(page):
    page.locator('[data-live-status][data-state="live"]').wait_for()


def visible_within(locator, seconds: float) -> float:
    started = time.monotonic()
    locator.wait_for(state="visible", timeout=seconds * 1000)
    return time.monotonic() - started


@pytest.fixture
def room(live_site, moderator):
    moderator.email = "mo@example.org"
    moderator.set_password(PASSWORD)
    moderator.save()
    session = ForumSessionFactory(
        title="Open data forum",
        status="live",
        premoderation=True,
        moderators=[moderator],
    )
    AgendaItemFactory(session=session, position=1, title="Opening")
    AgendaItemFactory(session=session, position=2, title="Datasets")
    ann = UserFactory(email="ann@example.org", display_name="Ann Viewer")
    bob = UserFactory(email="bob@example.org", display_name="Bob Viewer")
    return session, ann, bob, moderator


def test_three_people_one_question_from_pending_to_answered(new_page, room):
    session, ann, bob, moderator = room
    mod = new_page()
    login(mod, moderator.email, PASSWORD)
    mod.on("dialog", lambda dialog: dialog.accept())
    mod.goto(f"/sessions/{session.pk}/moderate/")
    viewers = []
    for person in (ann, bob):
        page = new_page()
        login(page, person.email, PASSWORD)
        page.goto(session.get_absolute_url())
        viewers.append(page)
    for page in (mod, *viewers):
        wait_connected(page)
    ann_page, bob_page = viewers

    # Ann asks; the session is pre-moderated.
    ann_page.get_by_label("Your question").fill("Which datasets come first?")
    ann_page.get_by_role("button", name="Ask").click()
    ann_page.get_by_text("A moderator will review your question").wait_for()
    mine = ann_page.locator("li.question", has_text="Which datasets come first?")
    assert mine.get_by_text("Awaiting moderation").is_visible()

    pending = mod.locator('[data-questions="pending"] li.question')
    pending.filter(has_text="Which datasets come first?").wait_for()
    time.sleep(0.5)
    assert bob_page.locator("li.question").count() == 0  # Bob sees nothing yet

    # Approved: both viewers see it within a second.
    pending.get_by_role("button", name="Approve").click()
    for page in viewers:
        open_question = page.locator(
            '[data-questions="open"] li.question', has_text="Which datasets come first?"
        ).filter(has_not_text="Awaiting moderation")
        assert visible_within(open_question, 1.0) <= 1.0

    # Bob upvotes; everyone sees the count.
    bob_page.get_by_role("button", name="0 upvotes: upvote this question").click()
    bob_page.locator('.vote-button[aria-pressed="true"]', has_text="1").wait_for()
    ann_page.get_by_role("button", name="1 upvote: upvote this question").wait_for()
    assert ann_page.locator(".vote-button").get_attribute("aria-pressed") == "false"
    mod.locator('[data-questions="open"] .vote-count', has_text="1").wait_for()

    # Highlight with the keyboard shortcut; presenter view and screen readers.
    presenter = new_page()
    presenter.goto(f"/sessions/{session.pk}/presenter/")
    wait_connected(presenter)
    question_row = mod.locator('[data-questions="open"] li.question').first
    question_row.focus()
    mod.keyboard.press("h")
    presenter.locator(
        ".presenter-question", has_text="Which datasets come first?"
    ).wait_for()
    for page in viewers:
        page.locator(
            "[data-highlight-box]", has_text="Which datasets come first?"
        ).wait_for()
        announcer = page.locator("[data-announcer]")
        assert announcer.get_attribute("aria-live") == "polite"
        assert announcer.inner_text() == "Now answering: Which datasets come first?"

    # Answered: it moves to the answered list and the highlight clears.
    mod.locator('[data-questions="open"] li.question').first.get_by_role(
        "button", name="Mark answered"
    ).click()
    for page in viewers:
        page.locator(
            '[data-questions="answered"] li.question',
            has_text="Which datasets come first?",
        ).wait_for()
        page.locator("[data-highlight-box]").wait_for(state="hidden")
    presenter.get_by_text("No question is being answered yet.").wait_for()

    question = Question.objects.get()
    assert (question.status, question.upvote_count) == ("answered", 1)
    for page in (mod, *viewers, presenter):
        assert page.script_errors == []


def test_pages_are_accessible(new_page, room):
    session, ann, _bob, moderator = room
    call(
        services.ask_question,
        session_id=session.pk,
        participant=member(ann),
        body="Axe?",
    )
    mod = new_page()
    login(mod, moderator.email, PASSWORD)
    for path in (
        f"/sessions/{session.pk}/moderate/",
        session.get_absolute_url(),
        f"/sessions/{session.pk}/presenter/",
        "/sessions/",
    ):
        mod.goto(path)
        if path != "/sessions/":
            wait_connected(mod)
        assert_accessible(mod)
    anonymous = new_page()
    anonymous.goto(session.get_absolute_url())
    wait_connected(anonymous)
    assert_accessible(anonymous)


def test_moderator_console_start_agenda_and_end(new_page, room):
    session, _ann, _bob, moderator = room
    ForumSession.objects.filter(pk=session.pk).update(status="scheduled")
    viewer = new_page()
    viewer.goto(session.get_absolute_url())
    wait_connected(viewer)
    mod = new_page()
    login(mod, moderator.email, PASSWORD)
    mod.on("dialog", lambda dialog: dialog.accept())
    mod.goto(f"/sessions/{session.pk}/moderate/")
    wait_connected(mod)
    mod.get_by_role("button", name="Start session").click()
    viewer.locator("[data-session-status]", has_text="Live").wait_for()
    viewer.locator('li[aria-current="step"]', has_text="Opening").wait_for()
    mod.locator("li", has_text="Datasets").get_by_role(
        "button", name="Make current"
    ).click()
    viewer.locator('li[aria-current="step"]', has_text="Datasets").wait_for()
    assert mod.get_by_role("button", name="Start session").is_hidden()
    mod.get_by_role("button", name="End session").click()
    viewer.locator("[data-session-status]", has_text="Ended").wait_for()
    session.refresh_from_db()
    assert session.status == "ended"


def test_reconnects_with_since_and_resyncs_on_a_gap(new_page, room):
    session, ann, _bob, _moderator = room
    ForumSession.objects.filter(pk=session.pk).update(premoderation=False)
    page = new_page()
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(session.get_absolute_url())
    wait_connected(page)

    # The connection drops; meanwhile a question is asked.
    page.wait_for_function(
        "document.querySelector('[data-forum-page]').forumClient.state.seq === 0"
    )
    page.evaluate("document.querySelector('[data-forum-page]').forumClient.drop()")
    page.locator('[data-live-status][data-state="reconnecting"]').wait_for()
    assert page.get_by_text("Reconnecting…").is_visible()
    call(
        services.ask_question,
        session_id=session.pk,
        participant=member(ann),
        body="While away",
    )
    wait_connected(page)
    page.locator("li.question", has_text="While away").wait_for()
    assert sockets[-1].endswith("?since=0")

    # A frame far ahead of what the client has seen: it resynchronises.
    call(
        services.ask_question,
        session_id=session.pk,
        participant=member(ann),
        body="Second",
    )
    page.locator("li.question", has_text="Second").wait_for()
    page.evaluate(
        """document.querySelector('[data-forum-page]').forumClient.handle(
             {type: "question.added", seq: 99, question: {id: 0}})"""
    )
    wait_connected(page)
    page.wait_for_timeout(800)
    assert sockets[-1].endswith("?since=2"), sockets
    assert (
        page.evaluate(
            "document.querySelector('[data-forum-page]').forumClient.state.seq"
        )
        == 2
    )
    assert page.script_errors == []


def test_hostile_questions_render_as_text_and_run_no_script(
    new_page, live_site, settings
):
    settings.RATELIMIT_ENABLED = False
    session = ForumSessionFactory(status="live")
    author = make_user(display_name='<img src=x onerror="alert(1)">')

    def ask_all() -> list[str]:
        stored = []
        for text in naughty_strings():
            try:
                question = services.ask_question(
                    session_id=session.pk, participant=member(author), body=text
                )
            except ValidationError:  # empty once cleaned: refused, that is fine
                continue
            stored.append(question.body)
        return stored

    stored = call(ask_all)
    page = new_page()
    page.add_init_script(TRAP)
    for path in (session.get_absolute_url(), f"/sessions/{session.pk}/presenter/"):
        page.goto(path)
        wait_connected(page)
        page.locator("li.question").first.wait_for()
        assert page.evaluate("window.__alerts") == []
        assert page.evaluate("window.__csp") == []
    page.goto(session.get_absolute_url())
    wait_connected(page)
    page.locator("li.question").nth(len(stored) - 1).wait_for()
    texts = page.locator(".question-text").all_text_contents()
    assert sorted(texts) == sorted(stored)
    assert page.evaluate("window.__alerts") == []
    assert page.script_errors == []


def test_a_moderator_adds_a_question_to_the_linked_conversation(new_page, room):
    from clustering import services as clustering_services
    from clustering.models import Statement

    session, ann, _bob, moderator = room
    conversation = call(
        clustering_services.create_conversation,
        user=moderator,
        topic="What should the portal publish first?",
        session=session,
    )
    question = call(
        services.ask_question,
        session_id=session.pk,
        participant=member(ann),
        body="Will procurement data be published?",
    )
    viewer = new_page()
    viewer.goto(session.get_absolute_url())
    viewer.get_by_role("link", name="Vote now").wait_for()
    assert_accessible(viewer)
    mod = new_page()
    login(mod, moderator.email, PASSWORD)
    mod.goto(f"/sessions/{session.pk}/moderate/")
    wait_connected(mod)
    item = mod.locator("li.question", has_text="Will procurement data")
    item.get_by_role("button", name="Add to conversation").click()
    item.get_by_text("Added to conversation").wait_for()
    assert item.get_by_role("button", name="Add to conversation").count() == 0
    statement = Statement.objects.get(source_question_id=question.pk)
    assert statement.conversation_id == conversation.pk
    assert statement.text == "Will procurement data be published?"
    assert statement.status == "accepted"
