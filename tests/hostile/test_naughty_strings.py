# ruff: noqa: E501 (the table of inputs below is wider than a code line)
"""Every text input of Agora receives every string of the Big List of Naughty
Strings (../shared/data/naughty-strings/blns.json), through the HTTP API and
through the HTML form, as a user allowed to submit it.

For each input and each string: the answer is 2xx/3xx, or a 4xx that says
what is wrong (field errors in JSON, an error list on the form page, or an
error message after the redirect) — never a 5xx. Accepted text is stored
exactly as the documented cleaning leaves it (common/sanitize.py clean_text:
CRLF → LF, C0 controls, DEL and lone surrogates removed, NFC; then the
service's own normalisation: one-line fields collapse whitespace, multi-line
fields are stripped). The page that shows the text contains it, escaped: the
page's visible text (parsed) contains the stored text, and no markup on the
page could run script. Markdown fields store what the one sanitiser
(render_markdown) makes of the text, inside its allow-list, and the page
carries that HTML unchanged.

The tests are parametrised by input, so a failure names the input and lists
the strings that failed (by index in blns.json).

Paths: P = /plans/<slug>, C = /comments/<id>, S = /sessions/<id>,
V = /conversations/<id>; A = /api.

| input               | API (POST)            | form (POST)           | who       | shown on                |
|---------------------|-----------------------|-----------------------|-----------|-------------------------|
| comment body (md)   | A/P/comments/         | P/sections/3.2/comment/ | member  | plan page               |
| comment quote       | same, quote           | same, quote           | member    | plan page               |
| reply body (md)     | same, parent          | C/reply/              | member    | plan page               |
| edited comment (md) | —                     | C/edit/               | author    | plan page               |
| official resp. (md) | A/C/responses/        | C/respond/            | official  | plan page               |
| flag note           | —                     | C/flag/               | member    | C/moderate/             |
| hide note           | —                     | C/moderate/           | moderator | C/moderate/             |
| plan title, summary | — (read-only)         | P/edit/               | official  | plan page               |
| version (md) and    | —                     | P/versions/next/      | official  | P/versions/<n>/         |
|   change summary    |                       |   action=publish      |           |                         |
| display name, org.  | — (no account API)    | /accounts/profile/    | the user  | profile form            |
| forum question      | A/S/questions/        | — (the page posts     | anyone    | A/S/ (the page draws it |
|                     |                       |   JSON to the API)    |           |   with textContent)     |
| minutes (md)        | —                     | S/minutes/            | moderator | session page            |
| statement           | A/V/statements/       | V/statements/         | anyone    | V/moderate/             |
| topic, description  | —                     | V/edit/               | moderator | conversation page       |
| statement flag note | —                     | V/statements/<s>/flag/| member    | — (moderators' JSON)    |
| version preview     | —                     | P/versions/preview/   | official  | JSON html (innerHTML)   |
| search, filters     | A/plans/?status=…     | /admin/…/?q=, /plans/?status=… | admin, anyone | results |

(md) = Markdown, rendered through common.sanitize.render_markdown. Seed
statements are covered by tests/clustering_web/test_hostile_input.py.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.messages import constants, get_messages
from django.test import Client, override_settings
from django.utils import timezone

from accounts.models import Sector
from accounts.roles import Role
from clustering import services as clustering
from clustering.models import Conversation, Statement, StatementFlag
from common.sanitize import clean_text, render_markdown
from consultation import services as consultation
from consultation.models import (
    Comment,
    Flag,
    ModerationAction,
    OfficialResponse,
    Plan,
    PlanStatus,
)
from consultation.selectors import SECTION_PAGE_THREADS
from forum.models import ForumSession, Question
from tests.data import naughty_strings
from tests.factories import AgencyFactory, make_user
from tests.forum.factories import ForumSessionFactory
from tests.hostile.scan import sanitiser_problems, scan, squash


@pytest.fixture(autouse=True)
def _whole_moderation_queue(monkeypatch):
    """The conversation's moderation page lists the oldest 500 pending
    statements; the sweep adds more than that and checks each on that page."""
    monkeypatch.setattr("clustering.selectors.QUEUE_PAGE", 5000)


PLAN_BODY = """\
Introductory text.

## 3 Commitments

### 3.2 Open committee meetings

Every committee meeting will be streamed live and archived.
"""
PASSAGE = "Every committee meeting will be streamed live"


def one_line(text: str) -> str:
    """Plain text on one line (names, titles, statements, quotes)."""
    return " ".join(clean_text(text).split())


def multi_line(text: str) -> str:
    """Plain or Markdown text over several lines (comments, notes)."""
    return clean_text(text).strip()


# --- The world every input is tried in ------------------------------------


@dataclass
class World:
    official: Any
    moderator: Any
    citizen: Any
    admin: Any
    plan: Plan
    comment: Comment
    live: ForumSession
    ended: ForumSession
    conversation: Conversation
    clients: dict[str, Client] = field(default_factory=dict)

    def client(self, who: str) -> Client:
        if who not in self.clients:
            client = Client()
            if who != "guest":
                client.force_login(getattr(self, who))
            self.clients[who] = client
        return self.clients[who]


@pytest.fixture
def world(db) -> World:
    agency = AgencyFactory(slug="ministry-of-data", name="Ministry of Data")
    official = make_user(Role.OFFICIAL, agency=agency, display_name="Olu Official")
    moderator = make_user(Role.MODERATOR, display_name="Mo Moderator")
    citizen = make_user(display_name="Ada Citizen")
    admin = make_user(Role.ADMINISTRATOR, display_name="Ari Admin")
    plan = consultation.create_plan(
        user=official, agency=agency, title="Plan", slug="plan", summary="Summary"
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
    plan.refresh_from_db()
    comment = consultation.post_comment(
        user=moderator, plan=plan, section_key="3.2", body="A first comment"
    )
    live = ForumSessionFactory(
        status="live", login_required=False, moderators=[moderator]
    )
    ended = ForumSessionFactory(status="ended", moderators=[moderator])
    conversation = clustering.create_conversation(
        user=moderator, topic="Open data", description="Vote."
    )
    return World(
        official, moderator, citizen, admin, plan, comment, live, ended, conversation
    )


# --- Judging one answer -------------------------------------------------------


def outcome(response: Any) -> str:
    """'accepted', 'refused' (with a message a person can read) or a problem."""
    status = response.status_code
    if status >= 500:
        return f"HTTP {status}"
    content_type = response.get("Content-Type", "")
    if content_type.startswith("application/json"):
        if status < 300:
            return "accepted"
        data = response.json()
        messages = [
            m
            for value in (data.values() if isinstance(data, dict) else [])
            for m in (value if isinstance(value, list) else [value])
        ]
        if messages and all(isinstance(m, str) and m.strip() for m in messages):
            return "refused"
        return f"HTTP {status} without a message: {data!r}"
    if 300 <= status < 400:
        levels = [m.level for m in get_messages(response.wsgi_request)]
        return "refused" if constants.ERROR in levels else "accepted"
    body = response.content.decode()
    if "errorlist" in body or 'role="alert"' in body:
        return "refused"
    if status < 300:
        return "accepted"
    return f"HTTP {status} without a message"


@dataclass
class Input:
    """One text input: how to submit a string, what is stored, where it shows.

    ``submit`` posts the string (through the API or the form) and returns the
    response; ``stored`` reads back what was written; ``expected`` is what
    the text should become; ``shown`` checks the page(s) that display it (a
    list of problems).
    """

    name: str
    api: Callable[[World, str, int], Any] | None
    form: Callable[[World, str, int], Any] | None
    stored: Callable[[World], str]
    expected: Callable[[str], str]
    markdown: Callable[[World], str] | None = None
    page: Callable[[World], str | list[str]] | None = None
    each: bool = False  # the page shows only the latest value: check each time
    who: str = "citizen"
    prepare: Callable[[World, int], None] | None = None


def latest(model: Any, attribute: str, **filters: Any) -> Callable[[World], str]:
    def read(w: World) -> str:
        row = model.objects.filter(**filters).order_by("-pk").first()
        return getattr(row, attribute) if row else ""

    return read


def latest_html(model: Any, **filters: Any) -> Callable[[World], str]:
    return latest(model, "body_html", **filters)


def post(
    who: str, url: Callable[[World], str], data: Callable[[str], dict[str, Any]]
) -> Callable[[World, str, int], Any]:
    return lambda w, text, n: w.client(who).post(url(w), data(text))


def post_api(
    who: str, url: Callable[[World], str], data: Callable[[str], dict[str, Any]]
) -> Callable[[World, str, int], Any]:
    return lambda w, text, n: w.client(who).post(
        url(w), json.dumps(data(text)), content_type="application/json"
    )


def _plan_url(w: World) -> str:
    return f"/plans/{w.plan.slug}/"


def _comment_pages(w: World) -> list[str]:
    """The plan page shows the first threads of a section; the section's own
    pages show every comment, reply and response."""
    key = w.comment.section_key
    threads = Comment.objects.filter(
        plan=w.plan, section_key=key, parent__isnull=True
    ).count()
    pages = max(1, -(-threads // SECTION_PAGE_THREADS))
    section = f"/plans/{w.plan.slug}/sections/{key}/"
    return [_plan_url(w), *(f"{section}?page={n}" for n in range(1, pages + 1))]


def _flag_target(w: World) -> str:
    # One flag per person and comment: flag a fresh comment each time.
    target = Comment.objects.create(
        plan=w.plan,
        section=w.comment.section,
        section_key=w.comment.section_key,
        author=w.moderator,
        body="Flag me",
        body_html="<p>Flag me</p>",
    )
    return f"/comments/{target.pk}/flag/"


def _hide_target(w: World) -> str:
    target = Comment.objects.create(
        plan=w.plan,
        section=w.comment.section,
        section_key=w.comment.section_key,
        author=w.citizen,
        body="Hide me",
        body_html="<p>Hide me</p>",
    )
    return f"/comments/{target.pk}/moderate/"


def _edit_target(w: World) -> str:
    target = Comment.objects.create(
        plan=w.plan,
        section=w.comment.section,
        section_key=w.comment.section_key,
        author=w.citizen,
        body="Edit me",
        body_html="<p>Edit me</p>",
    )
    return f"/comments/{target.pk}/edit/"


def _statement_flag_target(w: World) -> str:
    statement = Statement.objects.create(
        conversation=w.conversation,
        text=f"Flag statement {Statement.objects.count()}",
        status="accepted",
    )
    return f"/conversations/{w.conversation.pk}/statements/{statement.pk}/flag/"


def _plan_edit(field: str) -> Callable[[str], dict[str, Any]]:
    def data(text: str) -> dict[str, Any]:
        values = {"title": "Plan", "summary": "Summary", "status": "open"}
        values[field] = text
        return values

    return data


def _conversation_edit(field: str) -> Callable[[str], dict[str, Any]]:
    def data(text: str) -> dict[str, Any]:
        values = {
            "topic": "Open data",
            "description": "Vote.",
            "is_open": "on",
            "vote_policy": "anyone",
            "statement_policy": "anyone",
        }
        values[field] = text
        return values

    return data


def _profile(field: str) -> Callable[[str], dict[str, Any]]:
    def data(text: str) -> dict[str, Any]:
        values = {"display_name": "Ada", "sector": Sector.CITIZEN, "organisation": ""}
        values[field] = text
        return values

    return data


def _user_field(name: str) -> Callable[[World], str]:
    def read(w: World) -> str:
        w.citizen.refresh_from_db()
        return str(getattr(w.citizen, name))

    return read


def _minutes(w: World) -> str:
    w.ended.refresh_from_db()
    return w.ended.minutes


def _minutes_html(w: World) -> str:
    w.ended.refresh_from_db()
    return w.ended.minutes_html


def _plan_field(name: str) -> Callable[[World], str]:
    def read(w: World) -> str:
        w.plan.refresh_from_db()
        return str(getattr(w.plan, name))

    return read


def _conversation_field(name: str) -> Callable[[World], str]:
    def read(w: World) -> str:
        w.conversation.refresh_from_db()
        return str(getattr(w.conversation, name))

    return read


def _version_body(w: World) -> str:
    version = w.plan.versions.order_by("-number").first()
    return version.body if version else ""


def _version_html(w: World) -> str:
    """Each section's HTML, separated by NUL (which cleaned text never has)."""
    version = w.plan.versions.order_by("-number").first()
    assert version is not None
    return "\x00".join(version.sections.values_list("body_html", flat=True))


def _latest_version_url(w: World) -> str:
    version = w.plan.versions.order_by("-number").first()
    assert version is not None
    return f"/plans/{w.plan.slug}/versions/{version.number}/"


def _version_data(text: str) -> dict[str, Any]:
    return {"body": f"{PLAN_BODY}\n{text}", "change_summary": text, "action": "publish"}


INPUTS = [
    Input(
        "comment body",
        api=post_api(
            "citizen",
            lambda w: f"/api/plans/{w.plan.slug}/comments/",
            lambda t: {"section": "3.2", "body": t},
        ),
        form=post(
            "citizen",
            lambda w: f"/plans/{w.plan.slug}/sections/3.2/comment/",
            lambda t: {"body": t},
        ),
        stored=latest(Comment, "body"),
        expected=multi_line,
        markdown=latest_html(Comment),
        page=_comment_pages,
    ),
    Input(
        "comment quote",
        api=post_api(
            "citizen",
            lambda w: f"/api/plans/{w.plan.slug}/comments/",
            lambda t: {"section": "3.2", "body": "Quoting", "quote": t},
        ),
        form=post(
            "citizen",
            lambda w: f"/plans/{w.plan.slug}/sections/3.2/comment/",
            lambda t: {"body": "Quoting", "quote": t},
        ),
        stored=latest(Comment, "quote"),
        expected=one_line,
        page=_comment_pages,
    ),
    Input(
        "reply body",
        api=post_api(
            "citizen",
            lambda w: f"/api/plans/{w.plan.slug}/comments/",
            lambda t: {"parent": Comment.objects.order_by("pk").first().pk, "body": t},
        ),
        form=lambda w, t, n: w.client("citizen").post(
            f"/comments/{w.comment.pk}/reply/", {"body": t}
        ),
        stored=latest(Comment, "body", parent__isnull=False),
        expected=multi_line,
        markdown=latest_html(Comment, parent__isnull=False),
        page=_comment_pages,
    ),
    Input(
        "edited comment body",
        api=None,
        form=lambda w, t, n: w.client("citizen").post(
            _edit_target(w), {"body": t, "stance": "", "quote": ""}
        ),
        stored=latest(Comment, "body", author__display_name="Ada Citizen"),
        expected=multi_line,
        markdown=latest_html(Comment, author__display_name="Ada Citizen"),
        page=_comment_pages,
    ),
    Input(
        "official response",
        api=post_api(
            "official",
            lambda w: f"/api/comments/{w.comment.pk}/responses/",
            lambda t: {"disposition": "adopted", "body": t},
        ),
        form=post(
            "official",
            lambda w: f"/comments/{w.comment.pk}/respond/",
            lambda t: {"disposition": "adopted", "body": t, "addressed_in": ""},
        ),
        stored=latest(OfficialResponse, "body"),
        expected=multi_line,
        markdown=latest_html(OfficialResponse),
        page=_comment_pages,
    ),
    Input(
        "flag note",
        api=None,
        form=lambda w, t, n: w.client("citizen").post(
            _flag_target(w), {"reason": "spam", "note": t}
        ),
        stored=latest(Flag, "note"),
        expected=multi_line,
        page=lambda w: f"/comments/{Flag.objects.latest('pk').comment_id}/moderate/",
        each=True,
        who="moderator",
    ),
    Input(
        "moderator's hide note",
        api=None,
        form=lambda w, t, n: w.client("moderator").post(
            _hide_target(w), {"action": "hide", "reason": "spam", "note": t}
        ),
        stored=latest(ModerationAction, "note"),
        expected=multi_line,
        page=lambda w: (
            f"/comments/{ModerationAction.objects.latest('pk').comment_id}/moderate/"
        ),
        each=True,
        who="moderator",
    ),
    Input(
        "plan title",
        api=None,
        form=post(
            "official", lambda w: f"/plans/{w.plan.slug}/edit/", _plan_edit("title")
        ),
        stored=_plan_field("title"),
        expected=one_line,
        page=_plan_url,
        each=True,
    ),
    Input(
        "plan summary",
        api=None,
        form=post(
            "official", lambda w: f"/plans/{w.plan.slug}/edit/", _plan_edit("summary")
        ),
        stored=_plan_field("summary"),
        expected=multi_line,
        page=_plan_url,
        each=True,
    ),
    Input(
        "plan version Markdown",
        api=None,
        form=post(
            "official", lambda w: f"/plans/{w.plan.slug}/versions/next/", _version_data
        ),
        stored=_version_body,
        expected=lambda t: multi_line(f"{PLAN_BODY}\n{t}"),
        markdown=_version_html,
        page=_latest_version_url,
        each=True,
    ),
    Input(
        "display name",
        api=None,
        form=post("citizen", lambda w: "/accounts/profile/", _profile("display_name")),
        stored=_user_field("display_name"),
        expected=one_line,
        page=lambda w: "/accounts/profile/",
        each=True,
    ),
    Input(
        "organisation",
        api=None,
        form=post("citizen", lambda w: "/accounts/profile/", _profile("organisation")),
        stored=_user_field("organisation"),
        expected=one_line,
        page=lambda w: "/accounts/profile/",
        each=True,
    ),
    Input(
        "forum question",
        api=post_api(
            "citizen",
            lambda w: f"/api/sessions/{w.live.pk}/questions/",
            lambda t: {"body": t},
        ),
        form=None,
        stored=latest(Question, "body"),
        expected=multi_line,
        page=lambda w: f"/api/sessions/{w.live.pk}/",
    ),
    Input(
        "minutes",
        api=None,
        form=post(
            "moderator",
            lambda w: f"/sessions/{w.ended.pk}/minutes/",
            lambda t: {"minutes": t, "recording_url": ""},
        ),
        stored=_minutes,
        expected=clean_text,
        markdown=_minutes_html,
        page=lambda w: f"/sessions/{w.ended.pk}/",
        each=True,
    ),
    Input(
        "statement",
        api=post_api(
            "citizen",
            lambda w: f"/api/conversations/{w.conversation.pk}/statements/",
            lambda t: {"text": t},
        ),
        form=lambda w, t, n: w.client("citizen").post(
            f"/conversations/{w.conversation.pk}/statements/", {"text": f"{t} #{n}"}
        ),
        stored=latest(Statement, "text"),
        expected=one_line,
        page=lambda w: f"/conversations/{w.conversation.pk}/moderate/",
        who="moderator",
    ),
    Input(
        "conversation topic",
        api=None,
        form=post(
            "moderator",
            lambda w: f"/conversations/{w.conversation.pk}/edit/",
            _conversation_edit("topic"),
        ),
        stored=_conversation_field("topic"),
        expected=one_line,
        page=lambda w: f"/conversations/{w.conversation.pk}/",
        each=True,
    ),
    Input(
        "conversation description",
        api=None,
        form=post(
            "moderator",
            lambda w: f"/conversations/{w.conversation.pk}/edit/",
            _conversation_edit("description"),
        ),
        stored=_conversation_field("description"),
        expected=multi_line,
        page=lambda w: f"/conversations/{w.conversation.pk}/",
        each=True,
    ),
    Input(
        "statement flag note",
        api=None,
        form=lambda w, t, n: w.client("citizen").post(
            _statement_flag_target(w), {"reason": "spam", "note": t}
        ),
        stored=latest(StatementFlag, "note"),
        expected=one_line,
    ),
]


# Every string goes through every input. Where an input has both an API and a
# form, the strings the two paths may treat differently (anything the cleaning
# or the form's stripping changes, characters outside the BMP, long strings)
# go through both, the others through one or the other in turn. Inputs shown
# one value at a time get their page checked for the strings whose escaping
# or cleaning matters. AGORA_HOSTILE_FULL=1 does everything for every string.
FULL = os.environ.get("AGORA_HOSTILE_FULL", "") not in ("", "0")
# For a quick look while developing: every n-th string only
# (AGORA_HOSTILE_STRIDE=n). CI shares the strings between its two passes:
# AGORA_HOSTILE_SHARD=i/n keeps the strings whose index is i modulo n. The
# extra strings (NUL, controls, surrogates, CR LF, very long) always run.
STRIDE = int(os.environ.get("AGORA_HOSTILE_STRIDE", "1") or 1)
_SHARD, _SHARDS = (
    int(x) for x in os.environ.get("AGORA_HOSTILE_SHARD", "0/1").split("/")
)


def skipped(n: int) -> bool:
    """Whether this run leaves out the n-th string of blns.json."""
    return n < len(naughty_strings()) and bool(n % STRIDE or n % _SHARDS != _SHARD)


MARKUP = set("<>&\"'`{}%\\")


def paths_may_differ(text: str) -> bool:
    return (
        clean_text(text) != text
        or text != text.strip()
        or len(text) > 200
        or any(ord(ch) > 0xFFFF for ch in text)
    )


def escaping_matters(text: str) -> bool:
    return paths_may_differ(text) or bool(MARKUP.intersection(text))


def paths_for(
    case: Input, n: int, text: str
) -> list[tuple[str, Callable[[World, str, int], Any]]]:
    paths = [(p, s) for p, s in (("api", case.api), ("form", case.form)) if s]
    if not encodable(text):
        paths = [(p, s) for p, s in paths if p == "api"]
    if len(paths) == 1 or FULL or paths_may_differ(text):
        return paths
    return [paths[n % 2]]


# blns.json has no NUL (PostgreSQL refuses it in text: a classic 500), no
# lone surrogate (JSON can carry one; a form post cannot) and nothing longer
# than a few hundred characters; these come after its 515 strings.
EXTRA = [
    "\x00",
    "before\x00after",
    "<script>\x00alert(1)</script>",
    "\x00\x01\x02\x1f\x7f",
    "lone \ud800 surrogate",
    "\udfff",
    "windows\r\nline\rbreaks",
    "x" * 20_001,
]


def strings() -> list[str]:
    return [*naughty_strings(), *EXTRA]


def encodable(text: str) -> bool:
    """A browser cannot put a lone surrogate in a form post (nor a URL)."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def test_the_list_is_the_real_one():
    strings = naughty_strings()
    assert len(strings) > 500
    assert "<script>alert(123)</script>" in strings


@override_settings(RATELIMIT_ENABLED=False)
@pytest.mark.parametrize("case", INPUTS, ids=lambda case: case.name)
def test_every_naughty_string_through_every_input(case: Input, world: World):
    failures: list[str] = []
    tried = 0
    shown: list[tuple[int, str, str]] = []  # (index, path, stored text)
    accepted = 0
    viewer = world.client(case.who)
    for n, text in enumerate(strings()):
        if skipped(n):
            continue
        tried += 1
        for path, submit in paths_for(case, n, text):
            response = submit(world, text, n)
            verdict = outcome(response)
            if verdict == "refused":
                continue
            if verdict != "accepted":
                failures.append(f"#{n} {path}: {verdict}")
                continue
            accepted += 1
            sent = (
                f"{text} #{n}" if case.name == "statement" and path == "form" else text
            )
            stored = case.stored(world)
            if stored != case.expected(sent):
                failures.append(
                    f"#{n} {path}: stored {stored!r}, expected {case.expected(sent)!r}"
                )
            if case.markdown is not None:
                html = case.markdown(world)
                if case.name != "plan version Markdown" and html != render_markdown(
                    stored
                ):
                    failures.append(f"#{n} {path}: HTML is not render_markdown(text)")
                failures += [f"#{n} {path}: {p}" for p in sanitiser_problems(html)]
                stored = html
            shown.append((n, path, stored))
        if case.each and case.page is not None and shown and shown[-1][0] == n:
            if not escaping_matters(text) and not FULL:
                continue
            failures += _check_page(viewer, case, world, shown[-1:])
    if case.page is not None and not case.each:
        failures += _check_page(viewer, case, world, shown)
    assert not failures, f"{case.name}: {len(failures)} problems\n" + "\n".join(
        failures[:60]
    )
    # Most strings are ordinary text to a person: they must get through
    # (display names are short; quotes must come from the section).
    if case.name != "comment quote":
        assert accepted > tried / 2, (case.name, accepted, tried)


def _check_page(
    client: Client, case: Input, world: World, shown: list[tuple[int, str, str]]
) -> list[str]:
    assert case.page is not None
    where = case.page(world)
    urls = [where] if isinstance(where, str) else where
    problems: list[str] = []
    raws: list[str] = []
    texts: list[str] = []
    for url in urls:
        response = client.get(url)
        if response.status_code != 200:
            problems.append(f"GET {url}: HTTP {response.status_code}")
            continue
        if response["Content-Type"].startswith("application/json"):
            payload = json.dumps(response.json(), ensure_ascii=False)
            problems += [
                f"#{n} {path}: not in {url}"
                for n, path, text in shown
                if json.dumps(text, ensure_ascii=False)[1:-1] not in payload
            ]
            continue
        page = scan(response.content)
        problems += [f"GET {url}: {p}" for p in page.problems]
        raws.append(response.content.decode())
        texts.append(page.text + " " + squash(" ".join(page.attribute_values("value"))))
    if not raws:
        return problems
    raw, visible = "\n".join(raws), " ".join(texts)
    for n, path, text in shown:
        if case.markdown is not None:
            found = all(fragment in raw for fragment in text.split("\x00"))
        else:
            found = squash(text) in visible
        if not found:
            problems.append(f"#{n} {path}: not shown on {' or '.join(urls)}")
    return problems


SEARCHES = [
    "/admin/accounts/user/?q={}",
    "/admin/accounts/agency/?q={}",
    "/admin/accounts/notification/?q={}",
    "/admin/consultation/plan/?q={}",
    "/admin/consultation/comment/?q={}",
    "/admin/forum/forumsession/?q={}",
    "/admin/forum/question/?q={}",
    "/admin/clustering/conversation/?q={}",
    "/admin/clustering/statement/?q={}",
    "/plans/?status={}&agency={}",
    "/api/plans/?status={}&agency={}",
    "/api/plans/plan/comments/?section={}",
]


@pytest.mark.parametrize("url", SEARCHES)
def test_search_boxes_and_filters_take_every_string(url: str, world: World):
    from urllib.parse import quote

    client = world.client("admin")
    failures = []
    for n, text in enumerate(strings()):
        if skipped(n) or not encodable(text):
            continue
        response = client.get(url.format(*[quote(text)] * url.count("{}")))
        if response.status_code == 400 and url.startswith("/api/"):
            # API filters refuse an unknown value, naming the parameter.
            errors = response.json()
            if not errors or not all(
                isinstance(m, list) and m and all(isinstance(x, str) for x in m)
                for m in errors.values()
            ):
                failures.append(f"#{n}: 400 without a message: {errors!r}")
        elif response.status_code != 200:
            failures.append(f"#{n}: HTTP {response.status_code}")
        elif response["Content-Type"].startswith("text/html"):
            failures += [f"#{n}: {p}" for p in scan(response.content).problems]
    assert not failures, "\n".join(failures[:60])


@override_settings(RATELIMIT_ENABLED=False)
def test_the_version_preview_returns_only_safe_html(world: World):
    """version_form.js puts the preview's HTML into the page (innerHTML)."""
    client = world.client("official")
    url = f"/plans/{world.plan.slug}/versions/preview/"
    failures = []
    for n, text in enumerate(strings()):
        if skipped(n) or not encodable(text):
            continue
        response = client.post(url, {"body": f"{PLAN_BODY}\n{text}"})
        if response.status_code != 200:
            failures.append(f"#{n}: HTTP {response.status_code}")
            continue
        failures += [f"#{n}: {p}" for p in scan(response.json()["html"]).problems]
    assert not failures, "\n".join(failures[:60])
