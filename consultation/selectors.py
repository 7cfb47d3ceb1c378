"""Consultation reads: what pages, the API and downloads show.

Every function here runs a fixed number of queries whatever the number of
comments (the plan page with hundreds of comments is tested for it).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import RowNumber
from django.utils import timezone

from accounts.models import Agency, Sector
from accounts.permissions import is_admin, is_member, is_official
from consultation import permissions as perms
from consultation.diff import SectionChange, compare_sections
from consultation.models import (
    Comment,
    Disposition,
    Endorsement,
    Flag,
    ModerationAction,
    OfficialResponse,
    Plan,
    PlanStatus,
    PlanVersion,
    Section,
)

# --- Plans --------------------------------------------------------------------


def visible_plans(user: Any) -> QuerySet[Plan]:
    """Plans ``user`` may read: published ones, and their own agency's drafts."""
    plans = Plan.objects.select_related("agency", "current_version")
    if is_admin(user):
        return plans
    if is_official(user):
        return plans.filter(
            Q(current_version__isnull=False) | Q(agency_id=user.agency_id)
        )
    return plans.filter(current_version__isnull=False)


def published_plans() -> QuerySet[Plan]:
    """Every published plan, by title (what forum sessions and conversations
    may link to)."""
    return Plan.objects.filter(current_version__isnull=False).order_by("title", "pk")


def list_plans(user: Any, *, status: str = "", agency: str = "") -> QuerySet[Plan]:
    plans = visible_plans(user).annotate(
        public_comments=Count(
            "comments",
            filter=Q(
                comments__hidden_at__isnull=True, comments__withdrawn_at__isnull=True
            ),
        )
    )
    if status:
        plans = plans.filter(status=status)
    if agency:
        plans = plans.filter(agency__slug=agency)
    return plans.order_by("-updated_at", "-pk")


def open_plans(now: datetime | None = None) -> QuerySet[Plan]:
    """Published plans whose comment window is open now (the home page)."""
    now = now or timezone.now()
    return (
        Plan.objects.select_related("agency", "current_version")
        .filter(current_version__isnull=False, status=PlanStatus.OPEN)
        .filter(Q(opens_at__isnull=True) | Q(opens_at__lte=now))
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
        .order_by(F("closes_at").asc(nulls_last=True), "-pk")
    )


def published_versions(plan: Plan) -> list[PlanVersion]:
    return list(
        plan.versions.filter(published_at__isnull=False)
        .select_related("published_by")
        .order_by("number")
    )


def get_version(plan: Plan, number: int | str | None) -> PlanVersion | None:
    value = perms.as_id(number)
    if value is None or value > 100_000:
        return None
    return plan.versions.filter(number=value, published_at__isnull=False).first()


def sections_of(version: PlanVersion) -> list[Section]:
    return list(version.sections.select_related("agency").order_by("ordinal"))


# --- Comments -----------------------------------------------------------------


def _responses_prefetch() -> Any:
    return Prefetch(
        "responses",
        queryset=OfficialResponse.objects.select_related(
            "agency", "author", "addressed_in"
        ).order_by("created_at", "pk"),
    )


def comments_queryset(user: Any) -> QuerySet[Comment]:
    """Comments with authors, version numbers, endorsement counts, whether
    ``user`` endorsed each, and their official responses."""
    if is_member(user):
        endorsed: Any = Exists(
            Endorsement.objects.filter(comment=OuterRef("pk"), user=user)
        )
    else:
        endorsed = Value(False, output_field=BooleanField())
    return (
        Comment.objects.select_related("author", "section__version", "plan__agency")
        .annotate(endorsement_total=Count("endorsements", distinct=True))
        .annotate(endorsed_by_user=endorsed)
        .prefetch_related(_responses_prefetch())
        .order_by("created_at", "pk")
    )


@dataclass
class Thread:
    """A comment with what the viewer may do with it, and its replies."""

    comment: Comment
    replies: list[Thread] = field(default_factory=list)
    can_reply: bool = False
    can_edit: bool = False
    can_withdraw: bool = False
    can_endorse: bool = False
    can_flag: bool = False
    can_respond: bool = False
    # How many replies it has when ``replies`` holds only the first few.
    reply_total: int = 0

    @property
    def more_replies(self) -> int:
        """Replies not shown here."""
        return max(self.reply_total - len(self.replies), 0)

    @property
    def responses(self) -> list[OfficialResponse]:
        return list(self.comment.responses.all())

    @property
    def response(self) -> OfficialResponse | None:
        responses = self.responses
        return responses[-1] if responses else None

    @property
    def earlier_responses(self) -> list[OfficialResponse]:
        return self.responses[:-1]

    @property
    def version_number(self) -> int:
        return self.comment.section.version.number


def _thread(user: Any, comment: Comment, now: datetime) -> Thread:
    return Thread(
        comment=comment,
        can_reply=comment.parent_id is None and perms.can_reply(user, comment, now),
        can_edit=perms.can_edit_comment(user, comment, now),
        can_withdraw=perms.can_withdraw_comment(user, comment),
        can_endorse=perms.can_endorse(user, comment, now),
        can_flag=perms.can_flag(user, comment),
        can_respond=perms.can_respond(user, comment),
    )


def build_threads(user: Any, comments: list[Comment]) -> list[Thread]:
    """Top-level comments in posting order, each with its replies."""
    now = timezone.now()
    roots: dict[int, Thread] = {}
    replies: list[Comment] = []
    for comment in comments:
        if comment.parent_id is None:
            roots[comment.pk] = _thread(user, comment, now)
        else:
            replies.append(comment)
    for reply in replies:
        root = roots.get(reply.parent_id or 0)
        if root is not None:
            root.replies.append(_thread(user, reply, now))
    return list(roots.values())


def _count_visible(threads: list[Thread]) -> int:
    return sum(
        int(t.comment.is_visible) + sum(int(r.comment.is_visible) for r in t.replies)
        for t in threads
    )


# The plan page shows the first few threads of each section (and the first few
# replies of each); the section's own page lists every thread, a page at a
# time. The plan page's cost so stays the same however many comments there are.
PLAN_PAGE_THREADS = 5
PLAN_PAGE_REPLIES = 3
SECTION_PAGE_THREADS = 50


@dataclass
class SectionView:
    """One clause's comments. ``section`` is None for a clause the version
    no longer has. ``comment_count`` counts every visible comment on the
    clause (replies included), ``thread_count`` its top-level comments, even
    when ``threads`` holds only the first few."""

    key: str
    section: Section | None
    threads: list[Thread]
    comment_count: int = 0
    thread_count: int = 0
    url: str = ""

    @property
    def has_more(self) -> bool:
        return self.thread_count > len(self.threads) or any(
            t.more_replies for t in self.threads
        )


@dataclass
class PlanPage:
    sections: list[SectionView]
    # Comments on clauses this version no longer has, by key.
    orphans: list[SectionView]

    @property
    def comment_count(self) -> int:
        return sum(s.comment_count for s in self.sections) + sum(
            o.comment_count for o in self.orphans
        )


def _comments_up_to(plan: Plan, version: PlanVersion) -> Q:
    return Q(plan=plan, section__version__number__lte=version.number)


def comment_counts(
    plan: Plan, version: PlanVersion, *, key: str | None = None
) -> dict[str, tuple[int, int]]:
    """Visible comments and top-level comments per clause (one query)."""
    comments = Comment.objects.filter(_comments_up_to(plan, version))
    if key is not None:
        comments = comments.filter(section_key=key)
    rows = (
        comments.order_by()
        .values("section_key")
        .annotate(
            visible=Count(
                "pk", filter=Q(hidden_at__isnull=True, withdrawn_at__isnull=True)
            ),
            roots=Count("pk", filter=Q(parent__isnull=True)),
        )
    )
    return {row["section_key"]: (row["visible"], row["roots"]) for row in rows}


def _replies_of(
    user: Any, roots: Sequence[Comment], limit: int | None
) -> list[Comment]:
    """The replies to ``roots`` in posting order, at most ``limit`` of each
    (every reply is annotated with its parent's ``reply_total``)."""
    if not roots:
        return []
    order = [F("created_at").asc(), F("pk").asc()]
    replies = (
        comments_queryset(user)
        .prefetch_related(None)
        .filter(parent__in=[c.pk for c in roots])
    )
    if limit is None:
        return list(replies)
    return list(
        replies.annotate(
            reply_rank=Window(
                RowNumber(), partition_by=[F("parent_id")], order_by=order
            ),
            reply_total=Window(Count("pk"), partition_by=[F("parent_id")]),
        ).filter(reply_rank__lte=limit)
    )


def plan_page(user: Any, plan: Plan, version: PlanVersion) -> PlanPage:
    """The sections of ``version`` with the first comments on each clause made
    on this or an earlier version (a comment on 3.2 of version 1 stays with
    3.2), and how many there are in all. A fixed number of queries whatever
    the number of comments."""
    sections = sections_of(version)
    counts = comment_counts(plan, version)
    # Rank the clause's top-level comments in a light subquery, then annotate
    # only the few shown (ranking the annotated rows cost twice as much).
    first = (
        Comment.objects.filter(_comments_up_to(plan, version), parent__isnull=True)
        .annotate(
            thread_rank=Window(
                RowNumber(),
                partition_by=[F("section_key")],
                order_by=[F("created_at").asc(), F("pk").asc()],
            )
        )
        .filter(thread_rank__lte=PLAN_PAGE_THREADS)
        .values("pk")
    )
    roots = list(comments_queryset(user).prefetch_related(None).filter(pk__in=first))
    replies = _replies_of(user, roots, PLAN_PAGE_REPLIES)
    # The responses of roots and replies in one query.
    prefetch_related_objects([*roots, *replies], _responses_prefetch())
    reply_totals = {r.parent_id: r.reply_total for r in replies}  # type: ignore[attr-defined]
    by_key: dict[str, list[Comment]] = defaultdict(list)
    for comment in [*roots, *replies]:
        by_key[comment.section_key].append(comment)

    def view(key: str, section: Section | None) -> SectionView:
        threads = build_threads(user, by_key.get(key, []))
        for thread in threads:
            thread.reply_total = reply_totals.get(thread.comment.pk, 0)
        visible, total = counts.get(key, (0, 0))
        return SectionView(key, section, threads, visible, total)

    keys = {s.key for s in sections}
    return PlanPage(
        sections=[view(s.key, s) for s in sections],
        orphans=[view(key, None) for key in sorted(counts) if key not in keys],
    )


@dataclass
class SectionComments:
    """Every thread on one clause, a page of top-level comments at a time."""

    view: SectionView
    page: Page[Comment]


def section_comments(
    user: Any, plan: Plan, version: PlanVersion, key: str, page: Any
) -> SectionComments | None:
    """The comments on clause ``key`` of ``version`` (made on this or an
    earlier version), ``SECTION_PAGE_THREADS`` threads a page, each with all
    its replies. None if the version has no such clause and nobody commented
    on it."""
    section = next((s for s in sections_of(version) if s.key == key), None)
    visible, total = comment_counts(plan, version, key=key).get(key, (0, 0))
    if section is None and total == 0:
        return None
    roots = (
        comments_queryset(user)
        .prefetch_related(None)
        .filter(_comments_up_to(plan, version), section_key=key, parent__isnull=True)
    )
    paginator = Paginator(roots, SECTION_PAGE_THREADS)
    paginator.count = total  # counted above: saves a query
    paginated = paginator.get_page(page)
    top = list(paginated.object_list)
    comments = [*top, *_replies_of(user, top, None)]
    prefetch_related_objects(comments, _responses_prefetch())
    threads = build_threads(user, comments)
    return SectionComments(
        SectionView(key, section, threads, visible, total), paginated
    )


def thread_position(comment: Comment) -> tuple[int, int]:
    """Where a comment stands on its clause: the 0-based rank of its thread
    among the clause's top-level comments, and its own rank among the
    thread's replies (0 for a top-level comment). Two queries at most."""
    root = comment.parent or comment
    earlier = Q(created_at__lt=root.created_at) | Q(
        created_at=root.created_at, pk__lt=root.pk
    )
    rank = Comment.objects.filter(
        earlier, plan_id=root.plan_id, section_key=root.section_key, parent__isnull=True
    ).count()
    reply_rank = 0
    if comment.parent_id:
        reply_rank = Comment.objects.filter(
            Q(created_at__lt=comment.created_at)
            | Q(created_at=comment.created_at, pk__lt=comment.pk),
            parent_id=comment.parent_id,
        ).count()
    return rank, reply_rank


def public_comments(plan: Plan, *, section: str = "") -> QuerySet[Comment]:
    """Every comment of the plan for the API (hidden and withdrawn ones are
    listed without their text)."""
    comments = comments_queryset(None).filter(plan=plan)
    if section:
        comments = comments.filter(section_key=section)
    return comments


# --- Compare ------------------------------------------------------------------


@dataclass
class ChangeView:
    change: SectionChange
    threads: list[Thread]
    addressed: list[Thread]

    @property
    def key(self) -> str:
        return self.change.key


def compare(
    user: Any, plan: Plan, old: PlanVersion, new: PlanVersion
) -> list[ChangeView]:
    """The section-aware diff of ``old`` → ``new``, each changed section with
    the comments made on that clause in between (from ``old`` up to, not
    including, ``new``) and the responses saying they were addressed in ``new``."""
    changes = compare_sections(sections_of(old), sections_of(new))
    low, high = sorted((old.number, new.number))
    comments = list(
        comments_queryset(user)
        .filter(
            Q(section__version__number__gte=low, section__version__number__lt=high)
            | Q(responses__addressed_in=new),
            plan=plan,
        )
        .distinct()
    )
    by_key: dict[str, list[Comment]] = defaultdict(list)
    for comment in comments:
        by_key[comment.section_key].append(comment)
    views = []
    for change in changes:
        threads = build_threads(user, by_key.get(change.key, []))
        addressed = [
            t for t in threads if any(r.addressed_in_id == new.pk for r in t.responses)
        ]
        views.append(ChangeView(change=change, threads=threads, addressed=addressed))
    return views


# --- Register -----------------------------------------------------------------


REGISTER_COLUMNS = [
    "comment_id",
    "url",
    "section",
    "version",
    "in_reply_to",
    "status",
    "author",
    "sector",
    "posted_at",
    "stance",
    "quote",
    "comment",
    "disposition",
    "response",
    "responded_at",
    "responding_agency",
    "addressed_in_version",
]


@dataclass
class RegisterRow:
    comment: Comment
    response: OfficialResponse | None

    @property
    def status(self) -> str:
        return str(self.comment.status)

    def as_dict(self, site_url: str = "") -> dict[str, Any]:
        comment, response = self.comment, self.response
        visible = comment.is_visible
        author = comment.author
        return {
            "comment_id": comment.pk,
            "url": f"{site_url}{comment.get_absolute_url()}",
            "section": comment.section_key,
            "version": comment.section.version.number,
            "in_reply_to": comment.parent_id,
            "status": self.status,
            "author": author.display_name if author and visible else "",
            "sector": author.sector if author and visible else "",
            "posted_at": comment.created_at.isoformat(),
            "stance": comment.stance if visible else "",
            "quote": comment.quote if visible else "",
            "comment": comment.body if visible else "",
            "disposition": response.disposition if response else "",
            "response": response.body if response else "",
            "responded_at": response.created_at.isoformat() if response else "",
            "responding_agency": response.agency.name if response else "",
            "addressed_in_version": (
                response.addressed_in.number
                if response
                and response.addressed_in
                and response.addressed_in.is_published
                else None
            ),
        }


def register_rows(plan: Plan) -> list[RegisterRow]:
    comments = (
        Comment.objects.filter(plan=plan)
        .select_related("author", "section__version")
        .prefetch_related(_responses_prefetch())
        .order_by("created_at", "pk")
    )
    rows = []
    for comment in comments:
        responses = list(comment.responses.all())
        rows.append(RegisterRow(comment, responses[-1] if responses else None))
    return rows


@dataclass
class Summary:
    comments: int
    replies: int
    responded: int
    by_disposition: list[tuple[str, str, int]]  # code, label, count
    by_section: list[tuple[str, int, int]]  # key, comments, responded
    by_sector: list[tuple[str, str, int]]  # code, label, count
    median_days: float | None

    @property
    def awaiting(self) -> int:
        return self.comments - self.responded

    @property
    def response_rate(self) -> float | None:
        return round(100 * self.responded / self.comments, 1) if self.comments else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "comments": self.comments,
            "replies": self.replies,
            "responded": self.responded,
            "awaiting_response": self.awaiting,
            "response_rate_percent": self.response_rate,
            "median_days_to_respond": self.median_days,
            "by_disposition": {code: n for code, _label, n in self.by_disposition},
            "by_section": {
                key: {"comments": n, "responded": r} for key, n, r in self.by_section
            },
            "by_sector": {code: n for code, _label, n in self.by_sector},
        }


def register_summary(plan: Plan, rows: list[RegisterRow]) -> Summary:
    """Counts over visible comments. The response rate and the dispositions
    count top-level comments (the ones the agency answers); replies are
    counted separately. Days to respond run from the comment to the agency's
    first response."""
    visible = [r for r in rows if r.comment.is_visible]
    top = [r for r in visible if r.comment.parent_id is None]
    responded = [r for r in top if r.response is not None]
    dispositions = Counter(r.response.disposition for r in responded if r.response)
    by_disposition = [
        (code, str(label), dispositions.get(code, 0))
        for code, label in Disposition.choices
    ]
    order = (
        {s.key: s.ordinal for s in sections_of(plan.current_version)}
        if (plan.current_version)
        else {}
    )
    sections: dict[str, list[int]] = {}
    for row in visible:
        counts = sections.setdefault(row.comment.section_key, [0, 0])
        counts[0] += 1
        if row.comment.parent_id is None and row.response is not None:
            counts[1] += 1
    by_section = [
        (key, n, r)
        for key, (n, r) in sorted(
            sections.items(), key=lambda item: (order.get(item[0], 10**6), item[0])
        )
    ]
    sectors = Counter(r.comment.author.sector for r in visible if r.comment.author)
    labels = dict(Sector.choices)
    by_sector = [
        (code, str(labels.get(code, code)), n) for code, n in sectors.most_common()
    ]
    days = [
        (r.comment.responses.all()[0].created_at - r.comment.created_at).total_seconds()
        / 86400
        for r in responded
    ]
    return Summary(
        comments=len(top),
        replies=len(visible) - len(top),
        responded=len(responded),
        by_disposition=by_disposition,
        by_section=by_section,
        by_sector=by_sector,
        median_days=round(statistics.median(days), 1) if days else None,
    )


# --- Moderation ---------------------------------------------------------------


def moderation_queue() -> QuerySet[Comment]:
    """Comments with open flags, most flagged first."""
    return (
        Comment.objects.annotate(
            open_flags=Count("flags", filter=Q(flags__resolved_at__isnull=True))
        )
        .filter(open_flags__gt=0)
        .select_related("author", "plan", "section__version")
        .prefetch_related(
            Prefetch(
                "flags",
                queryset=Flag.objects.filter(resolved_at__isnull=True).select_related(
                    "reporter"
                ),
                to_attr="open_flag_list",
            )
        )
        .order_by("-open_flags", "created_at")
    )


def hidden_comments() -> QuerySet[Comment]:
    return (
        Comment.objects.filter(hidden_at__isnull=False)
        .select_related("author", "plan", "section__version")
        .order_by("-hidden_at")
    )


def moderation_log(*, public: bool) -> QuerySet[ModerationAction]:
    """The log of moderation actions. The public log lists hides and restores
    with their reason code and date, never the content or the private note."""
    actions = ModerationAction.objects.select_related("comment__plan")
    if public:
        return actions.filter(
            action__in=[ModerationAction.Action.HIDE, ModerationAction.Action.RESTORE],
            comment__plan__current_version__isnull=False,
        )
    return actions.select_related("moderator")


# --- Agencies -----------------------------------------------------------------


def agency_commitments(agency: Agency) -> list[Section]:
    """Sections of current, published plan versions that name ``agency``."""
    return list(
        Section.objects.filter(
            agency=agency, version__plan__current_version=F("version")
        )
        .select_related("version__plan")
        .order_by("version__plan__title", "ordinal")
    )


def agency_plans(user: Any, agency: Agency) -> QuerySet[Plan]:
    return list_plans(user).filter(agency=agency)
