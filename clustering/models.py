"""Opinion conversations: statements, participants, votes and analyses.

Rules that must hold under concurrency are database constraints: one vote per
participant and statement, one participant per account / browser / imported
id in a conversation. The analysis runs in a worker (see ``services/analysis.py``);
``AnalysisSchedule`` is its per-conversation bookkeeping row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

STATEMENT_MAX_LENGTH = 280


class VotePolicy(models.TextChoices):
    ANYONE = "anyone", _("Anyone with a browser session")
    MEMBERS = "members", _("Logged-in members only")


class StatementPolicy(models.TextChoices):
    ANYONE = "anyone", _("Anyone who may vote")
    MEMBERS = "members", _("Logged-in members only")
    MODERATORS = "moderators", _("Moderators only")


class Conversation(models.Model):
    """A question put to the public as short statements to vote on."""

    topic = models.CharField(_("topic"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=80,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Optional stable name (used by demo data and imports)."),
    )
    description = models.TextField(_("description"), blank=True)
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("owning agency"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conversations",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_open = models.BooleanField(
        _("open for votes"),
        default=True,
        help_text=_("Closed conversations keep their report but take no votes."),
    )
    is_private = models.BooleanField(
        _("private results"),
        default=False,
        help_text=_(
            "Only moderators, administrators and the owning agency's officials "
            "see the report, the analysis and the downloads."
        ),
    )
    vote_policy = models.CharField(
        _("who may vote"),
        max_length=16,
        choices=VotePolicy.choices,
        default=VotePolicy.ANYONE,
    )
    statement_policy = models.CharField(
        _("who may add statements"),
        max_length=16,
        choices=StatementPolicy.choices,
        default=StatementPolicy.ANYONE,
    )
    strict_moderation = models.BooleanField(
        _("strict moderation"),
        default=True,
        help_text=_("New statements from participants wait for a moderator."),
    )
    # Links to the other activities. A section is named by its key, which is
    # stable across the plan's versions (validated against the current one).
    plan = models.ForeignKey(
        "consultation.Plan",
        verbose_name=_("linked plan"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conversations",
    )
    section_key = models.CharField(_("linked section"), max_length=40, blank=True)
    session = models.ForeignKey(
        "forum.ForumSession",
        verbose_name=_("linked forum session"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conversations",
    )
    source_url = models.URLField(_("source"), blank=True)
    attribution = models.TextField(
        _("attribution"),
        blank=True,
        help_text=_("Required credit for imported data, shown with the report."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")

    def __str__(self) -> str:
        return self.topic

    def get_absolute_url(self) -> str:
        return reverse("clustering:conversation_detail", args=[self.pk])

    def get_report_url(self) -> str:
        return reverse("clustering:report", args=[self.pk])


class StatementStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class RejectionReason(models.TextChoices):
    OFF_TOPIC = "off_topic", _("Off-topic")
    DUPLICATE = "duplicate", _("Duplicate of another statement")
    UNCLEAR = "unclear", _("Unclear or more than one idea")
    ABUSE = "abuse", _("Abusive or disrespectful")
    SPAM = "spam", _("Spam or advertising")
    PERSONAL_DATA = "personal_data", _("Contains personal data")
    OTHER = "other", _("Other")


class Participant(models.Model):
    """One person in one conversation: an account, a browser, or imported.

    The primary key is the participant's public pseudonym (analysis JSON,
    exports); it is never the account id.
    """

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="clustering_participations",
    )
    # NULL (not "") so that the partial unique constraints skip missing values.
    browser_token = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    external_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "user"],
                condition=Q(user__isnull=False),
                name="clustering_participant_one_per_user",
            ),
            models.UniqueConstraint(
                fields=["conversation", "browser_token"],
                condition=Q(browser_token__isnull=False),
                name="clustering_participant_one_per_browser",
            ),
            models.UniqueConstraint(
                fields=["conversation", "external_id"],
                condition=Q(external_id__isnull=False),
                name="clustering_participant_one_per_external_id",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"


class Statement(models.Model):
    """A short plain-text statement participants agree or disagree with."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="statements"
    )
    text = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="clustering_statements",
    )
    author_participant = models.ForeignKey(
        Participant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="statements",
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=StatementStatus.choices,
        default=StatementStatus.PENDING,
    )
    rejection_reason = models.CharField(
        _("reason"), max_length=16, choices=RejectionReason.choices, blank=True
    )
    moderation_note = models.CharField(_("note"), max_length=280, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    is_meta = models.BooleanField(
        _("meta statement"),
        default=False,
        help_text=_(
            "About the conversation itself (shown to voters, left out of the "
            "opinion groups)."
        ),
    )
    is_seed = models.BooleanField(_("seed statement"), default=False)
    external_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    source_question = models.ForeignKey(
        "forum.Question",
        verbose_name=_("forum question"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="statements",
        help_text=_("The forum question this statement was made from."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        indexes = [models.Index(fields=["conversation", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "external_id"],
                condition=Q(external_id__isnull=False),
                name="clustering_statement_one_per_external_id",
            ),
            models.UniqueConstraint(
                fields=["conversation", "source_question"],
                condition=Q(source_question__isnull=False),
                name="clustering_statement_one_per_question",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class VoteValue(models.IntegerChoices):
    AGREE = 1, _("Agree")
    DISAGREE = -1, _("Disagree")
    PASS = 0, _("Pass / unsure")


class Vote(models.Model):
    """The current vote of a participant on a statement (agree = +1)."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="votes"
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="votes"
    )
    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="votes"
    )
    value = models.SmallIntegerField(choices=VoteValue.choices)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        indexes = [models.Index(fields=["conversation", "updated_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "statement"],
                name="clustering_vote_one_per_participant_statement",
            ),
            models.CheckConstraint(
                condition=Q(value__in=[-1, 0, 1]), name="clustering_vote_value"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}→{self.statement_id}: {self.value}"


class VoteHistory(models.Model):
    """Every vote as cast, including changes (append-only)."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="+"
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="+"
    )
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="+")
    value = models.SmallIntegerField(choices=VoteValue.choices)
    previous_value = models.SmallIntegerField(
        choices=VoteValue.choices, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vote history entry")
        verbose_name_plural = _("vote history")
        indexes = [models.Index(fields=["conversation", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__in=[-1, 0, 1]), name="clustering_history_value"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}→{self.statement_id}: {self.value}"


class FlagReason(models.TextChoices):
    SPAM = "spam", _("Spam")
    ABUSE = "abuse", _("Abuse or harassment")
    OFF_TOPIC = "off_topic", _("Off-topic")
    PERSONAL_DATA = "personal_data", _("Personal data")
    OTHER = "other", _("Other")


class StatementFlag(models.Model):
    """A participant's report that a statement breaks the rules."""

    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="flags"
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="flags"
    )
    reason = models.CharField(_("reason"), max_length=16, choices=FlagReason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("flagged"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "participant"],
                condition=Q(resolved_at__isnull=True),
                name="clustering_flag_one_open_per_participant",
            )
        ]

    def __str__(self) -> str:
        return f"{self.statement_id}: {self.reason}"


class AnalysisStatus(models.TextChoices):
    OK = "ok", _("Computed")
    FAILED = "failed", _("Failed")


class Analysis(models.Model):
    """One run of ``clustering.math.analyze`` over a conversation's votes.

    ``result`` is the engine's JSON (docs/analysis.md) and ``state`` the
    warm-start state; both are kept for the latest few analyses only (older
    rows keep ``summary`` for the history chart). ``report`` is the compact
    view model the pages and the websocket use (no statement text: that is
    joined when served, so moderation takes effect at once).
    """

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="analyses"
    )
    status = models.CharField(
        max_length=8, choices=AnalysisStatus.choices, default=AnalysisStatus.OK
    )
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    computed_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)
    params = models.JSONField(default=dict)
    changes = models.BigIntegerField(
        default=0, help_text="AnalysisSchedule.changes when the run started"
    )
    n_votes = models.PositiveIntegerField(default=0)
    n_participants = models.PositiveIntegerField(default=0)
    n_clustered = models.PositiveIntegerField(default=0)
    k = models.PositiveSmallIntegerField(default=0)
    last_vote_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict)
    priorities = models.JSONField(default=dict)
    report = models.JSONField(null=True, blank=True)
    positions = models.JSONField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    state = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("analysis")
        verbose_name_plural = _("analyses")
        indexes = [models.Index(fields=["conversation", "status", "-id"])]
        get_latest_by = "pk"

    def __str__(self) -> str:
        return f"{self.conversation_id}/{self.pk} ({self.status})"


class AnalysisSchedule(models.Model):
    """Per-conversation worker bookkeeping (see services/analysis.py).

    ``changes`` is bumped in the same transaction as every vote or moderation
    change; an analysis covers the value it read when it started.
    """

    conversation = models.OneToOneField(
        Conversation,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="schedule",
    )
    changes = models.BigIntegerField(default=0)
    analysed_changes = models.BigIntegerField(default=0)
    task_due_at = models.DateTimeField(null=True, blank=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    running_token = models.CharField(max_length=64, blank=True)
    running_by = models.CharField(max_length=200, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("analysis schedule")
        verbose_name_plural = _("analysis schedules")

    def __str__(self) -> str:
        return f"{self.conversation_id}: {self.analysed_changes}/{self.changes}"

    @property
    def is_dirty(self) -> bool:
        return self.changes > self.analysed_changes

    @property
    def is_running(self) -> bool:
        return bool(
            self.running_token
            and self.lease_until is not None
            and self.lease_until > timezone.now()
        )
