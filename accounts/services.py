"""Account writes."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Agency, Notification, Sector, User
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
    when ``email_subject`` is given, an e-mail sent once the transaction
    commits (through the task queue, so a slow mail server never slows a
    request and a rollback sends nothing).

    ``title`` and ``url`` are shown on the site; keep them free of private data.
    """
    notification = Notification.objects.create(
        recipient=recipient,
        kind=kind[:50],
        title=clean_text(title)[:300],
        url=url[:500],
    )
    if email_subject and recipient.is_active and recipient.email:
        from accounts.tasks import send_notification_email

        body = email_body
        if url:
            body = f"{body}\n\n{settings.SITE_URL}{url}" if body else url
        recipient_id, subject = recipient.pk, email_subject
        transaction.on_commit(
            lambda: send_notification_email.enqueue(recipient_id, subject, body)
        )
    return notification


def mark_notifications_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark ``user``'s notifications (all, or those in ``ids``) as read."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
