"""Consultation pages. Thin: fetch and check access, call a service or a
selector, render. Permission booleans for templates are computed here."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Agency
from accounts.permissions import is_admin
from clustering.selectors import linked_conversations
from common.ratelimit import RateLimited
from consultation import permissions as perms
from consultation import selectors, services
from consultation.forms import (
    CommentForm,
    DismissForm,
    EditCommentForm,
    FlagForm,
    HideForm,
    PlanCreateForm,
    PlanEditForm,
    PlanFilterForm,
    ReplyForm,
    ResponseForm,
    RestoreForm,
    VersionForm,
    add_service_errors,
)
from consultation.models import Comment, Plan, PlanVersion
from consultation.services._text import query_text
from forum.selectors import sessions_for_plan

View = Callable[..., HttpResponseBase]


def _denied(request: HttpRequest, message: str, status: int = 403) -> HttpResponse:
    return render(
        request, "consultation/denied.html", {"message": message}, status=status
    )


def handles_denials(view: View) -> View:
    """Show a service's PermissionDenied as a page that says why (HTTP 403)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return _denied(request, str(exc) or _("You cannot do that here."))

    return wrapper


def _run(form: Any, action: Callable[[], Any]) -> tuple[Any, int]:
    """Call a service for a valid form. Returns (result or None, HTTP status)."""
    try:
        return action(), 200
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None, 400
    except RateLimited as exc:
        form.add_error(None, str(exc))
        return None, 429


def _single(comment: Comment) -> dict[str, Any]:
    """A comment shown on its own (reply, flag, respond pages)."""
    responses = list(
        comment.responses.select_related("agency", "addressed_in").order_by(
            "created_at", "pk"
        )
    )
    return {
        "comment": comment,
        "version_number": comment.section.version.number,
        "response": responses[-1] if responses else None,
        "replies": [],
    }


def _plan_url(plan: Plan, anchor: str = "") -> str:
    return plan.get_absolute_url() + (f"#{anchor}" if anchor else "")


def _section_url(plan: Plan, key: str, version: PlanVersion | None = None) -> str:
    """The page listing every comment on clause ``key`` (of ``version`` when
    it is not the current one)."""
    if version is None or version.pk == plan.current_version_id:
        return reverse("consultation:section_comments", args=[plan.slug, key])
    return reverse(
        "consultation:version_section_comments", args=[plan.slug, version.number, key]
    )


def _comment_url(comment: Comment) -> str:
    """Where a comment is shown on the current version: on the plan page
    when it is among the first threads of its clause, else on the page of
    its clause's comments that holds it."""
    rank, reply_rank = selectors.thread_position(comment)
    if rank < selectors.PLAN_PAGE_THREADS and reply_rank < selectors.PLAN_PAGE_REPLIES:
        return _plan_url(comment.plan, comment.anchor)
    url = _section_url(comment.plan, comment.section_key)
    page = rank // selectors.SECTION_PAGE_THREADS + 1
    return url + (f"?page={page}" if page > 1 else "") + f"#{comment.anchor}"


# --- Plans --------------------------------------------------------------------


@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    agencies = list(
        Agency.objects.filter(plans__current_version__isnull=False).distinct()
    )
    filters = PlanFilterForm(request.GET or None, agencies=agencies)
    # An unknown agency or status simply matches nothing (and the form says so).
    status = query_text(request.GET.get("status"), 20)
    agency = query_text(request.GET.get("agency"), 80)
    filters.is_valid()
    page = Paginator(
        selectors.list_plans(request.user, status=status, agency=agency), 20
    ).get_page(request.GET.get("page"))
    for plan in page.object_list:
        plan.window = perms.comment_window(plan)  # type: ignore[attr-defined]
    return render(
        request,
        "consultation/plan_list.html",
        {
            "filters": filters,
            "page": page,
            "filtered": bool(status or agency),
            "can_create": perms.can_create_plan(request.user),
        },
    )


@login_required
@handles_denials
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    if not perms.can_create_plan(request.user):
        raise PermissionDenied(_("Only officials can create plans."))
    agencies = (
        Agency.objects.all()
        if is_admin(request.user)
        else Agency.objects.filter(officials=request.user.pk)
    )
    form = PlanCreateForm(request.POST or None, agencies=agencies)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            plan, status = _run(
                form,
                lambda: services.create_plan(
                    user=request.user,  # type: ignore[arg-type]
                    agency=data["agency"],
                    title=data["title"],
                    slug=data["slug"],
                    summary=data["summary"],
                    opens_at=data["opens_at"],
                    closes_at=data["closes_at"],
                ),
            )
            if plan is not None:
                messages.success(
                    request, _("The plan was created. Now write its first version.")
                )
                return redirect("consultation:version_edit", plan.slug)
        else:
            status = 400
    return render(request, "consultation/plan_form.html", {"form": form}, status=status)


def _version_nav(plan: Plan) -> list[PlanVersion]:
    return selectors.published_versions(plan)


def _blank_comment_forms(sections: list[selectors.SectionView]) -> dict[str, str]:
    """The fields of each section's blank comment form. They differ only in
    their ids and the section's key, so one form is rendered and copied
    (rendering Django's widgets once per section was a third of the plan
    page's time for a member)."""
    form = CommentForm(initial={"section": "__key__"}, auto_id="s__ordinal__-%s")
    fields = str(form["section"]) + render_to_string(
        "consultation/_comment_fields.html", {"form": form}
    )
    blank: dict[str, str] = {}
    for view in sections:
        if view.section is None:
            continue
        blank[view.key] = mark_safe(  # noqa: S308 - Django's escaped output
            fields.replace("__ordinal__", str(view.section.ordinal)).replace(
                "__key__", escape(view.key)
            )
        )
    return blank


def _render_plan(
    request: HttpRequest, plan: Plan, version: PlanVersion
) -> HttpResponse:
    user = request.user
    page = selectors.plan_page(user, plan, version)
    is_current = version.pk == plan.current_version_id
    can_comment = is_current and perms.can_comment(user, plan)
    forms = _blank_comment_forms(page.sections) if can_comment else {}
    # What the other apps link to this plan: forum sessions, and conversations
    # about the whole plan or beside one section (a query each).
    conversations = linked_conversations(plan=plan)
    by_section: dict[str, list[Any]] = {}
    for conversation in conversations:
        by_section.setdefault(conversation.section_key, []).append(conversation)
    for view in [*page.sections, *page.orphans]:
        view.url = _section_url(plan, view.key, version)
    sections = [
        (view, forms.get(view.key), by_section.get(view.key, []))
        for view in page.sections
    ]
    can_manage = perms.can_manage_plan(user, plan)
    return render(
        request,
        "consultation/plan_detail.html",
        {
            "plan": plan,
            "version": version,
            "versions": _version_nav(plan),
            "is_current": is_current,
            "page": page,
            "sections": sections,
            "window": perms.comment_window(plan),
            "can_comment": can_comment,
            "can_manage": can_manage,
            "can_publish": perms.can_publish_version(user, plan),
            "draft": services.get_draft(plan) if can_manage else None,
            "forum_sessions": sessions_for_plan(plan),
            "conversations": conversations,
            "following": services.is_following_plan(user, plan),
        },
    )


@require_GET
def plan_detail(request: HttpRequest, slug: str) -> HttpResponse:
    plan = perms.access_plan(request.user, slug)
    if plan.current_version is None:
        # Only the agency sees an unpublished plan (access_plan checked it).
        return render(
            request,
            "consultation/plan_unpublished.html",
            {
                "plan": plan,
                "draft": services.get_draft(plan),
                "can_publish": perms.can_publish_version(request.user, plan),
            },
        )
    return _render_plan(request, plan, plan.current_version)


def _render_section(
    request: HttpRequest, plan: Plan, version: PlanVersion, key: str
) -> HttpResponse:
    user = request.user
    found = selectors.section_comments(
        user, plan, version, key, request.GET.get("page")
    )
    if found is None:
        raise Http404("No such section.")
    is_current = version.pk == plan.current_version_id
    can_comment = (
        is_current and found.view.section is not None and perms.can_comment(user, plan)
    )
    form = None
    if can_comment:
        form = CommentForm(initial={"section": key}, auto_id="s-%s")
    return render(
        request,
        "consultation/section_comments.html",
        {
            "plan": plan,
            "version": version,
            "is_current": is_current,
            "view": found.view,
            "section": found.view.section,
            "page": found.page,
            "form": form,
            "can_comment": can_comment,
            "window": perms.comment_window(plan),
            "plan_url": (
                plan.get_absolute_url() if is_current else version.get_absolute_url()
            ),
        },
    )


@require_GET
def section_comments(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """Every comment on one clause of the current version, in posting order."""
    plan = perms.access_plan(request.user, slug)
    if plan.current_version is None:
        raise Http404("The plan is not published.")
    return _render_section(request, plan, plan.current_version, key)


@require_GET
def version_section_comments(
    request: HttpRequest, slug: str, number: int, key: str
) -> HttpResponse:
    plan = perms.access_plan(request.user, slug)
    version = selectors.get_version(plan, number)
    if version is None:
        raise Http404("No such version.")
    return _render_section(request, plan, version, key)


@login_required
@handles_denials
@require_POST
def plan_follow(request: HttpRequest, slug: str) -> HttpResponse:
    """Follow or unfollow the plan's new versions (``follow`` = 1 or 0)."""
    plan = perms.access_plan(request.user, slug)
    follow = request.POST.get("follow") != "0"
    try:
        services.set_plan_follow(user=request.user, plan=plan, follow=follow)  # type: ignore[arg-type]
    except RateLimited as exc:
        return _denied(request, str(exc), status=429)
    messages.success(
        request,
        _("You follow this plan: you will be told about its new versions.")
        if follow
        else _("You no longer follow this plan."),
    )
    return redirect(plan.get_absolute_url())


@require_GET
def version_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    plan = perms.access_plan(request.user, slug)
    version = selectors.get_version(plan, number)
    if version is None:
        raise Http404("No such version.")
    return _render_plan(request, plan, version)


@login_required
@handles_denials
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, slug: str) -> HttpResponse:
    plan = perms.access_plan(request.user, slug)
    if not perms.can_manage_plan(request.user, plan):
        raise PermissionDenied(_("Only the agency's officials can change this plan."))
    form = PlanEditForm(
        request.POST or None,
        initial={
            "title": plan.title,
            "summary": plan.summary,
            "status": plan.status,
            "opens_at": plan.opens_at,
            "closes_at": plan.closes_at,
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            done, status = _run(
                form,
                lambda: services.update_plan(
                    user=request.user,  # type: ignore[arg-type]
                    plan=plan,
                    title=data["title"],
                    summary=data["summary"],
                    status=data["status"],
                    opens_at=data["opens_at"],
                    closes_at=data["closes_at"],
                ),
            )
            if done is not None:
                messages.success(request, _("The plan was saved."))
                return redirect(plan)
        else:
            status = 400
    return render(
        request,
        "consultation/plan_edit.html",
        {"form": form, "plan": plan},
        status=status,
    )


# --- Versions -----------------------------------------------------------------


def _render_preview(preview: services.Preview) -> str:
    return render_to_string("consultation/_preview.html", {"preview": preview})


@login_required
@handles_denials
@require_http_methods(["GET", "POST"])
def version_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Write the next version: edit the draft, preview it, save it, publish it."""
    plan = perms.access_plan(request.user, slug)
    if not perms.can_publish_version(request.user, plan):
        raise PermissionDenied(
            _("Only the agency's officials can write versions of this plan.")
        )
    draft = services.get_draft(plan)
    if draft is not None:
        initial = {"body": draft.body, "change_summary": draft.change_summary}
    elif plan.current_version is not None:
        initial = {"body": plan.current_version.body, "change_summary": ""}
    else:
        initial = {}
    form = VersionForm(request.POST or None, initial=initial)
    preview = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "discard":
            services.discard_draft(user=request.user, plan=plan)  # type: ignore[arg-type]
            messages.success(request, _("The draft was discarded."))
            return redirect(plan)
        if not form.is_valid():
            status = 400
        elif action == "preview":
            preview = services.build_preview(body=form.cleaned_data["body"])
        elif action == "publish":
            data = form.cleaned_data
            version, status = _run(
                form,
                lambda: services.publish_version(
                    user=request.user,  # type: ignore[arg-type]
                    plan=plan,
                    body=data["body"],
                    change_summary=data["change_summary"],
                ),
            )
            if version is not None:
                messages.success(
                    request,
                    _("Version %(number)d is published.") % {"number": version.number},
                )
                return redirect(plan)
            preview = services.build_preview(body=data["body"])
        else:
            data = form.cleaned_data
            saved, status = _run(
                form,
                lambda: services.save_draft_version(
                    user=request.user,  # type: ignore[arg-type]
                    plan=plan,
                    body=data["body"],
                    change_summary=data["change_summary"],
                ),
            )
            if saved is not None:
                messages.success(
                    request,
                    _("Draft of version %(number)d saved. It is not public yet.")
                    % {"number": saved.number},
                )
                return redirect("consultation:version_edit", plan.slug)
    next_number = (
        draft.number
        if draft
        else (plan.current_version.number + 1 if plan.current_version else 1)
    )
    return render(
        request,
        "consultation/version_form.html",
        {
            "plan": plan,
            "form": form,
            "draft": draft,
            "next_number": next_number,
            "preview_html": _render_preview(preview) if preview else "",
        },
        status=status,
    )


@require_POST
def version_preview(request: HttpRequest, slug: str) -> JsonResponse:
    """Server-side Markdown preview for the version form (the one sanitiser)."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": _("Log in to write versions.")}, status=403)
    plan = perms.access_plan(request.user, slug)
    if not perms.can_publish_version(request.user, plan):
        return JsonResponse(
            {"detail": _("You cannot write versions of this plan.")}, status=403
        )
    body = request.POST.get("body", "")
    if len(body) > services.plans.MAX_BODY * 2:
        return JsonResponse({"body": [_("The text is too long.")]}, status=400)
    preview = services.build_preview(body=body)
    return JsonResponse(
        {
            "html": _render_preview(preview),
            "sections": [
                {"key": s.key, "heading": s.heading} for s in preview.sections
            ],
            "errors": preview.errors,
        }
    )


@require_GET
def compare(request: HttpRequest, slug: str) -> HttpResponse:
    plan = perms.access_plan(request.user, slug)
    versions = _version_nav(plan)
    if len(versions) < 2:
        return render(
            request,
            "consultation/compare.html",
            {"plan": plan, "versions": versions, "changes": None},
        )
    old = selectors.get_version(plan, request.GET.get("from")) or versions[-2]
    new = selectors.get_version(plan, request.GET.get("to")) or versions[-1]
    changes = selectors.compare(request.user, plan, old, new)
    counts = {
        status: sum(1 for c in changes if c.change.status == status)
        for status in ("added", "removed", "changed", "unchanged")
    }
    return render(
        request,
        "consultation/compare.html",
        {
            "plan": plan,
            "versions": versions,
            "old": old,
            "new": new,
            "changes": changes,
            "counts": counts,
        },
    )


# --- Comments -----------------------------------------------------------------


@login_required
@handles_denials
@require_http_methods(["GET", "POST"])
def comment_create(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    plan = perms.access_plan(request.user, slug)
    key = query_text(key, 40)
    section = (
        plan.current_version.sections.filter(key=key).first()
        if plan.current_version
        else None
    )
    if section is None:
        raise Http404("No such section.")
    if not perms.can_comment(request.user, plan):
        raise PermissionDenied(services.closed_message(plan))
    form = CommentForm(request.POST or None, initial={"section": key})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            comment, status = _run(
                form,
                lambda: services.post_comment(
                    user=request.user,  # type: ignore[arg-type]
                    plan=plan,
                    section_key=key,
                    body=data["body"],
                    stance=data["stance"],
                    quote=data["quote"],
                ),
            )
            if comment is not None:
                messages.success(request, _("Your comment was published."))
                return redirect(_comment_url(comment))
        else:
            status = 400
    return render(
        request,
        "consultation/comment_form.html",
        {"plan": plan, "section": section, "form": form},
        status=status,
    )


@require_GET
def comment_detail(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = perms.access_comment(request.user, comment_id)
    return redirect(_comment_url(comment))


@login_required
@handles_denials
@require_http_methods(["GET", "POST"])
def comment_reply(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = perms.access_comment(request.user, comment_id)
    if not perms.can_reply(request.user, comment):
        raise PermissionDenied(
            services.closed_message(comment.plan)
            if comment.is_visible
            else _("You can only reply to a visible comment.")
        )
    form = ReplyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            reply, status = _run(
                form,
                lambda: services.post_comment(
                    user=request.user,  # type: ignore[arg-type]
                    plan=comment.plan,
                    body=form.cleaned_data["body"],
                    parent=comment,
                ),
            )
            if reply is not None:
                messages.success(request, _("Your reply was published."))
                return redirect(_comment_url(reply))
        else:
            status = 400
    return render(
        request,
        "consultation/comment_reply.html",
        {
            "comment": comment,
            "plan": comment.plan,
            "single": _single(comment),
            "form": form,
        },
        status=status,
    )


@login_required
@handles_denials
@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = perms.access_comment(request.user, comment_id)
    if not perms.can_edit_comment(request.user, comment):
        raise PermissionDenied(
            _(
                "Comments can be edited by their author for 15 minutes after "
                "posting, while the plan is open."
            )
        )
    form = EditCommentForm(
        request.POST or None,
        initial={
            "body": comment.body,
            "stance": comment.stance,
            "quote": comment.quote,
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            done, status = _run(
                form,
                lambda: services.edit_comment(
                    user=request.user,  # type: ignore[arg-type]
                    comment=comment,
                    body=data["body"],
                    stance=data["stance"],
                    quote=data["quote"],
                ),
            )
            if done is not None:
                messages.success(request, _("Your comment was updated."))
                return redirect(_comment_url(comment))
        else:
            status = 400
    return render(
        request,
        "consultation/comment_edit.html",
        {"comment": comment, "plan": comment.plan, "form": form},
        status=status,
    )


@login_required
@handles_denials
@require_http_methods(["GET", "POST"])
def comment_withdraw(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = perms.access_comment(request.user, comment_id)
    if not perms.can_withdraw_comment(request.user, comment):
        raise PermissionDenied(_("You can only withdraw your own comments."))
    if request.method == "POST":
        services.withdraw_comment(user=request.user, comment=comment)  # type: ignore[arg-type]
        messages.success(request, _("Your comment was withdrawn."))
        return redirect(_comment_url(comment))
    return render(
        request,
        "consultation/comment_withdraw.html",
        {"comment": comment, "plan": comment.plan, "single": _single(comment)},
    )


@login_required
@handles_denials
@require_POST
def comment_endorse(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Toggle the user's endorsement (the page's script uses the API instead)."""
    comment = perms.access_comment(request.user, comment_id)
    if request.POST.get("endorse") == "0":
        services.withdraw_endorsement(user=request.user, comment=comment)  # type: ignore[arg-type]
        messages.success(request, _("Your endorsement was withdrawn."))
    else:
        services.endorse_comment(user=request.user, comment=comment)  # type: ignore[arg-type]
        messages.success(request, _("You endorsed this comment."))
    return redirect(_comment_url(comment))


@require_GET
def comment_history(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = perms.access_comment(request.user, comment_id)
    revisions = list(comment.revisions.all()) if comment.is_visible else []
    return render(
        request,
        "consultation/comment_history.html",
        {
            "comment": comment,
            "plan": comment.plan,
            "single": _single(comment),
            "revisions": revisions,
        },
    )


@login_required
@handles_denials
@require_http_methods(["GET", "POST"])
def comment_flag(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = perms.access_comment(request.user, comment_id)
    if not perms.can_flag(request.user, comment):
        raise PermissionDenied(_("You cannot flag this comment."))
    form = FlagForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            flag, status = _run(
                form,
                lambda: services.flag_comment(
                    user=request.user,  # type: ignore[arg-type]
                    comment=comment,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                ),
            )
            if flag is not None:
                messages.success(
                    request, _("Thank you. Moderators will look at this comment.")
                )
                return redirect(_comment_url(comment))
        else:
            status = 400
    return render(
        request,
        "consultation/comment_flag.html",
        {
            "comment": comment,
            "plan": comment.plan,
            "single": _single(comment),
            "form": form,
        },
        status=status,
    )


@login_required
@handles_denials
@require_http_methods(["GET", "POST"])
def comment_respond(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = perms.access_comment(request.user, comment_id)
    if not perms.can_respond(request.user, comment):
        raise PermissionDenied(
            _("Only officials of the plan's agency can respond to comments.")
        )
    commented = comment.section.version.number
    versions = list(
        comment.plan.versions.filter(number__gt=commented).order_by("number")
    )
    latest = comment.responses.order_by("-created_at", "-pk").first()
    initial: dict[str, Any] = {}
    if latest is not None:
        initial = {
            "disposition": latest.disposition,
            "addressed_in": latest.addressed_in.number if latest.addressed_in else "",
        }
    form = ResponseForm(request.POST or None, versions=versions, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            response, status = _run(
                form,
                lambda: services.respond_to_comment(
                    user=request.user,  # type: ignore[arg-type]
                    comment=comment,
                    disposition=data["disposition"],
                    body=data["body"],
                    addressed_in=data["addressed_in"],
                ),
            )
            if response is not None:
                messages.success(
                    request,
                    _("Your response was published and its author notified."),
                )
                return redirect(_comment_url(comment))
        else:
            status = 400
    return render(
        request,
        "consultation/comment_respond.html",
        {
            "comment": comment,
            "plan": comment.plan,
            "form": form,
            "single": _single(comment),
            "responses": list(
                comment.responses.select_related("agency", "addressed_in")
            ),
        },
        status=status,
    )


# --- Register -----------------------------------------------------------------


def _register(plan: Plan) -> tuple[list[selectors.RegisterRow], selectors.Summary]:
    rows = selectors.register_rows(plan)
    return rows, selectors.register_summary(plan, rows)


@require_GET
def register(request: HttpRequest, slug: str) -> HttpResponse:
    plan = perms.access_plan(request.user, slug)
    rows, summary = _register(plan)
    return render(
        request,
        "consultation/register.html",
        {"plan": plan, "rows": rows, "summary": summary},
    )


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def _csv_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas (CSV injection) in text cells."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


@require_GET
def register_csv(request: HttpRequest, slug: str) -> HttpResponse:
    plan = perms.access_plan(request.user, slug)
    rows, _summary = _register(plan)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{plan.slug}-response-register.csv"'
    )
    response.write("\ufeff")  # so that spreadsheet programs read UTF-8
    writer = csv.DictWriter(response, fieldnames=selectors.REGISTER_COLUMNS)
    writer.writeheader()
    for row in rows:
        data = row.as_dict(settings.SITE_URL)
        writer.writerow({k: _csv_cell(v) for k, v in data.items()})
    return response


@require_GET
def register_json(request: HttpRequest, slug: str) -> HttpResponse:
    plan = perms.access_plan(request.user, slug)
    rows, summary = _register(plan)
    data = {
        "plan": {
            "slug": plan.slug,
            "title": plan.title,
            "agency": plan.agency.name,
            "url": f"{settings.SITE_URL}{plan.get_absolute_url()}",
        },
        "licence": settings.AGORA_DATA_LICENCE,
        "generated_at": timezone.now().isoformat(),
        "summary": summary.as_dict(),
        "comments": [row.as_dict(settings.SITE_URL) for row in rows],
    }
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{plan.slug}-response-register.json"'
    )
    return response


# --- Moderation ---------------------------------------------------------------


@login_required
@handles_denials
@require_GET
def moderation_queue(request: HttpRequest) -> HttpResponse:
    if not perms.can_moderate(request.user):
        raise PermissionDenied(_("Only moderators can see the moderation queue."))
    return render(
        request,
        "consultation/moderation_queue.html",
        {
            "flagged": list(selectors.moderation_queue()[:100]),
            "hidden": list(selectors.hidden_comments()[:50]),
            "log": list(selectors.moderation_log(public=False)[:50]),
        },
    )


@login_required
@handles_denials
@require_http_methods(["GET", "POST"])
def comment_moderate(request: HttpRequest, comment_id: int) -> HttpResponse:
    if not perms.can_moderate(request.user):
        raise PermissionDenied(_("Only moderators can do this."))
    comment = get_object_or_404(
        Comment.objects.select_related("plan", "author", "section__version"),
        pk=perms.as_id(comment_id) or 0,
    )
    action = request.POST.get("action", "")
    hide_form = HideForm(request.POST if action == "hide" else None, auto_id="hide-%s")
    restore_form = RestoreForm(
        request.POST if action == "restore" else None, auto_id="restore-%s"
    )
    dismiss_form = DismissForm(
        request.POST if action == "dismiss" else None, auto_id="dismiss-%s"
    )
    status = 200
    if request.method == "POST":
        user: Any = request.user
        forms: dict[str, Any] = {
            "hide": hide_form,
            "restore": restore_form,
            "dismiss": dismiss_form,
        }
        form = forms.get(action)
        if form is None:
            return _denied(request, _("Choose an action."), status=400)

        def call() -> Any:
            data = form.cleaned_data
            if action == "hide":
                return services.hide_comment(
                    user=user, comment=comment, reason=data["reason"], note=data["note"]
                )
            if action == "restore":
                return services.restore_comment(
                    user=user, comment=comment, note=data["note"]
                )
            return services.dismiss_flags(user=user, comment=comment, note=data["note"])

        if form.is_valid():
            done, status = _run(form, call)
            if done is not None:
                messages.success(
                    request, _("Done: the action is in the moderation log.")
                )
                return redirect("consultation:moderation_queue")
        else:
            status = 400
    return render(
        request,
        "consultation/comment_moderate.html",
        {
            "comment": comment,
            "flags": list(comment.flags.select_related("reporter")),
            "actions": list(comment.moderation_actions.select_related("moderator")),
            "hide_form": hide_form,
            "restore_form": restore_form,
            "dismiss_form": dismiss_form,
        },
        status=status,
    )


@require_GET
def moderation_log(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.moderation_log(public=True), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "consultation/moderation_log.html", {"page": page})


# --- Agencies -----------------------------------------------------------------


@require_GET
def agency_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "consultation/agency_list.html",
        {"agencies": list(Agency.objects.all())},
    )


@require_GET
def agency_detail(request: HttpRequest, slug: str) -> HttpResponse:
    agency = get_object_or_404(Agency, slug=slug)
    return render(
        request,
        "consultation/agency_detail.html",
        {
            "agency": agency,
            "plans": list(selectors.agency_plans(request.user, agency)),
            "commitments": selectors.agency_commitments(agency),
        },
    )
