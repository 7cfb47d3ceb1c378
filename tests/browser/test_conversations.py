"""Opinion conversations in a real browser (daphne + Chromium)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from clustering import services
from clustering.models import Statement
from tests.browser.fixtures import assert_accessible, login
from tests.clustering_web.conftest import vote_in_groups
from tests.data import naughty_strings
from tests.factories import PASSWORD, make_user
from tests.helpers import capture_broadcasts

pytestmark = pytest.mark.browser


def make_conversation(moderator, n_statements=12, voters=20):
    conversation = services.create_conversation(
        user=moderator, topic="How should the open data portal evolve?"
    )
    services.seed_statements(
        conversation=conversation,
        user=moderator,
        text="\n".join(
            f"The portal should publish dataset number {i} every week"
            for i in range(n_statements)
        ),
    )
    if voters:
        # Runs in the test process: its broadcasts have no listeners here.
        with capture_broadcasts():
            vote_in_groups(conversation, voters)
    return conversation


def vote_over_http(context, base_url, conversation, votes):
    """Another participant (own browser context) votes through the JSON API."""
    api = context.request
    api.get(f"{base_url}/api/conversations/{conversation.pk}/next/")
    token = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
    for sid, value in votes:
        response = api.post(
            f"{base_url}/api/conversations/{conversation.pk}/votes/",
            data={"statement": sid, "value": value},
            headers={"X-CSRFToken": token, "Referer": base_url + "/"},
        )
        assert response.status in (200, 201), response.text()


def test_vote_add_see_your_place_moderate_and_watch_the_report_update(
    live_site, new_page
):
    moderator = make_user(Role.MODERATOR, email="mod@example.org")
    conversation = make_conversation(moderator)
    ids = list(conversation.statements.values_list("pk", flat=True))

    # A participant (anonymous browser session) votes on seven statements.
    page = new_page()
    page.goto(f"/conversations/{conversation.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(conversation.topic)
    form = page.locator("[data-vote-form]")
    for n in range(1, 8):
        agree = form.get_by_role("button", name="Agree", exact=True)
        expect(agree).to_be_enabled()
        if n % 2:
            agree.click()
        else:
            page.keyboard.press("d")  # keyboard shortcut: disagree
        expect(page.locator("#progress-text")).to_contain_text(f"voted on {n} of 12")
    # ... adds a statement of their own ...
    page.get_by_label("Add your own statement").fill(
        "Publish the portal's usage figures"
    )
    page.get_by_role("button", name="Add statement").click()
    expect(page.locator("[data-statement-feedback]")).to_contain_text(
        "once a moderator accepts it"
    )
    # ... and sees their place on the map.
    standing = page.locator("[data-standing]")
    expect(standing.get_by_text(re.compile(r"You are in group [AB]"))).to_be_visible()
    expect(standing.locator("canvas[data-map]")).to_be_visible()
    page.wait_for_function(
        "() => { const c = document.querySelector('[data-standing] canvas');"
        " return c && window.Chart && Chart.getChart(c) &&"
        " Chart.getChart(c).data.datasets[3].data.length === 1; }"
    )
    # They can revisit and change an earlier vote.
    earliest = page.locator("[data-your-votes] li").last
    text = earliest.locator(".statement-text").inner_text()
    earliest.get_by_role("button", name="Pass / unsure").click()
    changed = page.locator("[data-your-votes] li").filter(has_text=text)
    expect(changed.get_by_role("button", name="Pass / unsure")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert_accessible(page)
    assert page.script_errors == []

    # A moderator accepts the statement.
    mod = new_page()
    login(mod, "mod@example.org", PASSWORD)
    mod.goto(f"/conversations/{conversation.pk}/moderate/")
    mod.get_by_label("Publish the portal's usage figures").check()
    mod.get_by_role("button", name="Accept").click()
    expect(mod.get_by_text("1 statement accepted.")).to_be_visible()
    assert (
        Statement.objects.get(text="Publish the portal's usage figures").status
        == "accepted"
    )

    # The report is open; other participants vote; it updates without a reload.
    report = new_page()
    report.goto(f"/conversations/{conversation.pk}/report/")
    expect(report.locator("[data-stat=votes]")).to_be_visible()
    before = int(report.locator("[data-stat=votes]").inner_text())
    report.evaluate("() => { window.__noReload = true; }")
    report.wait_for_function("() => document.documentElement.dataset.live === 'open'")
    assert_accessible(report)
    others = [new_page().context for _ in range(3)]
    for i, context in enumerate(others):
        vote_over_http(
            context,
            live_site.url,
            conversation,
            [(sid, 1 if i % 2 else -1) for sid in ids[:8]],
        )
    expected = before + 3 * 8
    expect(report.locator("[data-stat=votes]")).to_have_text(
        str(expected), timeout=20_000
    )
    assert report.evaluate("() => window.__noReload") is True
    assert int(report.locator("[data-stat=participants]").inner_text()) == 24
    assert report.script_errors == []


def test_naughty_statements_run_no_script(live_site, new_page, settings):
    settings.RATELIMIT_ENABLED = False  # this process seeds ~500 votes each
    # ... without an analysis per vote: one at the end.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }
    moderator = make_user(Role.MODERATOR)
    conversation = make_conversation(moderator, n_statements=3, voters=0)
    text = "\n".join(s for s in naughty_strings() if s.strip())
    services.seed_statements(conversation=conversation, user=moderator, text=text)
    with capture_broadcasts():
        vote_in_groups(conversation, 8)
        assert services.run_analysis(conversation.pk).status == "ok"
    page = new_page()
    page.add_init_script(
        "window.__alerts = []; for (const f of ['alert', 'confirm', 'prompt'])"
        " { window[f] = (m) => { window.__alerts.push(String(m)); }; }"
        " document.addEventListener('securitypolicyviolation',"
        " (e) => window.__alerts.push('csp:' + e.violatedDirective));"
    )
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for url in (
        f"/conversations/{conversation.pk}/",
        f"/conversations/{conversation.pk}/report/",
    ):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("() => window.__alerts") == [], url
    assert dialogs == []
