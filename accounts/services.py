"""Account writes."""

from __future__ import annotations

from collections.abc import Iterable

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Agency, EmailFrequency, Notification, Sector, User
from accounts.roles import Role, group_for
from common.sanitize import clean_text


def clean_display_name(value: str) -> str:
    """A display name is public: never empty, never an e-mail address."""
    name = " ".join(clean_text(value).split())
    if not name:
        raise ValidationError(_("Enter a display name."), code="required")
    if len(name) > 60:
        raise ValidationError(
            _("Keep your display name to 60 characters or fewer."), code="max_length"
        )
    try:
        validate_email(name)
    except ValidationError:
        return name
    raise ValidationError(
        _("Your display name is public: please do not use an e-mail address."),
        code="email_as_name",
    )


def update_profile(
    *, user: User, display_name: str, sector: str, organisation: str = ""
) -> User:
    errors: dict[str, list[str]] = {}
    try:
        user.display_name = clean_display_name(display_name)
    except ValidationError as exc:
        errors["display_name"] = exc.messages
    if sector not in Sector.values:
        errors["sector"] = [_("Choose one of the listed sectors.")]
    organisation = " ".join(clean_text(organisation).split())
    if len(organisation) > 200:
        errors["organisation"] = [_("Keep the organisation to 200 characters.")]
    if errors:
        raise ValidationError(errors)
    user.sector = sector
    user.organisation = organisation
    user.save(update_fields=["display_name", "sector", "organisation"])
    return user


@transaction.atomic
def assign_role(*, user: User, role: Role, agency: Agency | None = None) -> User:
    """Give ``user`` a role. Officials must belong to an agency."""
    if role is Role.OFFICIAL:
        if agency is None and user.agency_id is None:
            raise ValidationError(
                {"agency": [_("An official must belong to an agency.")]}
            )
        if agency is not None:
            user.agency = agency
            user.save(update_fields=["agency"])
    if role is Role.ADMINISTRATOR:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(group_for(role))
    user.__dict__.pop("_agora_roles", None)
    return user


def _wants_email(recipient: User) -> bool:
    return (
        recipient.is_active
        and bool(recipient.email)
        and recipient.email_notifications != EmailFrequency.OFF
    )


def _schedule_immediate(notifications: Iterable[Notification]) -> None:
    """Enqueue, after commit, the e-mails of those who want them at once (the
    others wait for the daily digest)."""
    ids = [
        n.pk
        for n in notifications
        if n.email_subject
        and n.recipient.email_notifications == EmailFrequency.IMMEDIATELY
    ]
    if not ids:
        return
    from accounts.tasks import send_notification_email

    def enqueue() -> None:
        for pk in ids:
            send_notification_email.enqueue(pk)

    transaction.on_commit(enqueue)


def _build(
    recipient: User, kind: str, title: str, url: str, subject: str, body: str
) -> Notification:
    wants = bool(subject) and _wants_email(recipient)
    return Notification(
        recipient=recipient,
        kind=kind[:50],
        title=clean_text(title)[:300],
        url=url[:500],
        email_subject=" ".join(clean_text(subject).split())[:200] if wants else "",
        email_body=body if wants else "",
    )


def notify(
    *,
    recipient: User,
    kind: str,
    title: str,
    url: str = "",
    email_subject: str = "",
    email_body: str = "",
) -> Notification:
    """Tell ``recipient`` something: a row on their notifications page and,
    when ``email_subject`` is given, an e-mail as the recipient chose in their
    notification settings (at once, in the daily digest, or none). An
    immediate e-mail is enqueued once the transaction commits (through the
    task queue, so a slow mail server never slows a request and a rollback
    sends nothing).

    ``title`` and ``url`` are shown on the site; keep them free of private data.
    """
    notification = _build(recipient, kind, title, url, email_subject, email_body)
    notification.save()
    _schedule_immediate([notification])
    return notification


def notify_many(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    url: str = "",
    email_subject: str = "",
    email_body: str = "",
) -> list[Notification]:
    """:func:`notify` for many people at once: one INSERT for all the rows.

    The caller computes ``recipients`` (one query, each person once, the actor
    left out).
    """
    rows = [
        _build(user, kind, title, url, email_subject, email_body) for user in recipients
    ]
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    _schedule_immediate(created)
    return created


def set_email_frequency(*, user: User, frequency: str) -> User:
    """Choose how notification e-mails arrive. Turning them off also drops
    those still waiting for a digest."""
    if frequency not in EmailFrequency.values:
        raise ValidationError(
            {"email_notifications": [_("Choose one of the listed options.")]}
        )
    with transaction.atomic():
        user.email_notifications = frequency
        user.save(update_fields=["email_notifications"])
        if frequency == EmailFrequency.OFF:
            Notification.objects.filter(
                recipient=user, emailed_at__isnull=True
            ).exclude(email_subject="").update(email_subject="", email_body="")
    return user


def mark_notifications_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark ``user``'s notifications (all, or those in ``ids``) as read."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


UNSUBSCRIBE_SALT = "accounts.unsubscribe"


def unsubscribe_token(user: User) -> str:
    """A signed token naming ``user``: the authority of an unsubscribe link,
    which works without logging in."""
    return signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def user_for_unsubscribe_token(token: str) -> User:
    """The user an unsubscribe token names; ValidationError when it is forged,
    damaged or names nobody."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user = User.objects.get(pk=int(data["u"]))
    except (signing.BadSignature, User.DoesNotExist, KeyError, TypeError, ValueError):
        raise ValidationError(
            _(
                "This unsubscribe link is not valid. Copy the whole link from "
                "the e-mail, or log in and change your notification settings."
            ),
            code="bad_token",
        ) from None
    return user


def unsubscribe(*, token: str) -> User:
    """Turn off notification e-mails for the user named by ``token``."""
    user = user_for_unsubscribe_token(token)
    return set_email_frequency(user=user, frequency=EmailFrequency.OFF)
