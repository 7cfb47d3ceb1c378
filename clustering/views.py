"""Pages of the clustering app: thin adapters over services and selectors.

Every page works without JavaScript (forms post and redirect); the page
scripts in ``static/clustering/`` enhance them (one statement at a time with
keyboard shortcuts, live map and report over the websocket).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Sector
from clustering import exports, permissions, selectors, services
from clustering.forms import (
    ConversationForm,
    FlagForm,
    ModerationForm,
    SeedForm,
    StatementForm,
)
from clustering.models import Conversation, RejectionReason, VoteValue
from clustering.services.analysis import analysis_state, heal
from clustering.services.participation import (
    Actor,
    browser_token,
    find_participant,
)
from common.ratelimit import RateLimited


def client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def actor_for(request: HttpRequest, *, create: bool = False) -> Actor:
    return Actor(
        user=request.user,
        browser_token=browser_token(request.session, create=create),
        ip=client_ip(request),
    )


def _errors(exc: ValidationError) -> list[str]:
    return list(exc.messages)


def _status(conversation: Conversation) -> dict[str, bool]:
    updating, failed = analysis_state(conversation.pk)
    if updating:
        heal(conversation.pk)
    return {"updating": updating, "failed": failed}


# ------------------------------------------------------------------ listing


@require_GET
def conversation_list(request: HttpRequest) -> HttpResponse:
    conversations = list(selectors.list_conversations()[:200])
    return render(
        request,
        "clustering/conversation_list.html",
        {
            "open_conversations": [c for c in conversations if c.is_open],
            "closed_conversations": [c for c in conversations if not c.is_open],
            "can_create": permissions.can_create_conversation(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def conversation_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_create_conversation(request.user):
        raise PermissionDenied
    form = ConversationForm(
        request.POST or None, initial={"is_open": True, "strict_moderation": True}
    )
    if request.method == "POST" and form.is_valid():
        try:
            conversation = services.create_conversation(
                user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            _add_form_errors(form, exc)
        else:
            messages.success(
                request, _("The conversation is ready. Add seed statements next.")
            )
            return redirect("clustering:seed", conversation.pk)
    return render(
        request,
        "clustering/conversation_form.html",
        {"form": form, "conversation": None},
    )


def _add_form_errors(form: Any, exc: ValidationError) -> None:
    for field, messages_ in exc.message_dict.items():
        for message in messages_:
            form.add_error(field if field in form.fields else None, message)


@require_http_methods(["GET", "POST"])
def conversation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = permissions.access_conversation(request.user, pk)
    if not permissions.can_manage_conversation(request.user, conversation):
        raise PermissionDenied
    form = ConversationForm(request.POST or None, instance=conversation)
    if request.method == "POST" and form.is_valid():
        conversation.refresh_from_db()
        try:
            services.update_conversation(
                conversation=conversation, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            _add_form_errors(form, exc)
        else:
            messages.success(request, _("Settings saved."))
            return redirect(conversation)
    return render(
        request,
        "clustering/conversation_form.html",
        {"form": form, "conversation": conversation},
    )


@require_http_methods(["GET", "POST"])
def seed(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = permissions.access_conversation(request.user, pk)
    if not permissions.can_manage_conversation(request.user, conversation):
        raise PermissionDenied
    form = SeedForm(request.POST or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = services.seed_statements(
            conversation=conversation,
            user=request.user,
            text=form.cleaned_data["statements"],
        )
        if not report.rejected:
            n = len(report.created)
            messages.success(
                request,
                ngettext("%(n)d statement added.", "%(n)d statements added.", n)
                % {"n": n},
            )
            return redirect(conversation)
        form = SeedForm(
            initial={
                "statements": "\n".join(text for _n, text, _why in report.rejected)
            }
        )
    return render(
        request,
        "clustering/seed.html",
        {"conversation": conversation, "form": form, "report": report},
    )


# ------------------------------------------------------------------ voting


def _vote_choices() -> list[tuple[int, str, str, str]]:
    return [
        (VoteValue.AGREE, _("Agree"), "a", "agree"),
        (VoteValue.DISAGREE, _("Disagree"), "d", "disagree"),
        (VoteValue.PASS, _("Pass / unsure"), "p", "pass"),
    ]


@require_GET
def conversation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = permissions.access_conversation(request.user, pk)
    actor = actor_for(request)
    participant = find_participant(conversation, actor)
    user = request.user
    can_vote = permissions.can_vote(user, conversation)
    voted, total = selectors.progress(conversation, participant)
    standing = selectors.standing(conversation, participant)
    context = {
        "conversation": conversation,
        "can_vote": can_vote,
        "can_add": permissions.can_add_statement(user, conversation),
        "can_moderate": permissions.can_moderate_conversation(user, conversation),
        "can_manage": permissions.can_manage_conversation(user, conversation),
        "can_view_report": permissions.can_view_report(user, conversation),
        "can_flag": permissions.can_flag_statement(user, conversation),
        "next_statement": selectors.next_statement(conversation, participant)
        if can_vote
        else None,
        "voted": voted,
        "total": total,
        "my_votes": selectors.my_votes(conversation, participant),
        "standing": standing,
        "vote_choices": _vote_choices(),
        "statement_form": StatementForm(),
        "flag_form": FlagForm(),
        "status": _status(conversation),
        "needs_login": not can_vote
        and conversation.is_open
        and not user.is_authenticated,
    }
    template = (
        "clustering/_your_votes.html"
        if request.GET.get("part") == "votes"
        else "clustering/conversation_detail.html"
    )
    return render(request, template, context)


def _back(request: HttpRequest, conversation: Conversation, anchor: str) -> str:
    return f"{conversation.get_absolute_url()}#{anchor}"


@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = permissions.access_conversation(request.user, pk)
    anchor = "your-votes" if request.POST.get("from") == "list" else "vote"
    try:
        services.record_vote(
            conversation=conversation,
            actor=actor_for(request, create=True),
            statement_id=request.POST.get("statement"),
            value=request.POST.get("value"),
        )
    except (ValidationError, PermissionDenied, RateLimited) as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    return HttpResponseRedirect(_back(request, conversation, anchor))


def _messages_of(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return _errors(exc)
    return [str(exc) or _("You may not do that here.")]


@require_POST
def statement_add(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = permissions.access_conversation(request.user, pk)
    try:
        statement = services.add_statement(
            conversation=conversation,
            actor=actor_for(request, create=True),
            text=request.POST.get("text", ""),
        )
    except (ValidationError, PermissionDenied, RateLimited) as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    else:
        if statement.status == "pending":
            messages.success(
                request,
                _("Thank you. Your statement will appear once a moderator accepts it."),
            )
        else:
            messages.success(request, _("Thank you. Your statement was added."))
    return HttpResponseRedirect(_back(request, conversation, "add-statement"))


@require_POST
def statement_flag(request: HttpRequest, pk: int, statement_id: int) -> HttpResponse:
    conversation = permissions.access_conversation(request.user, pk)
    try:
        services.flag_statement(
            conversation=conversation,
            actor=actor_for(request, create=True),
            statement_id=statement_id,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
        )
    except (ValidationError, PermissionDenied, RateLimited) as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("Thank you. A moderator will look at it."))
    return HttpResponseRedirect(_back(request, conversation, "vote"))


@require_GET
def standing(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = permissions.access_conversation(request.user, pk)
    participant = find_participant(conversation, actor_for(request))
    data = selectors.standing(conversation, participant)
    if request.GET.get("part") == "html":
        return render(
            request,
            "clustering/_standing.html",
            {"conversation": conversation, "standing": data},
        )
    return JsonResponse(data)


# ------------------------------------------------------------------ moderation


@require_http_methods(["GET", "POST"])
def moderate(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = permissions.access_conversation(request.user, pk)
    if not permissions.can_moderate_conversation(request.user, conversation):
        raise PermissionDenied
    queue = selectors.moderation_queue(conversation)
    ids = [s.pk for s in queue["pending"]] + [s.pk for s in queue["flagged"]]
    if request.method == "POST":
        if request.POST.get("dismiss"):
            services.dismiss_flags(
                conversation=conversation,
                user=request.user,
                statement_id=request.POST["dismiss"],
            )
            messages.success(request, _("Flags dismissed; the statement stays."))
            return redirect("clustering:moderate", conversation.pk)
        form = ModerationForm(request.POST, statement_ids=ids)
        if form.is_valid():
            try:
                done = services.moderate_statements(
                    conversation=conversation,
                    user=request.user,
                    statement_ids=form.cleaned_data["statements"],
                    action=form.cleaned_data["action"],
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                n = len(done)
                messages.success(
                    request,
                    (
                        ngettext(
                            "%(n)d statement accepted.", "%(n)d statements accepted.", n
                        )
                        if form.cleaned_data["action"] == "accept"
                        else ngettext(
                            "%(n)d statement rejected.", "%(n)d statements rejected.", n
                        )
                    )
                    % {"n": n},
                )
                return redirect("clustering:moderate", conversation.pk)
        else:
            messages.error(request, _("Choose at least one statement and an action."))
    return render(
        request,
        "clustering/moderate.html",
        {
            "conversation": conversation,
            "pending": queue["pending"],
            "pending_total": queue["pending_total"],
            "flagged": [(s, queue["reasons"].get(s.pk, [])) for s in queue["flagged"]],
            "reasons": RejectionReason.choices,
        },
    )


# ------------------------------------------------------------------ report


# The report's figures and tables are rendered once per analysis and language
# and kept this long: rendering them was most of the report page's time
# (≈1,500 localised numbers in the statement table of a large conversation).
REPORT_BODY_SECONDS = 300


def _report_body(request: HttpRequest, conversation: Conversation) -> str:
    """The report's body (``_report_body.html``), from the cache when the same
    analysis was shown in the same language with the same statement texts.
    The body holds nothing about the viewer."""
    data = selectors.report_data(conversation)
    if data is None:
        return render_to_string(
            "clustering/_report_body.html",
            {"conversation": conversation, "data": None},
            request=request,
        )
    history = selectors.history(conversation)
    digest = hashlib.sha256(
        json.dumps(
            [data["texts"], history, conversation.attribution, conversation.is_private],
            sort_keys=True,
            default=str,
        ).encode()
    ).hexdigest()[:32]
    key = (
        f"clustering:report-body:{conversation.pk}:{data['analysis']['id']}:"
        f"{get_language()}:{digest}"
    )
    try:
        cached = cache.get(key)
    except Exception:
        cached = None
    if isinstance(cached, str):
        return mark_safe(cached)  # noqa: S308 - rendered by the template below
    report = data["report"]
    texts = data["texts"]
    labels = {str(g["id"]): g["label"] for g in report["groups"]}
    html = render_to_string(
        "clustering/_report_body.html",
        {
            "conversation": conversation,
            "data": data,
            "sector_labels": dict(Sector.choices),
            "groups": report["groups"],
            "rows": _statement_rows(report, texts, labels),
            "texts": texts,
            "labels": labels,
            "history": history,
        },
        request=request,
    )
    with contextlib.suppress(Exception):  # the cache is an optimisation only
        cache.set(key, str(html), REPORT_BODY_SECONDS)
    return html


def _statement_rows(
    report: dict[str, Any], texts: dict[str, Any], labels: dict[str, str]
) -> list[dict[str, Any]]:
    rows = []
    for tid, s in report["statements"].items():
        a, d, p, seen = s["t"]
        rows.append(
            {
                "tid": tid,
                "text": texts[tid]["text"],
                "meta": s["meta"],
                "agree": round(100 * a / seen) if seen else None,
                "disagree": round(100 * d / seen) if seen else None,
                "pass": round(100 * p / seen) if seen else None,
                "seen": seen,
                "gic": s["gic"],
                "groups": [
                    (
                        labels[str(g["id"])],
                        _share(s["g"].get(str(g["id"]))),
                    )
                    for g in report["groups"]
                ],
            }
        )
    rows.sort(key=lambda r: (-r["seen"], int(r["tid"])))
    return rows


def _share(tally: list[int] | None) -> int | None:
    if not tally or not tally[3]:
        return None
    return round(100 * tally[0] / tally[3])


@require_GET
def report(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = permissions.access_report(request.user, pk)
    body = _report_body(request, conversation)
    if request.GET.get("part") == "html":
        return HttpResponse(body)
    return render(
        request,
        "clustering/report.html",
        {"conversation": conversation, "status": _status(conversation), "body": body},
    )


@require_GET
def report_data(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = permissions.access_report(request.user, pk)
    data = selectors.report_data(conversation)
    updating, failed = analysis_state(conversation.pk)
    return JsonResponse(
        {
            "conversation": conversation.pk,
            "updating": updating,
            "failed": failed,
            "history": selectors.history(conversation),
            **(data or {"analysis": None, "report": None, "texts": {}}),
        },
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
def export_zip(request: HttpRequest, pk: int) -> FileResponse:
    conversation = permissions.access_report(request.user, pk)
    stream = exports.polis_zip(conversation)
    return FileResponse(
        stream,
        as_attachment=True,
        filename=f"agora-conversation-{conversation.pk}.zip",
        content_type="application/zip",
    )


@require_GET
def analysis_json(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = permissions.access_report(request.user, pk)
    payload = exports.analysis_document(conversation)
    if payload is None:
        return JsonResponse(
            {"detail": _("No analysis yet: results are updating.")}, status=404
        )
    response = JsonResponse(payload, json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = (
        f'attachment; filename="agora-conversation-{conversation.pk}-analysis.json"'
    )
    return response


def report_url(conversation: Conversation) -> str:
    return reverse("clustering:report", args=[conversation.pk])
