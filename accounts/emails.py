"""Notification e-mails: one notification, or a digest of several.

Plain text with an HTML alternative, both rendered from templates. Every
message carries an unsubscribe link that works without logging in, and the
``List-Unsubscribe`` / ``List-Unsubscribe-Post`` headers of RFC 2369 and
RFC 8058 so that mail programs can offer one-click unsubscribe. Only display
names ever appear in a message, never anyone's e-mail address.

Each message is written in its recipient's language
(:attr:`User.notification_language`), whoever caused the event; the
notification's own subject and body were stored in that language when it was
created (:func:`accounts.services.notify`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import Notification, User
from accounts.services import unsubscribe_token

# Headings of the digest's groups, by notification kind (others: "Other").
KIND_HEADINGS = {
    "consultation.reply": gettext_lazy("Replies to your comments"),
    "consultation.response": gettext_lazy("Official responses to your comments"),
    "consultation.version": gettext_lazy("New versions of plans"),
    "forum.live": gettext_lazy("Sessions going live"),
}


@dataclass
class Group:
    heading: str
    items: list[tuple[Notification, str]] = field(default_factory=list)


def _absolute(url: str) -> str:
    if url.startswith("/"):
        return f"{settings.SITE_URL}{url}"
    return ""


def _subject(text: str) -> str:
    prefix = getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", "")
    return " ".join(f"{prefix}{text}".split())[:200]


def _message(
    user: User, subject: str, template: str, context: dict[str, Any]
) -> EmailMultiAlternatives:
    unsubscribe_url = settings.SITE_URL + reverse(
        "accounts:unsubscribe", args=[unsubscribe_token(user)]
    )
    context = {
        **context,
        "name": user.display_name,
        "unsubscribe_url": unsubscribe_url,
        "settings_url": settings.SITE_URL + reverse("accounts:notification_settings"),
        "site_url": settings.SITE_URL,
    }
    text = render_to_string(f"accounts/email/{template}.txt", context)
    html = render_to_string(f"accounts/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=_subject(subject),
        body=text,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def notification_message(
    user: User, notification: Notification
) -> EmailMultiAlternatives:
    with translation.override(user.notification_language):
        return _message(
            user,
            notification.email_subject,
            "notification",
            {
                "notification": notification,
                "link": _absolute(notification.url),
            },
        )


def group_notifications(notifications: Sequence[Notification]) -> list[Group]:
    """Group by kind (in the order of KIND_HEADINGS), oldest first in each."""
    groups: dict[str, Group] = {}
    for notification in sorted(notifications, key=lambda n: (n.created_at, n.pk)):
        kind = notification.kind if notification.kind in KIND_HEADINGS else ""
        heading = str(KIND_HEADINGS[kind]) if kind else _("Other")
        groups.setdefault(kind, Group(heading)).items.append(
            (notification, _absolute(notification.url))
        )
    order = [*KIND_HEADINGS, ""]
    return [groups[kind] for kind in order if kind in groups]


def digest_message(
    user: User, notifications: Sequence[Notification]
) -> EmailMultiAlternatives:
    count = len(notifications)
    with translation.override(user.notification_language):
        return _message(
            user,
            ngettext(
                "Your daily digest: %(count)d notification",
                "Your daily digest: %(count)d notifications",
                count,
            )
            % {"count": count},
            "digest",
            {
                "groups": group_notifications(notifications),
                "count": count,
                "notifications_url": settings.SITE_URL
                + reverse("accounts:notifications"),
            },
        )
