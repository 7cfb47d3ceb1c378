"""Business rules of live forum sessions (check permission → validate → write →
schedule effects).

Every change to what viewers see is recorded as :class:`SessionEvent` rows in
the same transaction, under a lock on the session row, which hands out the next
``seq`` of each stream; the frames are broadcast after commit. Upvotes change
counts, which are state: they schedule a ``tally.dirty`` notice and the fan-out
hubs send coalesced ``tally`` frames (see forum/fanout.py, docs/realtime.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import is_member
from accounts.services import NotificationText, notify_many
from common import ratelimit
from common.realtime import broadcast_on_commit
from common.sanitize import clean_text, render_markdown
from forum import events
from forum.groups import moderator_group, session_group
from forum.models import (
    PUBLIC_STATUSES,
    AgendaItem,
    ForumSession,
    Question,
    QuestionStatus,
    QuestionVote,
    SessionEvent,
    SessionFollow,
    SessionStatus,
    Stream,
)
from forum.participants import Participant
from forum.permissions import (
    can_moderate_session,
    can_publish_minutes,
    participation_refusal,
)
from forum.streams import stream_url_error

QUESTION_MAX_LENGTH = 500
QUESTION_RATE = "3/minute"
QUESTION_IP_RATE = "60/minute"
UPVOTE_RATE = "30/minute"
UPVOTE_IP_RATE = "600/minute"


# --- Events -------------------------------------------------------------------


@dataclass
class EventLog:
    """Collects a change's events; :meth:`save` numbers, stores and schedules
    them. ``session`` must be locked (``select_for_update``) by the caller."""

    session: ForumSession
    _rows: list[SessionEvent] = field(default_factory=list)

    def emit(
        self,
        *,
        public: dict[str, Any] | None = None,
        moderators: dict[str, Any] | None = None,
    ) -> None:
        at = timezone.now().isoformat()
        session = self.session
        if public is not None:
            session.public_seq += 1
            self._add(Stream.PUBLIC, session.public_seq, public, at)
        if moderators is not None:
            session.moderator_seq += 1
            self._add(Stream.MODERATORS, session.moderator_seq, moderators, at)

    def _add(self, stream: str, seq: int, payload: dict[str, Any], at: str) -> None:
        frame = {**payload, "seq": seq, "at": at}
        self._rows.append(
            SessionEvent(
                session=self.session,
                stream=stream,
                seq=seq,
                type=payload["type"],
                payload=frame,
            )
        )
        group = (
            session_group(self.session.pk)
            if stream == Stream.PUBLIC
            else moderator_group(self.session.pk)
        )
        broadcast_on_commit(group, frame)

    def save(self) -> None:
        if not self._rows:
            return
        SessionEvent.objects.bulk_create(self._rows)
        ForumSession.objects.filter(pk=self.session.pk).update(
            public_seq=self.session.public_seq,
            moderator_seq=self.session.moderator_seq,
            updated_at=timezone.now(),
        )
        self._rows = []


def _locked_session(session_id: int) -> ForumSession:
    try:
        return ForumSession.objects.select_for_update().get(pk=session_id)
    except ForumSession.DoesNotExist:
        raise ValidationError({"session": [_("No such forum session.")]}) from None


def _emit_question(
    log: EventLog, question: Question, *, was_public: bool | None
) -> None:
    """Events for a new (``was_public`` None) or changed question: the
    moderators always hear of it; the public when it is or was public."""
    is_new = was_public is None
    data = events.question_data(question)
    moderators = (
        events.question_added(data) if is_new else events.question_updated(data)
    )
    public: dict[str, Any] | None = None
    if question.is_public and not was_public:
        public = events.question_added(data)
    elif was_public:
        public = events.question_updated(events.public_question_data(question))
    log.emit(public=public, moderators=moderators)


def _emit_session(log: EventLog) -> None:
    payload = events.session_updated(log.session)
    log.emit(public=payload, moderators=payload)


# --- Questions ----------------------------------------------------------------


def _check_participation(participant: Participant, session: ForumSession) -> None:
    refusal = participation_refusal(participant.user, session)
    if refusal is not None:
        raise PermissionDenied(refusal)
    if not participant.key:
        raise PermissionDenied(_("Your browser must accept cookies to take part."))


def ask_question(
    *,
    session_id: int,
    participant: Participant,
    body: str,
    anonymous: bool = False,
    agenda_item_id: int | None = None,
) -> Question:
    session = ForumSession.objects.filter(pk=session_id).first()
    if session is None:
        raise ValidationError({"session": [_("No such forum session.")]})
    _check_participation(participant, session)
    text = clean_text(body).strip()
    errors: dict[str, list[str]] = {}
    if not text:
        errors["body"] = [_("Write your question first.")]
    elif len(text) > QUESTION_MAX_LENGTH:
        errors["body"] = [
            _("Keep your question to %(max)d characters (it has %(count)d).")
            % {"max": QUESTION_MAX_LENGTH, "count": len(text)}
        ]
    if anonymous and not session.allow_anonymous and participant.is_member:
        errors["anonymous"] = [_("This session does not take anonymous questions.")]
    item = None
    if agenda_item_id is not None:
        item = AgendaItem.objects.filter(pk=agenda_item_id, session=session).first()
        if item is None:
            errors["agenda_item"] = [_("Choose an item of this session's agenda.")]
    if errors:
        raise ValidationError(errors)
    ratelimit.check("forum.question", participant.key, QUESTION_RATE)
    if participant.ip:
        ratelimit.check("forum.question.ip", participant.ip, QUESTION_IP_RATE)

    with transaction.atomic():
        session = _locked_session(session_id)
        question = Question.objects.create(
            session=session,
            agenda_item=item,
            author=participant.user if participant.is_member else None,
            participant=participant.key,
            anonymous=bool(anonymous) and participant.is_member,
            body=text,
            status=(
                QuestionStatus.PENDING
                if session.premoderation
                else QuestionStatus.VISIBLE
            ),
        )
        log = EventLog(session)
        _emit_question(log, question, was_public=None)
        log.save()
    return question


@dataclass(frozen=True)
class UpvoteResult:
    question: int
    upvoted: bool
    upvotes: int


def set_upvote(
    *, question_id: int, participant: Participant, upvoted: bool
) -> UpvoteResult:
    """Add or remove this participant's upvote. Idempotent: a second click (or
    a retry) finds the row already there, or already gone. The unique
    constraint, not this code, guarantees one upvote per participant."""
    question = Question.objects.select_related("session").filter(pk=question_id).first()
    if question is None:
        raise ValidationError({"question": [_("No such question.")]})
    _check_participation(participant, question.session)
    if question.status != QuestionStatus.VISIBLE:
        raise ValidationError({"question": [_("Only open questions can be upvoted.")]})
    ratelimit.check("forum.upvote", participant.key, UPVOTE_RATE)
    if participant.ip:
        ratelimit.check("forum.upvote.ip", participant.ip, UPVOTE_IP_RATE)

    with transaction.atomic():
        changed = False
        if upvoted:
            try:
                with transaction.atomic():
                    QuestionVote.objects.create(
                        question=question,
                        participant=participant.key,
                        user=participant.user if participant.is_member else None,
                    )
                changed = True
            except IntegrityError:
                changed = False  # already upvoted: nothing to do
            delta = 1
        else:
            deleted, _detail = QuestionVote.objects.filter(
                question=question, participant=participant.key
            ).delete()
            changed = deleted > 0
            delta = -1
        if changed:
            Question.objects.filter(pk=question.pk).update(
                upvote_count=F("upvote_count") + delta
            )
            broadcast_on_commit(
                session_group(question.session_id), events.tally_dirty([question.pk])
            )
        count = Question.objects.values_list("upvote_count", flat=True).get(
            pk=question.pk
        )
    return UpvoteResult(question=question.pk, upvoted=upvoted, upvotes=count)


# Moderation: action → (statuses it applies to, resulting status).
MODERATION: dict[str, tuple[frozenset[str], str]] = {
    "approve": (frozenset({QuestionStatus.PENDING}), QuestionStatus.VISIBLE),
    "dismiss": (
        frozenset({QuestionStatus.PENDING, QuestionStatus.VISIBLE}),
        QuestionStatus.DISMISSED,
    ),
    "answer": (frozenset({QuestionStatus.VISIBLE}), QuestionStatus.ANSWERED),
    "highlight": (frozenset({QuestionStatus.VISIBLE}), QuestionStatus.VISIBLE),
    "hide": (
        frozenset(
            {QuestionStatus.PENDING, QuestionStatus.VISIBLE, QuestionStatus.ANSWERED}
        ),
        QuestionStatus.HIDDEN,
    ),
    "restore": (
        frozenset(
            {QuestionStatus.DISMISSED, QuestionStatus.HIDDEN, QuestionStatus.ANSWERED}
        ),
        QuestionStatus.VISIBLE,
    ),
}


def moderate_question(*, question_id: int, user: Any, action: str) -> Question:
    question = Question.objects.select_related("session").filter(pk=question_id).first()
    if question is None:
        raise ValidationError({"question": [_("No such question.")]})
    if not can_moderate_session(user, question.session):
        raise PermissionDenied(_("Only this session's moderators can do that."))
    if action not in MODERATION:
        raise ValidationError(
            {
                "action": [
                    _("Unknown action: choose one of %(actions)s.")
                    % {"actions": ", ".join(MODERATION)}
                ]
            }
        )

    with transaction.atomic():
        session = _locked_session(question.session_id)
        question = Question.objects.select_related("author").get(pk=question_id)
        allowed, new_status = MODERATION[action]
        if question.status not in allowed:
            raise ValidationError(
                {
                    "action": [
                        _("A “%(status)s” question cannot be given that action.")
                        % {"status": question.get_status_display()}
                    ]
                }
            )
        log = EventLog(session)
        was_public = question.status in PUBLIC_STATUSES
        if new_status != question.status:
            question.status = new_status
            question.answered_at = (
                timezone.now() if new_status == QuestionStatus.ANSWERED else None
            )
            question.save(update_fields=["status", "answered_at", "updated_at"])
            _emit_question(log, question, was_public=was_public)
        if action == "highlight":
            highlighted: int | None = question.pk
        elif session.highlighted_id == question.pk:
            highlighted = None  # answered, hidden or dismissed: no longer "now"
        else:
            highlighted = session.highlighted_id
        if highlighted != session.highlighted_id:
            session.highlighted_id = highlighted
            session.save(update_fields=["highlighted"])
            _emit_session(log)
        log.save()
    return question


# --- Running the session ------------------------------------------------------


def _check_moderator(user: Any, session_id: int) -> ForumSession:
    session = _locked_session(session_id)
    if not can_moderate_session(user, session):
        raise PermissionDenied(_("Only this session's moderators can do that."))
    return session


def set_current_agenda_item(
    *, session_id: int, user: Any, item_id: int | None
) -> ForumSession:
    with transaction.atomic():
        session = _check_moderator(user, session_id)
        if item_id is not None and not session.agenda_items.filter(pk=item_id).exists():
            raise ValidationError(
                {"item": [_("Choose an item of this session's agenda.")]}
            )
        if session.current_item_id != item_id:
            session.current_item_id = item_id
            session.save(update_fields=["current_item"])
            log = EventLog(session)
            payload = events.agenda_updated(session.agenda_items.all(), item_id)
            log.emit(public=payload, moderators=payload)
            log.save()
    return session


STATUS_CHANGES = {
    SessionStatus.LIVE: {SessionStatus.SCHEDULED},
    SessionStatus.ENDED: {SessionStatus.SCHEDULED, SessionStatus.LIVE},
}


def set_session_status(*, session_id: int, user: Any, status: str) -> ForumSession:
    with transaction.atomic():
        session = _check_moderator(user, session_id)
        if status not in STATUS_CHANGES:
            raise ValidationError({"status": [_("Choose “live” or “ended”.")]})
        if session.status == status:
            return session
        if session.status not in STATUS_CHANGES[SessionStatus(status)]:
            raise ValidationError(
                {"status": [_("An ended session cannot go live again.")]}
            )
        now = timezone.now()
        session.status = status
        log = EventLog(session)
        if status == SessionStatus.LIVE:
            session.started_at = now
            first = session.agenda_items.first()
            if session.current_item_id is None and first is not None:
                session.current_item = first
                payload = events.agenda_updated(session.agenda_items.all(), first.pk)
                log.emit(public=payload, moderators=payload)
        else:
            session.ended_at = now
            session.highlighted = None
        session.save(
            update_fields=[
                "status", "started_at", "ended_at", "current_item", "highlighted"
            ]
        )  # fmt: skip
        _emit_session(log)
        log.save()
        if status == SessionStatus.LIVE:
            _notify_followers(session, actor=user)
    return session


# --- Following a session --------------------------------------------------------

FOLLOW_RATE = "30/minute"


def set_session_follow(*, user: Any, session: ForumSession, follow: bool) -> bool:
    """Follow (or stop following) a session, to be told when it goes live;
    idempotent. Returns the new state."""
    if not is_member(user):
        raise PermissionDenied(_("Log in to follow a session."))
    ratelimit.check("forum-follow", f"user:{user.pk}", FOLLOW_RATE)
    if follow:
        SessionFollow.objects.get_or_create(session=session, user=user)
    else:
        SessionFollow.objects.filter(session=session, user=user).delete()
    return follow


def _notify_followers(session: ForumSession, *, actor: Any) -> None:
    values = {"title": session.title}
    followers = User.objects.filter(is_active=True, session_follows__session=session)
    if getattr(actor, "pk", None) is not None:
        followers = followers.exclude(pk=actor.pk)
    notify_many(
        recipients=followers.order_by("pk"),
        kind="forum.live",
        url=session.get_absolute_url(),
        compose=lambda: NotificationText(
            title=_("“%(title)s” is live now.") % values,
            email_subject=_("Live now: “%(title)s”") % values,
            email_body=_(
                "The session you follow has started. Join it to watch and ask "
                "questions."
            ),
        ),
    )


def publish_minutes(
    *, session_id: int, user: Any, minutes: str, recording_url: str
) -> ForumSession:
    with transaction.atomic():
        session = _locked_session(session_id)
        if not can_publish_minutes(user, session):
            raise PermissionDenied(_("Only this session's moderators can do that."))
        if session.status != SessionStatus.ENDED:
            raise ValidationError(
                {"minutes": [_("Minutes are published after the session has ended.")]}
            )
        recording_url = recording_url.strip()
        if recording_url and not recording_url.startswith(("https://", "http://")):
            raise ValidationError(
                {"recording_url": [_("Enter a web address starting with https://.")]}
            )
        session.minutes = clean_text(minutes)
        session.minutes_html = render_markdown(minutes) if minutes.strip() else ""
        session.recording_url = recording_url
        session.save(update_fields=["minutes", "minutes_html", "recording_url"])
        log = EventLog(session)
        _emit_session(log)
        log.save()
    return session


def validate_session(session: ForumSession) -> None:
    """Model-level rules for admin forms: times and an embeddable stream."""
    errors: dict[str, list[str]] = {}
    if session.starts_at and session.ends_at and session.ends_at < session.starts_at:
        errors["ends_at"] = [_("The session must end after it starts.")]
    problem = stream_url_error(session.stream_url)
    if problem:
        errors["stream_url"] = [problem]
    if errors:
        raise ValidationError(errors)
