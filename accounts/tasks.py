"""Background tasks of the accounts app (run by ``manage.py db_worker``)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task

from accounts.models import User

logger = logging.getLogger(__name__)


@task()
def send_notification_email(recipient_id: int, subject: str, body: str) -> bool:
    """Send one notification e-mail; False when there is nobody to send it to."""
    user = User.objects.filter(pk=recipient_id, is_active=True).first()
    if user is None or not user.email:
        return False
    prefix = getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", "")
    subject = " ".join(f"{prefix}{subject}".split())[:200]
    send_mail(subject, body, None, [user.email])
    logger.info("notification e-mail sent to user %s", recipient_id)
    return True
