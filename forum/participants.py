"""Who is acting: an account, or (when a session allows it) a browser session.

Every question and upvote is tied to a participant key, ``user:<id>`` for a
logged-in account or ``guest:<digest>`` for a visitor's browser session, so one
person has one upvote per question and rate limits apply to them whether or
not their question is shown as anonymous. The digest is keyed with the site's
secret so a key never reveals the session cookie.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from accounts.permissions import is_member


@dataclass(frozen=True)
class Participant:
    user: Any
    key: str
    ip: str = ""

    @property
    def is_member(self) -> bool:
        return is_member(self.user)


def guest_key(session_key: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), session_key.encode(), hashlib.sha256
    ).hexdigest()
    return f"guest:{digest[:32]}"


def key_for(user: Any, session_key: str | None) -> str:
    if is_member(user):
        return f"user:{user.pk}"
    return guest_key(session_key) if session_key else ""


def participant_from_request(
    request: HttpRequest, *, create: bool = False
) -> Participant:
    """The participant behind a request; ``create`` starts a browser session
    for a visitor who has none yet (only when they act)."""
    session = request.session
    if create and not is_member(request.user) and not session.session_key:
        session.save()
    return Participant(
        user=request.user,
        key=key_for(request.user, session.session_key),
        ip=str(request.META.get("REMOTE_ADDR", "")),
    )


def participant_from_scope(scope: dict[str, Any]) -> Participant:
    session = scope.get("session")
    session_key = getattr(session, "session_key", None)
    client = scope.get("client") or ("", 0)
    return Participant(
        user=scope.get("user"),
        key=key_for(scope.get("user"), session_key),
        ip=client[0],
    )
