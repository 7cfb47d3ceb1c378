"""The access table: route name → method → outcome for each role.

Mirrored in docs/security.md (``python -m tests.security.access`` prints the
Markdown). tests/security/test_access.py sweeps every route of the URL conf
against it; a route without a rule fails.

Columns, in order: anonymous, citizen, moderator (named moderator of the
forum session; the moderator role elsewhere), official (of agency A, which
owns the plan, session and conversation), other_official (of agency B), admin.

Outcomes: ``ok`` the request got through (2xx, a redirect that is not the
log-in page, or 400 for invalid input); ``login`` redirected to the log-in
page; ``403`` refused; ``404`` hidden or missing; ``405`` method not allowed.
A method that is not listed must not succeed for anyone (405, 403 or login).

Decisions (docs/security.md explains each):
- The API answers an anonymous write with 403 (session authentication, no
  WWW-Authenticate challenge), never a log-in redirect.
- Running a forum session (console, status, agenda, question moderation,
  minutes, the bridge to a conversation) is for the session's named
  moderators and administrators; the organising agency's officials are not
  moderators by virtue of their agency.
- Officials create plans and conversations for their own agency, so an
  official of another agency may open the "new" forms too.
- Conversations accept votes, statements and flags from visitors when the
  conversation allows it (vote policy "anyone", the default); refusals show as
  a message on the page (so ``ok``).
- Following (plans, sessions) and notification settings need an account: the
  pages redirect a visitor to log in, the API answers 403 to a write; the
  API's GET only says whether *you* follow (``false`` for a visitor).
- Unsubscribing is authorised by the signed token in the e-mail, not by a
  session: it works logged out, and the one-click POST (RFC 8058) is
  csrf-exempt but rate limited per address like every write.
- Open-data downloads are public for public objects; a draft plan's (or any
  non-public object's) downloads are 404 for everyone.
- analysis.json / the analysis API are 404 until a first analysis exists (the
  sweep's conversation has none); the report pages themselves are public
  unless the conversation's results are private.
"""

from __future__ import annotations

ROLES = ("anonymous", "citizen", "moderator", "official", "other_official", "admin")

RULES: dict[str, dict[str, str]] = {
    "home": {
        "GET": "ok ok ok ok ok ok",
    },
    "set_language": {
        "GET": "ok ok ok ok ok ok",
        "POST": "ok ok ok ok ok ok",
    },
    "api-guide": {
        "GET": "ok ok ok ok ok ok",
    },
    "open_data": {
        "GET": "ok ok ok ok ok ok",
    },
    "opendata_site_zip": {
        "GET": "ok ok ok ok ok ok",
    },
    "opendata_site_table": {
        "GET": "ok ok ok ok ok ok",
    },
    "opendata_zip": {
        "GET": "ok ok ok ok ok ok",
    },
    "opendata_table": {
        "GET": "ok ok ok ok ok ok",
    },
    "accounts:profile": {
        "GET": "login ok ok ok ok ok",
        "POST": "login ok ok ok ok ok",
    },
    "accounts:notifications": {
        "GET": "login ok ok ok ok ok",
    },
    "accounts:notifications_mark_read": {
        "GET": "login 405 405 405 405 405",
        "POST": "login ok ok ok ok ok",
    },
    "accounts:notification_settings": {
        "GET": "login ok ok ok ok ok",
        "POST": "login ok ok ok ok ok",
    },
    "accounts:unsubscribe": {
        "GET": "ok ok ok ok ok ok",
        "POST": "ok ok ok ok ok ok",
    },
    "consultation-api:plan-list": {
        "GET": "ok ok ok ok ok ok",
    },
    "consultation-api:plan-detail": {
        "GET": "ok ok ok ok ok ok",
    },
    "consultation-api:plan-follow": {
        "GET": "ok ok ok ok ok ok",
        "POST": "403 ok ok ok ok ok",
        "DELETE": "403 ok ok ok ok ok",
    },
    "consultation-api:plan-versions": {
        "GET": "ok ok ok ok ok ok",
    },
    "consultation-api:plan-version-detail": {
        "GET": "ok ok ok ok ok ok",
    },
    "consultation-api:plan-responses": {
        "GET": "ok ok ok ok ok ok",
    },
    "consultation-api:plan-comments": {
        "GET": "ok ok ok ok ok ok",
        "POST": "403 ok ok ok ok ok",
    },
    "consultation-api:comment-detail": {
        "GET": "ok ok ok ok ok ok",
    },
    "consultation-api:comment-endorse": {
        "GET": "405 405 405 405 405 405",
        "POST": "403 ok ok ok ok ok",
        "DELETE": "403 ok ok ok ok ok",
    },
    "consultation-api:comment-responses": {
        "GET": "405 405 405 405 405 405",
        "POST": "403 403 403 ok 403 ok",
    },
    "forum-session-list": {
        "GET": "ok ok ok ok ok ok",
    },
    "forum-session-detail": {
        "GET": "ok ok ok ok ok ok",
    },
    "forum-session-follow": {
        "GET": "ok ok ok ok ok ok",
        "POST": "403 ok ok ok ok ok",
        "DELETE": "403 ok ok ok ok ok",
    },
    "forum-ask-question": {
        "GET": "ok ok ok ok ok ok",
        "POST": "ok ok ok ok ok ok",
    },
    "forum-current-agenda-item": {
        "GET": "405 405 405 405 405 405",
        "POST": "403 403 ok 403 403 ok",
    },
    "forum-session-status": {
        "GET": "405 405 405 405 405 405",
        "POST": "403 403 ok 403 403 ok",
    },
    "forum-upvote": {
        "GET": "405 405 405 405 405 405",
        "POST": "ok ok ok ok ok ok",
        "DELETE": "ok ok ok ok ok ok",
    },
    "forum-moderate": {
        "GET": "405 405 405 405 405 405",
        "POST": "403 403 ok 403 403 ok",
    },
    "clustering-api:conversation-list": {
        "GET": "ok ok ok ok ok ok",
    },
    "clustering-api:conversation-detail": {
        "GET": "ok ok ok ok ok ok",
    },
    "clustering-api:conversation-next": {
        "GET": "ok ok ok ok ok ok",
    },
    "clustering-api:conversation-votes": {
        "GET": "405 405 405 405 405 405",
        "POST": "ok ok ok ok ok ok",
    },
    "clustering-api:conversation-statements": {
        "GET": "ok ok ok ok ok ok",
        "POST": "ok ok ok ok ok ok",
    },
    "clustering-api:conversation-analysis": {
        "GET": "404 404 404 404 404 404",
    },
    "clustering-api:question-to-statement": {
        "GET": "405 405 405 405 405 405",
        "POST": "403 403 ok 403 403 ok",
    },
    "consultation:plan_list": {
        "GET": "ok ok ok ok ok ok",
    },
    "consultation:versions_feed": {
        "GET": "ok ok ok ok ok ok",
    },
    "consultation:plan_create": {
        "GET": "login 403 403 ok ok ok",
        "POST": "login 403 403 ok ok ok",
    },
    "consultation:plan_detail": {
        "GET": "ok ok ok ok ok ok",
    },
    "consultation:plan_versions_feed": {
        "GET": "ok ok ok ok ok ok",
    },
    "consultation:plan_responses_feed": {
        "GET": "ok ok ok ok ok ok",
    },
    "consultation:plan_edit": {
        "GET": "login 403 403 ok 403 ok",
        "POST": "login 403 403 ok 403 ok",
    },
    "consultation:plan_follow": {
        "GET": "login 405 405 405 405 405",
        "POST": "login ok ok ok ok ok",
    },
    "consultation:version_detail": {
        "GET": "ok ok ok ok ok ok",
    },
    "consultation:section_comments": {
        "GET": "ok ok ok ok ok ok",
    },
    "consultation:version_section_comments": {
        "GET": "ok ok ok ok ok ok",
    },
    "consultation:version_edit": {
        "GET": "login 403 403 ok 403 ok",
        "POST": "login 403 403 ok 403 ok",
    },
    "consultation:version_preview": {
        "GET": "405 405 405 405 405 405",
        "POST": "403 403 403 ok 403 ok",
    },
    "consultation:compare": {
        "GET": "ok ok ok ok ok ok",
    },
    "consultation:comment_create": {
        "GET": "login ok ok ok ok ok",
        "POST": "login ok ok ok ok ok",
    },
    "consultation:register": {
        "GET": "ok ok ok ok ok ok",
    },
    "consultation:register_csv": {
        "GET": "ok ok ok ok ok ok",
    },
    "consultation:register_json": {
        "GET": "ok ok ok ok ok ok",
    },
    "consultation:comment_detail": {
        "GET": "ok ok ok ok ok ok",
    },
    "consultation:comment_reply": {
        "GET": "login ok ok ok ok ok",
        "POST": "login ok ok ok ok ok",
    },
    "consultation:comment_edit": {
        "GET": "login 403 403 403 403 403",
        "POST": "login 403 403 403 403 403",
    },
    "consultation:comment_withdraw": {
        "GET": "login 403 403 403 403 403",
        "POST": "login 403 403 403 403 403",
    },
    "consultation:comment_endorse": {
        "GET": "login 405 405 405 405 405",
        "POST": "login ok ok ok ok ok",
    },
    "consultation:comment_history": {
        "GET": "ok ok ok ok ok ok",
    },
    "consultation:comment_flag": {
        "GET": "login ok ok ok ok ok",
        "POST": "login ok ok ok ok ok",
    },
    "consultation:comment_respond": {
        "GET": "login 403 403 ok 403 ok",
        "POST": "login 403 403 ok 403 ok",
    },
    "consultation:comment_moderate": {
        "GET": "login 403 ok 403 403 ok",
        "POST": "login 403 ok 403 403 ok",
    },
    "consultation:moderation_queue": {
        "GET": "login 403 ok 403 403 ok",
    },
    "consultation:moderation_log": {
        "GET": "ok ok ok ok ok ok",
    },
    "consultation:agency_list": {
        "GET": "ok ok ok ok ok ok",
    },
    "consultation:agency_detail": {
        "GET": "ok ok ok ok ok ok",
    },
    "forum:session_list": {
        "GET": "ok ok ok ok ok ok",
    },
    "forum:upcoming_calendar": {
        "GET": "ok ok ok ok ok ok",
    },
    "forum:upcoming_feed": {
        "GET": "ok ok ok ok ok ok",
    },
    "forum:session_detail": {
        "GET": "ok ok ok ok ok ok",
    },
    "forum:follow": {
        "GET": "login 405 405 405 405 405",
        "POST": "login ok ok ok ok ok",
    },
    "forum:presenter": {
        "GET": "ok ok ok ok ok ok",
    },
    "forum:moderate": {
        "GET": "login 403 ok 403 403 ok",
    },
    "forum:minutes": {
        "GET": "login 403 ok 403 403 ok",
        "POST": "login 403 ok 403 403 ok",
    },
    "forum:calendar": {
        "GET": "ok ok ok ok ok ok",
    },
    "forum:join_qr": {
        "GET": "ok ok ok ok ok ok",
    },
    "clustering:conversation_list": {
        "GET": "ok ok ok ok ok ok",
    },
    "clustering:conversation_create": {
        "GET": "403 403 ok ok ok ok",
        "POST": "403 403 ok ok ok ok",
    },
    "clustering:conversation_detail": {
        "GET": "ok ok ok ok ok ok",
    },
    "clustering:edit": {
        "GET": "403 403 ok ok 403 ok",
        "POST": "403 403 ok ok 403 ok",
    },
    "clustering:seed": {
        "GET": "403 403 ok ok 403 ok",
        "POST": "403 403 ok ok 403 ok",
    },
    "clustering:vote": {
        "GET": "405 405 405 405 405 405",
        "POST": "ok ok ok ok ok ok",
    },
    "clustering:statement_add": {
        "GET": "405 405 405 405 405 405",
        "POST": "ok ok ok ok ok ok",
    },
    "clustering:statement_flag": {
        "GET": "405 405 405 405 405 405",
        "POST": "ok ok ok ok ok ok",
    },
    "clustering:standing": {
        "GET": "ok ok ok ok ok ok",
    },
    "clustering:moderate": {
        "GET": "403 403 ok 403 403 ok",
        "POST": "403 403 ok 403 403 ok",
    },
    "clustering:report": {
        "GET": "ok ok ok ok ok ok",
    },
    "clustering:report_data": {
        "GET": "ok ok ok ok ok ok",
    },
    "clustering:export_zip": {
        "GET": "ok ok ok ok ok ok",
    },
    "clustering:analysis_json": {
        "GET": "404 404 404 404 404 404",
    },
}


def render_markdown() -> str:
    """The table as Markdown (docs/security.md embeds this output)."""
    short = ("anon", "citizen", "mod", "official", "other off.", "admin")
    lines = [
        "| route | method | " + " | ".join(short) + " |",
        "|---|---|" + "---|" * len(short),
    ]
    for name, methods in RULES.items():
        for method, outcomes in methods.items():
            cells = " | ".join(outcomes.split())
            lines.append(f"| `{name}` | {method} | {cells} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render_markdown())
