"""Links from a conversation to a plan (and section) or a forum session.

The consultation and forum apps are optional from this app's point of view:
links are stored as the other app's stable public keys (plan slug, section
key, session slug) and resolved here through the app registry, so this app
works on its own and picks the other apps up when they are installed. Nothing
here imports them at module level.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Link:
    kind: str  # "plan", "section" or "session"
    label: str
    url: str | None


def _model(app_label: str, name: str) -> Any:
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def _url(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def find_plan(slug: str) -> Any:
    model = _model("consultation", "Plan")
    if model is None or not slug:
        return None
    return model.objects.filter(slug=slug).first()


def find_session(slug: str) -> Any:
    model = _model("forum", "ForumSession")
    if model is None or not slug:
        return None
    return model.objects.filter(slug=slug).first()


def section_exists(plan: Any, key: str) -> bool:
    model = _model("consultation", "Section")
    if model is None:
        return True
    try:
        return bool(model.objects.filter(version__plan=plan, key=key).exists())
    except Exception:  # the other app's schema is not ours to assume
        return True


def validate_links(
    *, plan_slug: str, section_key: str, session_slug: str
) -> dict[str, list[str]]:
    """Errors per field; a link to an app that is not installed is accepted."""
    errors: dict[str, list[str]] = {}
    if section_key and not plan_slug:
        errors["section_key"] = [_("Choose the plan the section belongs to.")]
    if plan_slug and _model("consultation", "Plan") is not None:
        plan = find_plan(plan_slug)
        if plan is None:
            errors["plan_slug"] = [_("There is no plan with this short name.")]
        elif section_key and not section_exists(plan, section_key):
            errors["section_key"] = [_("This plan has no section with this key.")]
    if (
        session_slug
        and _model("forum", "ForumSession") is not None
        and find_session(session_slug) is None
    ):
        errors["session_slug"] = [_("There is no forum session with this short name.")]
    return errors


def links_for(conversation: Any) -> list[Link]:
    """Display links (title and URL when the other app can resolve them)."""
    out: list[Link] = []
    if conversation.plan_slug:
        plan = find_plan(conversation.plan_slug)
        title = str(getattr(plan, "title", "") or conversation.plan_slug)
        url = _url("consultation:plan_detail", conversation.plan_slug)
        if conversation.section_key:
            out.append(
                Link(
                    "section",
                    _("%(plan)s, section %(key)s")
                    % {"plan": title, "key": conversation.section_key},
                    url,
                )
            )
        else:
            out.append(Link("plan", title, url))
    if conversation.session_slug:
        session = find_session(conversation.session_slug)
        title = str(getattr(session, "title", "") or conversation.session_slug)
        out.append(
            Link(
                "session",
                title,
                _url("forum:session_detail", conversation.session_slug),
            )
        )
    return out
