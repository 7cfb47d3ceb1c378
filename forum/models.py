"""Live forum sessions: ForumSession, AgendaItem, Question, QuestionVote, SessionEvent.

A session is broadcast (stream embed), follows an ordered agenda and collects
questions from viewers, which moderators approve, highlight and mark answered.
Every state change is recorded as a :class:`SessionEvent` with a per-session,
per-stream increasing ``seq`` (see docs/realtime.md); upvote counts are state,
kept on the question and coalesced into ``tally`` frames.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    LIVE = "live", _("Live")
    ENDED = "ended", _("Ended")


class QuestionStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting moderation")
    VISIBLE = "visible", _("Open")
    ANSWERED = "answered", _("Answered")
    DISMISSED = "dismissed", _("Dismissed")
    HIDDEN = "hidden", _("Hidden")


# Statuses everybody may see; the others are for moderators (and, for a
# pending question, its author).
PUBLIC_STATUSES = (QuestionStatus.VISIBLE, QuestionStatus.ANSWERED)


class Stream(models.TextChoices):
    """The two event streams of a session (each has its own ``seq``)."""

    PUBLIC = "public", _("Public")
    MODERATORS = "moderators", _("Moderators")


class ForumSession(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("organising agency"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="forum_sessions",
    )
    plan = models.ForeignKey(
        "consultation.Plan",
        verbose_name=_("plan under discussion"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="forum_sessions",
        help_text=_("The published plan this session discusses (optional)."),
    )
    starts_at = models.DateTimeField(_("scheduled start"))
    ends_at = models.DateTimeField(_("scheduled end"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=SessionStatus.choices,
        default=SessionStatus.SCHEDULED,
    )
    stream_url = models.URLField(
        _("stream URL"),
        blank=True,
        help_text=_(
            "A YouTube, Vimeo or PeerTube video, or an HLS (.m3u8) stream, "
            "from a host on the site's allow-list."
        ),
    )
    moderators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderators"),
        blank=True,
        related_name="moderated_forum_sessions",
    )
    premoderation = models.BooleanField(
        _("pre-moderate questions"),
        default=False,
        help_text=_("Questions appear only after a moderator approves them."),
    )
    allow_anonymous = models.BooleanField(
        _("allow anonymous questions"),
        default=True,
        help_text=_("Participants may hide their name on a question."),
    )
    login_required = models.BooleanField(
        _("login required to take part"),
        default=True,
        help_text=_(
            "When off, visitors without an account may ask and upvote; they are "
            "told apart by their browser session."
        ),
    )
    current_item = models.ForeignKey(
        "AgendaItem",
        verbose_name=_("current agenda item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    highlighted = models.ForeignKey(
        "Question",
        verbose_name=_("question being answered"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    minutes = models.TextField(_("minutes (Markdown)"), blank=True)
    minutes_html = models.TextField(editable=False, blank=True)
    recording_url = models.URLField(_("recording URL"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # Last seq given out on each stream; advanced under the row lock.
    public_seq = models.PositiveBigIntegerField(default=0, editable=False)
    moderator_seq = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("forum session")
        verbose_name_plural = _("forum sessions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")),
                name="forum_session_ends_after_start",
            )
        ]
        indexes = [models.Index(fields=["status", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("forum:session_detail", args=[self.pk])

    def clean(self) -> None:
        from forum.services import validate_session

        validate_session(self)

    @property
    def is_live(self) -> bool:
        return self.status == SessionStatus.LIVE

    @property
    def is_ended(self) -> bool:
        return self.status == SessionStatus.ENDED


class AgendaItem(models.Model):
    session = models.ForeignKey(
        ForumSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="agenda_items",
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), null=True, blank=True
    )

    class Meta:
        ordering = ["session", "position", "pk"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    session = models.ForeignKey(
        ForumSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="forum_questions",
    )
    # "user:<id>" or "guest:<digest of the browser session>": who asked, for
    # limits and moderation, whether or not the question is anonymous.
    participant = models.CharField(max_length=80, db_index=True, editable=False)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    body = models.TextField(_("question"), max_length=500)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=QuestionStatus.choices,
        default=QuestionStatus.VISIBLE,
    )
    upvote_count = models.PositiveIntegerField(_("upvotes"), default=0)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        indexes = [models.Index(fields=["session", "status"])]

    def __str__(self) -> str:
        return self.body[:60]

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES


class QuestionVote(models.Model):
    """One upvote: one per participant and question (a database constraint)."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="votes"
    )
    participant = models.CharField(max_length=80)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("upvote")
        verbose_name_plural = _("upvotes")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "participant"], name="forum_one_upvote_each"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} → {self.question_id}"


class SessionEvent(models.Model):
    """A persisted state change, replayed to viewers that reconnect."""

    session = models.ForeignKey(
        ForumSession, on_delete=models.CASCADE, related_name="events"
    )
    stream = models.CharField(max_length=16, choices=Stream.choices)
    seq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=40)
    payload: models.JSONField[dict[str, Any]] = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "stream", "seq"]
        verbose_name = _("session event")
        verbose_name_plural = _("session events")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "stream", "seq"], name="forum_event_seq_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.stream}#{self.seq} {self.type}"


class SessionFollow(models.Model):
    """A person who wants to know when a session goes live."""

    session = models.ForeignKey(
        ForumSession,
        verbose_name=_("forum session"),
        on_delete=models.CASCADE,
        related_name="follows",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="session_follows",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("session follow")
        verbose_name_plural = _("session follows")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"], name="forum_one_follow_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.session_id}"
