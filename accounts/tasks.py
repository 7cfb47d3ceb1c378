"""Background tasks of the accounts app (run by ``manage.py db_worker``).

Notification e-mails are sent at most once: whoever sends one first claims it
by setting ``Notification.emailed_at`` with a conditional UPDATE (immediate
e-mails) or under ``select_for_update(skip_locked=True)`` (digests), in the
same transaction as the send, so a failed send is retried and a rerun or a
second worker never sends twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import TaskResultStatus, task

from accounts.emails import digest_message, notification_message
from accounts.models import EmailFrequency, Notification

logger = logging.getLogger(__name__)


def _unsent() -> QuerySet[Notification]:
    return Notification.objects.filter(emailed_at__isnull=True).exclude(
        email_subject=""
    )


@task()
def send_notification_email(notification_id: int) -> bool:
    """Send one notification's e-mail now; False when there is nothing to send
    (already sent, sent in a digest, or the recipient changed their mind)."""
    with transaction.atomic():
        claimed = (
            _unsent()
            .filter(
                pk=notification_id,
                recipient__is_active=True,
                recipient__email_notifications=EmailFrequency.IMMEDIATELY,
            )
            .update(emailed_at=timezone.now())
        )
        if not claimed:
            return False
        notification = Notification.objects.select_related("recipient").get(
            pk=notification_id
        )
        user = notification.recipient
        if not user.email:
            return False
        notification_message(user, notification).send()
    logger.info("notification e-mail sent to user %s", user.pk)
    return True


def send_digest(user_id: int) -> int:
    """Send ``user_id`` one e-mail with their unsent notifications; returns
    how many it carried (0: nothing was sent)."""
    with transaction.atomic():
        rows = list(
            _unsent()
            .filter(recipient_id=user_id)
            .select_related("recipient")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("created_at", "pk")
        )
        if not rows:
            return 0
        user = rows[0].recipient
        if not (user.is_active and user.email):
            return 0
        if user.email_notifications == EmailFrequency.OFF:
            return 0
        Notification.objects.filter(pk__in=[n.pk for n in rows]).update(
            emailed_at=timezone.now()
        )
        digest_message(user, rows).send()
    logger.info("digest of %d notifications sent to user %s", len(rows), user_id)
    return len(rows)


def run_digests() -> int:
    """Send every digest that is due; returns the number of e-mails sent.

    Due: people on the daily digest with unsent notifications, and anyone who
    switched from the digest to immediate e-mails while some were waiting.
    """
    user_ids = list(
        _unsent()
        .filter(recipient__is_active=True)
        .exclude(recipient__email_notifications=EmailFrequency.OFF)
        .exclude(recipient__email="")
        .values_list("recipient_id", flat=True)
        .distinct()
        .order_by("recipient_id")
    )
    return sum(1 for user_id in user_ids if send_digest(user_id))


def next_digest_time(now: datetime | None = None) -> datetime:
    """The next ``NOTIFICATION_DIGEST_HOUR`` o'clock in ``TIME_ZONE``,
    strictly after ``now``."""
    zone = ZoneInfo(settings.TIME_ZONE)
    local = (now or timezone.now()).astimezone(zone)
    hour = settings.NOTIFICATION_DIGEST_HOUR
    candidate = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if candidate <= local:
        candidate = (candidate + timedelta(days=1)).replace(hour=hour)
    return candidate


def _digest_pending() -> bool:
    """Whether a future run of :func:`send_digests` is already queued (only
    the database backend keeps a queue to look into)."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - the backend is a dependency
        return False
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=send_digests.module_path
    ).exists()


def schedule_next_digest() -> bool:
    """Queue the next daily run, unless the backend cannot defer tasks or a
    run is already queued. Returns whether one was queued."""
    if not send_digests.get_backend().supports_defer or _digest_pending():
        return False
    send_digests.using(run_after=next_digest_time()).enqueue()
    return True


@task()
def send_digests() -> int:
    """The daily digest run: send what is due, then queue tomorrow's run."""
    sent = run_digests()
    schedule_next_digest()
    return sent
