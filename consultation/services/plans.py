"""Plans and their versions: create, edit, write drafts, preview, publish."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Agency, User
from common.sanitize import render_markdown
from consultation import permissions as perms
from consultation.models import Plan, PlanStatus, PlanVersion, Section
from consultation.sections import Milestone, split_sections
from consultation.services._text import (
    Errors,
    choice,
    multi_line,
    optional_text,
    required_text,
    single_line,
)
from consultation.services.follows import notify_new_version

MAX_TITLE = 200
MAX_SUMMARY = 2000
MAX_BODY = 200_000
RESERVED_SLUGS = frozenset({"new"})  # /plans/new/ is the creation form


def _validate_window(
    errors: Errors, opens_at: datetime | None, closes_at: datetime | None
) -> None:
    if opens_at and closes_at and closes_at <= opens_at:
        errors.add("closes_at", _("Comments must close after they open."))


def _validate_slug(errors: Errors, slug: str, *, exclude: int | None = None) -> str:
    slug = slug.strip().lower()
    if not slug:
        errors.add("slug", _("This field cannot be empty."))
        return slug
    try:
        validate_slug(slug)
    except ValidationError:
        errors.add(
            "slug",
            _("Use only Latin letters, numbers, hyphens and underscores."),
        )
        return slug
    if len(slug) > 80:
        errors.add("slug", _("Keep the address to 80 characters or fewer."))
    if slug in RESERVED_SLUGS:
        errors.add("slug", _("This address is reserved; choose another."))
    taken = Plan.objects.filter(slug=slug)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        errors.add("slug", _("Another plan already uses this address."))
    return slug


def create_plan(
    *,
    user: User,
    agency: Agency,
    title: str,
    slug: str,
    summary: str = "",
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> Plan:
    """A new plan in draft status; nobody but its agency sees it until a
    version is published."""
    if not perms.can_create_plan(user, agency):
        raise PermissionDenied(_("Only the agency's officials can create its plans."))
    errors = Errors()
    title = required_text(errors, "title", single_line(title), max_length=MAX_TITLE)
    summary = optional_text(
        errors, "summary", multi_line(summary), max_length=MAX_SUMMARY
    )
    slug = _validate_slug(errors, slug)
    _validate_window(errors, opens_at, closes_at)
    errors.raise_if_any()
    return Plan.objects.create(
        agency=agency,
        title=title,
        slug=slug,
        summary=summary,
        opens_at=opens_at,
        closes_at=closes_at,
        created_by=user,
    )


def update_plan(
    *,
    user: User,
    plan: Plan,
    title: str,
    summary: str,
    status: str,
    opens_at: datetime | None,
    closes_at: datetime | None,
) -> Plan:
    """Change a plan's title, summary, status and comment window."""
    if not perms.can_manage_plan(user, plan):
        raise PermissionDenied(_("Only the agency's officials can change this plan."))
    errors = Errors()
    title = required_text(errors, "title", single_line(title), max_length=MAX_TITLE)
    summary = optional_text(
        errors, "summary", multi_line(summary), max_length=MAX_SUMMARY
    )
    status = choice(errors, "status", status, PlanStatus.values)
    if status == PlanStatus.OPEN and plan.current_version_id is None:
        errors.add(
            "status",
            _("Publish a first version before opening the plan for comment."),
        )
    _validate_window(errors, opens_at, closes_at)
    errors.raise_if_any()
    plan.title, plan.summary, plan.status = title, summary, status
    plan.opens_at, plan.closes_at = opens_at, closes_at
    plan.save(
        update_fields=[
            "title", "summary", "status", "opens_at", "closes_at", "updated_at"
        ]
    )  # fmt: skip
    return plan


# --- Versions -----------------------------------------------------------------


def get_draft(plan: Plan) -> PlanVersion | None:
    return plan.versions.filter(published_at__isnull=True).first()


def _lock(plan: Plan) -> Plan:
    """Lock the plan row: version numbers and the current version change
    one writer at a time."""
    return Plan.objects.select_for_update().get(pk=plan.pk)


def save_draft_version(
    *, user: User, plan: Plan, body: str, change_summary: str = ""
) -> PlanVersion:
    """Create or update the plan's one unpublished version."""
    if not perms.can_publish_version(user, plan):
        raise PermissionDenied(
            _("Only the agency's officials can write versions of this plan.")
        )
    errors = Errors()
    body = required_text(errors, "body", multi_line(body), max_length=MAX_BODY)
    change_summary = optional_text(
        errors, "change_summary", multi_line(change_summary), max_length=MAX_SUMMARY
    )
    errors.raise_if_any()
    with transaction.atomic():
        _lock(plan)
        draft = get_draft(plan)
        if draft is None:
            highest = plan.versions.aggregate(n=Max("number"))["n"] or 0
            draft = PlanVersion(plan=plan, number=highest + 1, created_by=user)
        draft.body, draft.change_summary = body, change_summary
        draft.save()
    return draft


def discard_draft(*, user: User, plan: Plan) -> None:
    if not perms.can_publish_version(user, plan):
        raise PermissionDenied(
            _("Only the agency's officials can write versions of this plan.")
        )
    with transaction.atomic():
        _lock(plan)
        draft = get_draft(plan)
        if draft is not None:
            draft.delete()


@dataclass
class PreviewSection:
    key: str
    level: int
    heading: str
    source: str
    body_html: str
    agency: Agency | None
    agency_ref: str
    milestones: list[dict[str, str]]

    @property
    def title(self) -> str:
        return self.heading or _("Preamble")

    @property
    def is_commitment(self) -> bool:
        return bool(self.agency_ref or self.milestones)


@dataclass
class Preview:
    sections: list[PreviewSection] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _find_agencies(refs: set[str]) -> dict[str, Agency]:
    """Agencies by the reference written in the text (slug or exact name)."""
    if not refs:
        return {}
    query = Q()
    for ref in refs:
        query |= Q(slug__iexact=ref) | Q(name__iexact=ref)
    found: dict[str, Agency] = {}
    for agency in Agency.objects.filter(query):
        for ref in refs:
            if ref.lower() in (agency.slug.lower(), agency.name.lower()):
                found[ref] = agency
    return found


def _milestones(items: tuple[Milestone, ...]) -> list[dict[str, str]]:
    return [m.as_dict() for m in items]


def build_preview(*, body: str) -> Preview:
    """What publishing ``body`` would produce: the sections, rendered through
    the one sanitiser, and every problem that would stop publication."""
    text = multi_line(body)
    preview = Preview()
    if not text:
        preview.errors.append(_("The plan text is empty."))
        return preview
    if len(text) > MAX_BODY:
        preview.errors.append(
            _("Keep this to %(max)d characters or fewer (it has %(count)d).")
            % {"max": MAX_BODY, "count": len(text)}
        )
        return preview
    parsed, errors = split_sections(text)
    preview.errors.extend(errors)
    agencies = _find_agencies({s.agency for s in parsed if s.agency})
    for section in parsed:
        agency = agencies.get(section.agency) if section.agency else None
        if section.agency and agency is None:
            preview.errors.append(
                _(
                    "Section %(key)s: there is no agency called “%(agency)s”. Use "
                    "the agency's name or the last part of its page address."
                )
                % {"key": section.key, "agency": section.agency}
            )
        preview.sections.append(
            PreviewSection(
                key=section.key,
                level=section.level,
                heading=section.heading,
                source=section.source,
                body_html=render_markdown(section.body),
                agency=agency,
                agency_ref=section.agency,
                milestones=_milestones(section.milestones),
            )
        )
    return preview


def publish_version(
    *,
    user: User,
    plan: Plan,
    body: str | None = None,
    change_summary: str | None = None,
) -> PlanVersion:
    """Publish the plan's draft (saving ``body`` into it first when given).

    Publishing splits the text into sections and makes the version the plan's
    current one. From then on the version cannot change.
    """
    if not perms.can_publish_version(user, plan):
        raise PermissionDenied(
            _("Only the agency's officials can publish versions of this plan.")
        )
    with transaction.atomic():
        if body is not None:
            save_draft_version(
                user=user, plan=plan, body=body, change_summary=change_summary or ""
            )
        locked = _lock(plan)
        draft = get_draft(locked)
        if draft is None:
            raise ValidationError(
                {"body": [_("There is no draft version to publish.")]}
            )
        errors = Errors()
        if draft.number > 1 and not draft.change_summary.strip():
            errors.add(
                "change_summary",
                _(
                    "Say what changed since version %(number)d, so that "
                    "participants can follow it."
                )
                % {"number": draft.number - 1},
            )
        preview = build_preview(body=draft.body)
        for message in preview.errors:
            errors.add("body", message)
        errors.raise_if_any()

        now = timezone.now()
        draft.published_at, draft.published_by = now, user
        draft.save(update_fields=["published_at", "published_by"])
        Section.objects.bulk_create(
            Section(
                version=draft,
                key=section.key,
                ordinal=ordinal,
                level=section.level,
                heading=section.heading,
                source=section.source,
                body_html=section.body_html,
                agency=section.agency,
                milestones=section.milestones,
            )
            for ordinal, section in enumerate(preview.sections)
        )
        locked.current_version = draft
        locked.save(update_fields=["current_version", "updated_at"])
        notify_new_version(version=draft, actor=user)
    plan.current_version = draft
    return draft


def plan_form_initial(plan: Plan) -> dict[str, Any]:
    return {
        "title": plan.title,
        "summary": plan.summary,
        "status": plan.status,
        "opens_at": plan.opens_at,
        "closes_at": plan.closes_at,
    }
