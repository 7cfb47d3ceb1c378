"""Pages of live forum sessions: list, session, presenter view, moderator
console, minutes, calendars and the join QR code. Thin: selectors and
services do the work; templates get booleans computed here."""

from __future__ import annotations

import io
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import is_member
from clustering.selectors import bridge_targets, linked_conversations
from common.ratelimit import RateLimited
from forum import selectors, services
from forum.ical import build_calendar
from forum.models import ForumSession
from forum.participants import participant_from_request
from forum.permissions import (
    access_session,
    can_moderate_session,
    can_publish_minutes,
    participation_refusal,
)
from forum.streams import embed_for


def _live_config(
    request: HttpRequest, session: ForumSession, page: str
) -> dict[str, Any]:
    """What the page's script needs (passed with json_script)."""
    participant = participant_from_request(request)
    return {
        "page": page,
        "session": session.pk,
        "ws": f"/ws/sessions/{session.pk}/",
        "api": {
            "ask": reverse("forum-ask-question", args=[session.pk]),
            "upvote": reverse("forum-upvote", args=[0]),
            "moderate": reverse("forum-moderate", args=[0]),
            "agenda": reverse("forum-current-agenda-item", args=[session.pk]),
            "status": reverse("forum-session-status", args=[session.pk]),
        },
        "upvoted": selectors.questions_upvoted_by(session, participant),
    }


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    lists = selectors.list_sessions()
    return render(request, "forum/session_list.html", {"lists": lists})


@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = access_session(pk)
    refusal = participation_refusal(request.user, session)
    context = {
        "session": session,
        "linked": linked_conversations(session=session),
        "agenda": list(session.agenda_items.all()),
        "embed": embed_for(session.stream_url),
        "recording_embed": embed_for(session.recording_url),
        "can_moderate": can_moderate_session(request.user, session),
        "can_ask": refusal is None,
        "refusal": refusal,
        "needs_login": session.login_required and not is_member(request.user),
        "offer_anonymous": session.allow_anonymous and is_member(request.user),
        "live_config": _live_config(request, session, "session"),
        "following": selectors.is_following_session(request.user, session),
    }
    return render(request, "forum/session_detail.html", context)


@login_required
@require_POST
def session_follow(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow or unfollow a session (``follow`` = 1 or 0), to be told when it
    goes live."""
    session = access_session(pk)
    follow = request.POST.get("follow") != "0"
    try:
        services.set_session_follow(user=request.user, session=session, follow=follow)
    except RateLimited as exc:
        response = HttpResponse(str(exc), status=429, content_type="text/plain")
        response["Retry-After"] = str(exc.retry_after)
        return response
    messages.success(
        request,
        _("You follow this session: you will be told when it goes live.")
        if follow
        else _("You no longer follow this session."),
    )
    return redirect(session.get_absolute_url())


@require_GET
def presenter(request: HttpRequest, pk: int) -> HttpResponse:
    session = access_session(pk)
    join_url = _base_url(request) + session.get_absolute_url()
    context = {
        "session": session,
        "join_url": join_url,
        "live_config": _live_config(request, session, "presenter"),
    }
    return render(request, "forum/presenter.html", context)


@require_GET
def join_qr(request: HttpRequest, pk: int) -> HttpResponse:
    session = access_session(pk)
    qr = segno.make(_base_url(request) + session.get_absolute_url(), error="m")
    buffer = io.BytesIO()
    qr.save(
        buffer,
        kind="svg",
        scale=8,
        border=2,
        dark="#1b2430",
        light="#ffffff",
        title=_("Join the session"),
        xmldecl=False,
    )
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def moderator_console(request: HttpRequest, pk: int) -> HttpResponse:
    session = access_session(pk)
    if not is_member(request.user):
        return redirect_to_login(request.get_full_path())
    if not can_moderate_session(request.user, session):
        raise PermissionDenied(
            _("Only this session's moderators can open its console.")
        )
    live_config = _live_config(request, session, "moderator")
    # The forum → statement bridge: open conversations linked to this session.
    live_config["bridge"] = {
        "url": reverse("clustering-api:question-to-statement", args=[0]),
        "conversations": bridge_targets(session),
    }
    context = {
        "session": session,
        "agenda": list(session.agenda_items.all()),
        "live_config": live_config,
        "bridge_conversations": live_config["bridge"]["conversations"],
    }
    return render(request, "forum/moderator.html", context)


@require_http_methods(["GET", "POST"])
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    session = access_session(pk)
    if not is_member(request.user):
        return redirect_to_login(request.get_full_path())
    if not can_publish_minutes(request.user, session):
        raise PermissionDenied(_("Only this session's moderators can publish minutes."))
    errors: dict[str, list[str]] = {}
    values = {"minutes": session.minutes, "recording_url": session.recording_url}
    if request.method == "POST":
        values = {
            "minutes": request.POST.get("minutes", ""),
            "recording_url": request.POST.get("recording_url", ""),
        }
        try:
            services.publish_minutes(session_id=session.pk, user=request.user, **values)
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("The minutes are published."))
            return redirect(session.get_absolute_url())
    context = {"session": session, "values": values, "errors": errors}
    return render(
        request, "forum/minutes_form.html", context, status=400 if errors else 200
    )


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def session_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    session = access_session(pk)
    body = build_calendar([session], name=session.title, base_url=_base_url(request))
    return _ics(body, f"forum-session-{session.pk}.ics")


@require_GET
def upcoming_calendar(request: HttpRequest) -> HttpResponse:
    body = build_calendar(
        selectors.upcoming_sessions(),
        name=_("Upcoming forum sessions"),
        base_url=_base_url(request),
    )
    return _ics(body, "forum-sessions.ics")
