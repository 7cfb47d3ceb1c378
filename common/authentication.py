"""REST API authentication: the session, with CSRF for everyone.

DRF's ``SessionAuthentication`` checks CSRF only for logged-in users. Agora
lets visitors without an account take part (questions, votes), identified by
their browser session, so their writes need the same protection. This is the
project's default authentication class (``REST_FRAMEWORK`` in settings).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.authentication import SessionScheme
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request


class CsrfSessionAuthentication(SessionAuthentication):
    def authenticate(self, request: Request) -> Any:
        result = super().authenticate(request)
        if result is None and request.method not in ("GET", "HEAD", "OPTIONS"):
            self.enforce_csrf(request)
        return result


class CsrfSessionScheme(SessionScheme):  # type: ignore[no-untyped-call]
    """OpenAPI description of the authentication above (a session cookie)."""

    target_class = "common.authentication.CsrfSessionAuthentication"
