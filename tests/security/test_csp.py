"""Every HTML page from the route sweep is safe under the Content-Security-Policy.

For each GET route that answers with an HTML page (as a visitor and as an
administrator): the policy's script-src has neither 'unsafe-inline' nor
'unsafe-eval'; every <script> is a same-origin file or carries the response's
nonce; no inline event handler (on*=) and no javascript: URL anywhere.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from tests.security.routes import project_routes
from tests.security.sweep import request
from tests.security.world import build_world

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data"}


def parse_csp(header: str) -> dict[str, list[str]]:
    policy: dict[str, list[str]] = {}
    for directive in header.split(";"):
        parts = directive.split()
        if parts:
            policy[parts[0].lower()] = parts[1:]
    return policy


class ScriptAudit(HTMLParser):
    def __init__(self, nonce: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.nonce = nonce
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> inline event handler")
            if (
                name in URL_ATTRIBUTES
                and value
                and value.strip().lower().replace("\t", "").startswith("javascript:")
            ):
                self.problems.append(f"<{tag} {name}={value!r}> javascript: URL")
        if tag != "script":
            return
        src = values.get("src")
        if src:
            if urlsplit(src).netloc:
                self.problems.append(f"<script src={src!r}> is not same-origin")
        elif values.get("type") in ("application/json", "application/ld+json"):
            return  # data, not script (json_script); never executed
        elif not self.nonce or values.get("nonce") != self.nonce:
            self.problems.append("<script> inline without the response's nonce")


def audit(response) -> list[str]:
    header = response.get("Content-Security-Policy", "")
    if not header:
        return ["no Content-Security-Policy header"]
    policy = parse_csp(header)
    script_src = policy.get("script-src", policy.get("default-src", []))
    problems = [
        f"script-src allows {bad}"
        for bad in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:")
        if bad in script_src
    ]
    if policy.get("object-src") != ["'none'"]:
        problems.append("object-src is not 'none'")
    nonce = next(
        (s[len("'nonce-") : -1] for s in script_src if s.startswith("'nonce-")),
        None,
    )
    parser = ScriptAudit(nonce)
    parser.feed(response.content.decode(response.charset or "utf-8"))
    return problems + parser.problems


GET_ROUTES = [r for r in project_routes() if not r.is_api]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "admin"])
def test_every_html_page_keeps_to_the_content_security_policy(role):
    world = build_world()
    checked, failures = 0, []
    for route in GET_ROUTES:
        response = request(world, route, "GET", role)
        if response.status_code != 200 or "html" not in response.get(
            "Content-Type", ""
        ):
            continue
        checked += 1
        failures += [f"{route.name}: {p}" for p in audit(response)]
    assert checked >= 15, f"only {checked} HTML pages were reached"
    assert not failures, "\n".join(failures)


def test_the_audit_catches_what_it_should():
    """The checks above can fail: feed them a page with each kind of problem."""

    class Fake:
        charset = "utf-8"

        def __init__(self, csp: str, body: str) -> None:
            self.headers = {"Content-Security-Policy": csp}
            self.content = body.encode()

        def get(self, key: str, default: str = "") -> str:
            return self.headers.get(key, default)

    good_csp = "default-src 'self'; script-src 'self' 'nonce-abc'; object-src 'none'"
    ok = Fake(
        good_csp,
        '<script src="/static/x.js"></script><script nonce="abc">1</script>'
        '<script type="application/json">{"a": 1}</script>',
    )
    assert audit(ok) == []
    assert audit(Fake(good_csp.replace("'self'", "'unsafe-inline'", 2), "")) != []
    assert audit(Fake(good_csp, "<script>alert(1)</script>")) != []
    assert audit(Fake(good_csp, '<script nonce="zzz">alert(1)</script>')) != []
    assert audit(Fake(good_csp, '<img src="x" onerror="alert(1)">')) != []
    assert audit(Fake(good_csp, '<a href="JavaScript:alert(1)">x</a>')) != []
    assert audit(Fake(good_csp, '<script src="https://evil.example/x.js">')) != []
