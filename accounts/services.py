"""Account writes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
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


def supported_language(code: str) -> str:
    """The code in ``settings.LANGUAGES`` that ``code`` stands for ("zh-Hant",
    "zh-tw" → "zh-hant"); "" for an empty or unsupported one."""
    try:
        return translation.get_supported_language_variant(code) if code else ""
    except LookupError:
        return ""


def set_language(*, user: User, language: str) -> User:
    """Remember the language ``user`` reads the site in (for notifications and
    e-mails); an unsupported code leaves it unchanged."""
    language = supported_language(language)
    if language and language != user.language:
        user.language = language
        user.save(update_fields=["language"])
    return user


def update_profile(
    *,
    user: User,
    display_name: str,
    sector: str,
    organisation: str = "",
    language: str | None = None,
) -> User:
    """Save the profile fields; ``language`` "" means the site's default and
    ``None`` leaves it unchanged."""
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
    fields = ["display_name", "sector", "organisation"]
    if language is not None:
        if language and language not in dict(settings.LANGUAGES):
            errors["language"] = [_("Choose one of the listed languages.")]
        fields.append("language")
    if errors:
        raise ValidationError(errors)
    user.sector = sector
    user.organisation = organisation
    if language is not None:
        user.language = language
    user.save(update_fields=fields)
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


@dataclass(frozen=True)
class NotificationText:
    """What a notification says: the title on the site and, when it is worth
    an e-mail, the e-mail's subject and body."""

    title: str
    email_subject: str = ""
    email_body: str = ""


# Builds a notification's text in the active language (called under
# ``translation.override`` with the recipient's language).
Compose = Callable[[], NotificationText]


def _build(
    recipient: User, kind: str, url: str, text: NotificationText
) -> Notification:
    wants = bool(text.email_subject) and _wants_email(recipient)
    return Notification(
        recipient=recipient,
        kind=kind[:50],
        title=clean_text(text.title)[:300],
        url=url[:500],
        email_subject=(
            " ".join(clean_text(text.email_subject).split())[:200] if wants else ""
        ),
        email_body=text.email_body if wants else "",
    )


def _composer(
    compose: Compose | None, title: str, email_subject: str, email_body: str
) -> Compose:
    if compose is not None:
        return compose
    text = NotificationText(title, email_subject, email_body)
    return lambda: text


def notify(
    *,
    recipient: User,
    kind: str,
    url: str = "",
    compose: Compose | None = None,
    title: str = "",
    email_subject: str = "",
    email_body: str = "",
) -> Notification:
    """Tell ``recipient`` something: a row on their notifications page and,
    when the text has an ``email_subject``, an e-mail as the recipient chose
    in their notification settings (at once, in the daily digest, or none).
    An immediate e-mail is enqueued once the transaction commits (through the
    task queue, so a slow mail server never slows a request and a rollback
    sends nothing).

    ``compose`` builds the text; it runs in the recipient's language
    (:attr:`User.notification_language`), so build translated strings inside
    it, not before. Fixed strings may be given as ``title`` /
    ``email_subject`` / ``email_body`` instead.

    ``title`` and ``url`` are shown on the site; keep them free of private data.
    """
    compose = _composer(compose, title, email_subject, email_body)
    with translation.override(recipient.notification_language):
        text = compose()
    notification = _build(recipient, kind, url, text)
    notification.save()
    _schedule_immediate([notification])
    return notification


def notify_many(
    *,
    recipients: Iterable[User],
    kind: str,
    url: str = "",
    compose: Compose | None = None,
    title: str = "",
    email_subject: str = "",
    email_body: str = "",
) -> list[Notification]:
    """:func:`notify` for many people at once: one INSERT for all the rows,
    and ``compose`` called once per language among the recipients.

    The caller computes ``recipients`` (one query, each person once, the actor
    left out).
    """
    compose = _composer(compose, title, email_subject, email_body)
    texts: dict[str, NotificationText] = {}
    rows = []
    for user in recipients:
        language = user.notification_language
        if language not in texts:
            with translation.override(language):
                texts[language] = compose()
        rows.append(_build(user, kind, url, texts[language]))
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
