"""Consultation: plans, their versions and sections, comments and responses.

A :class:`Plan` belongs to an agency. Its text lives in numbered
:class:`PlanVersion` rows; a version is a draft until it is published and
immutable afterwards. Publishing splits the version's Markdown into
:class:`Section` rows (see :mod:`consultation.sections`) whose ``key`` is stable
across versions, so that a :class:`Comment` on section "3.2" of version 1 can be
followed to section "3.2" of version 2 and to the :class:`OfficialResponse`
that says what happened to it.

Business rules live in :mod:`consultation.services`; permissions in
:mod:`consultation.permissions`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.choices import choice_label


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for comment")
    CLOSED = "closed", _("Closed")
    FINAL = "final", _("Final")


class Stance(models.TextChoices):
    SUPPORTS = "supports", _("Supports")
    CONCERNS = "concerns", _("Has concerns")
    NEUTRAL = "neutral", _("Neutral")


class Disposition(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")
    PARTLY_ADOPTED = "partly_adopted", _("Partly adopted")
    NOT_ADOPTED = "not_adopted", _("Not adopted")
    UNDER_CONSIDERATION = "under_consideration", _("Under consideration")
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")


class CommentStatus(models.TextChoices):
    """How a comment appears to the public (derived, for the API)."""

    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    HIDDEN = "hidden", _("Hidden")


class FlagReason(models.TextChoices):
    SPAM = "spam", _("Spam")
    ABUSE = "abuse", _("Abuse or harassment")
    OFF_TOPIC = "off_topic", _("Off-topic")
    PERSONAL_DATA = "personal_data", _("Personal data")
    OTHER = "other", _("Other")


class Plan(models.Model):
    """A draft plan an agency puts to public comment."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    summary = models.TextField(_("summary"), blank=True)
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("owning agency"),
        on_delete=models.PROTECT,
        related_name="plans",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    opens_at = models.DateTimeField(_("comments open"), null=True, blank=True)
    closes_at = models.DateTimeField(_("comments close"), null=True, blank=True)
    current_version = models.ForeignKey(
        "PlanVersion",
        verbose_name=_("current version"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The latest published version; set when a version is published."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="consultation_plan_window_order",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("consultation:plan_detail", args=[self.slug])

    @property
    def is_published(self) -> bool:
        return self.current_version_id is not None


class PlanVersion(models.Model):
    """One numbered text of a plan. Immutable once ``published_at`` is set."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("number"))
    body = models.TextField(_("text (Markdown)"))
    change_summary = models.TextField(_("summary of changes"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    IMMUTABLE_FIELDS = ("plan_id", "number", "body", "change_summary", "published_at")

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"], name="consultation_version_number_unique"
            ),
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(published_at__isnull=True),
                name="consultation_one_draft_per_plan",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A published version is a public record: refuse to rewrite it, whatever
        # the caller (service, admin, shell). Publishing itself is allowed.
        if self.pk is not None and not self._state.adding:
            stored = (
                PlanVersion.objects.filter(pk=self.pk, published_at__isnull=False)
                .values(*self.IMMUTABLE_FIELDS)
                .first()
            )
            if stored is not None:
                changed = [n for n, v in stored.items() if getattr(self, n) != v]
                if changed:
                    raise ValueError(
                        f"Version {self.number} of plan {self.plan_id} is published "
                        f"and cannot change ({', '.join(changed)})."
                    )
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(
            "consultation:version_detail", args=[self.plan.slug, self.number]
        )

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Section(models.Model):
    """A heading and its text inside a published version."""

    version = models.ForeignKey(
        PlanVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="sections",
    )
    key = models.CharField(_("key"), max_length=40)
    ordinal = models.PositiveIntegerField(_("position"))
    level = models.PositiveSmallIntegerField(_("heading level"), default=2)
    heading = models.CharField(_("heading"), max_length=300, blank=True)
    source = models.TextField(_("text (Markdown)"), blank=True)
    body_html = models.TextField(_("text (HTML)"), blank=True)
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("responsible agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commitments",
    )
    milestones = models.JSONField(_("milestones"), default=list, blank=True)

    class Meta:
        ordering = ["version", "ordinal"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "key"], name="consultation_section_key_unique"
            ),
            models.UniqueConstraint(
                fields=["version", "ordinal"],
                name="consultation_section_ordinal_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.heading or str(_("Preamble"))

    @property
    def is_commitment(self) -> bool:
        return bool(self.agency_id or self.milestones)

    @property
    def anchor(self) -> str:
        """The HTML id of the section on plan pages."""
        return f"section-{self.key}"


class Comment(models.Model):
    """A contribution on one section of a published version, or a reply."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="comments"
    )
    section = models.ForeignKey(
        Section,
        verbose_name=_("section"),
        on_delete=models.PROTECT,
        related_name="comments",
    )
    # Copied from the section so that comments on one clause can be found
    # across versions with one indexed lookup.
    section_key = models.CharField(_("section key"), max_length=40)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("in reply to"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="consultation_comments",
    )
    stance = models.CharField(
        _("stance"), max_length=16, choices=Stance.choices, blank=True
    )
    quote = models.TextField(_("quoted passage"), blank=True)
    body = models.TextField(_("text (Markdown)"))
    body_html = models.TextField(_("text (HTML)"))
    created_at = models.DateTimeField(_("posted"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_reason = models.CharField(
        _("reason hidden"), max_length=16, choices=FlagReason.choices, blank=True
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            models.Index(
                fields=["plan", "section_key"], name="consult_comment_key_idx"
            ),
            models.Index(
                fields=["plan", "created_at"], name="consult_comment_date_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} on {self.section_key}"

    def get_absolute_url(self) -> str:
        return reverse("consultation:comment_detail", args=[self.pk])

    def get_stance_display(self) -> str:  # type: ignore[no-redef]  # faster
        return choice_label(Stance, self.stance)

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_visible(self) -> bool:
        """Its text is shown to the public."""
        return self.hidden_at is None and self.withdrawn_at is None

    @property
    def status(self) -> CommentStatus:
        if self.hidden_at is not None:
            return CommentStatus.HIDDEN
        if self.withdrawn_at is not None:
            return CommentStatus.WITHDRAWN
        return CommentStatus.PUBLISHED


class CommentRevision(models.Model):
    """The text of a comment before an edit (the edit history)."""

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="revisions"
    )
    stance = models.CharField(max_length=16, choices=Stance.choices, blank=True)
    quote = models.TextField(blank=True)
    body = models.TextField()
    body_html = models.TextField()
    written_at = models.DateTimeField(_("written"))
    replaced_at = models.DateTimeField(_("replaced"), default=timezone.now)

    class Meta:
        ordering = ["comment", "written_at", "pk"]
        verbose_name = _("comment revision")
        verbose_name_plural = _("comment revisions")

    def __str__(self) -> str:
        return f"#{self.comment_id} as of {self.written_at:%Y-%m-%d %H:%M}"


class Endorsement(models.Model):
    """One person's endorsement of a comment (at most one each)."""

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="endorsements"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="consultation_endorsements",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "user"], name="consultation_one_endorsement_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} endorses #{self.comment_id}"


class OfficialResponse(models.Model):
    """An agency's reasoned answer to a comment. The latest one is current;
    earlier ones stay as the history of the answer."""

    comment = models.ForeignKey(
        Comment,
        verbose_name=_("comment"),
        on_delete=models.CASCADE,
        related_name="responses",
    )
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("responding agency"),
        on_delete=models.PROTECT,
        related_name="consultation_responses",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responder"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    disposition = models.CharField(
        _("disposition"), max_length=24, choices=Disposition.choices
    )
    body = models.TextField(_("reasons (Markdown)"))
    body_html = models.TextField(_("reasons (HTML)"))
    addressed_in = models.ForeignKey(
        PlanVersion,
        verbose_name=_("addressed in version"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="addressed_responses",
    )
    created_at = models.DateTimeField(_("responded"), default=timezone.now)

    class Meta:
        ordering = ["comment", "created_at", "pk"]
        verbose_name = _("official response")
        verbose_name_plural = _("official responses")
        indexes = [
            models.Index(fields=["comment", "created_at"], name="consult_response_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_disposition_display()} (#{self.comment_id})"

    def get_disposition_display(self) -> str:  # type: ignore[no-redef]  # faster
        return choice_label(Disposition, self.disposition)


class Flag(models.Model):
    """Someone's report that a comment breaks the rules."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="consultation_flags",
    )
    reason = models.CharField(_("reason"), max_length=16, choices=FlagReason.choices)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("flagged"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter"], name="consultation_one_flag_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reason} on #{self.comment_id}"


class ModerationAction(models.Model):
    """The moderation log: every hide, restore and dismissal, with its reason."""

    class Action(models.TextChoices):
        HIDE = "hide", _("Hidden")
        RESTORE = "restore", _("Restored")
        DISMISS = "dismiss", _("Flags dismissed")

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="moderation_actions"
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    reason = models.CharField(
        _("reason"), max_length=16, choices=FlagReason.choices, blank=True
    )
    note = models.TextField(
        _("note for moderators"),
        blank=True,
        help_text=_("Not shown publicly."),
    )
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation actions")

    def __str__(self) -> str:
        return f"{self.action} #{self.comment_id}"


class PlanFollow(models.Model):
    """A person's choice about a plan's new versions.

    ``following`` True: they follow it. False: they explicitly unfollowed,
    which wins over having commented (commenting on a plan counts as following
    it without a row; see docs/notifications.md).
    """

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="follows"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="plan_follows",
    )
    following = models.BooleanField(_("following"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("plan follow")
        verbose_name_plural = _("plan follows")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "user"], name="consultation_one_follow_per_user"
            )
        ]

    def __str__(self) -> str:
        verb = "follows" if self.following else "unfollowed"
        return f"{self.user_id} {verb} {self.plan_id}"
