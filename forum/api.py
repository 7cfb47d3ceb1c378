"""HTTP JSON API of live sessions: reads, and the writes the live pages use.

Each write calls one service; errors follow common.api (400 field errors, 403,
429 with ``retry_after``, 503). Writes need the session cookie and a CSRF
token, for visitors without an account too (see CsrfSessionAuthentication).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from rest_framework.authentication import SessionAuthentication
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from forum import events, selectors, services
from forum.models import ForumSession, Question
from forum.participants import participant_from_request
from forum.permissions import access_session, can_moderate_session


class CsrfSessionAuthentication(SessionAuthentication):
    """Session authentication that checks CSRF for visitors as well.

    DRF checks CSRF only for logged-in users; sessions that let visitors take
    part identify them by their browser session, so their writes need the same
    protection."""

    def authenticate(self, request: Request) -> Any:
        result = super().authenticate(request)
        if result is None and request.method not in ("GET", "HEAD", "OPTIONS"):
            self.enforce_csrf(request)
        return result


class ForumAPIView(APIView):
    authentication_classes = [CsrfSessionAuthentication]
    permission_classes = [AllowAny]  # services decide


def _payload(request: Request) -> dict[str, Any]:
    data = request.data
    if not isinstance(data, dict):
        raise ValidationError(_("Send a JSON object."))
    return data


def _int_or_none(value: Any, field: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValidationError({field: [_("Give a number or null.")]})
    try:
        return int(value)
    except ValueError:
        raise ValidationError({field: [_("Give a number or null.")]}) from None


def _bool(value: Any, field: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ValidationError({field: [_("Give true or false.")]})
    return value


def session_summary(session: ForumSession) -> dict[str, Any]:
    data: dict[str, Any] = dict(events.session_data(session))
    data["description"] = session.description
    data["ical"] = session.get_absolute_url() + "calendar.ics"
    return data


class SessionListView(GenericAPIView[ForumSession]):
    """Every session, oldest first, paginated (``?page=``)."""

    authentication_classes = [CsrfSessionAuthentication]
    permission_classes = [AllowAny]
    queryset = ForumSession.objects.order_by("starts_at", "pk")

    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset()) or []
        return self.get_paginated_response([session_summary(s) for s in page])


class SessionDetailView(ForumAPIView):
    def get(self, request: Request, session_id: int) -> Response:
        session = access_session(session_id)
        participant = participant_from_request(request)
        data = session_summary(session)
        data["agenda"] = [
            events.agenda_item_data(i) for i in session.agenda_items.all()
        ]
        data["questions"] = [
            events.question_data(q)
            for q in selectors.visible_questions(session, participant)
        ]
        data["upvoted"] = selectors.questions_upvoted_by(session, participant)
        data["can_moderate"] = can_moderate_session(request.user, session)
        return Response(data)


class AskQuestionView(ForumAPIView):
    def post(self, request: Request, session_id: int) -> Response:
        session = access_session(session_id)
        data = _payload(request)
        body = data.get("body")
        if not isinstance(body, str):
            raise ValidationError({"body": [_("Write your question first.")]})
        question = services.ask_question(
            session_id=session.pk,
            participant=participant_from_request(request, create=True),
            body=body,
            anonymous=_bool(data.get("anonymous"), "anonymous"),
            agenda_item_id=_int_or_none(data.get("agenda_item"), "agenda_item"),
        )
        return Response(events.question_data(question), status=201)


def _question(question_id: int) -> Question:
    from django.http import Http404

    try:
        return Question.objects.get(pk=question_id)
    except Question.DoesNotExist:
        raise Http404(_("No such question.")) from None


class UpvoteView(ForumAPIView):
    def _set(self, request: Request, question_id: int, upvoted: bool) -> Response:
        question = _question(question_id)
        result = services.set_upvote(
            question_id=question.pk,
            participant=participant_from_request(request, create=True),
            upvoted=upvoted,
        )
        return Response(
            {
                "question": result.question,
                "upvoted": result.upvoted,
                "upvotes": result.upvotes,
            }
        )

    def post(self, request: Request, question_id: int) -> Response:
        return self._set(request, question_id, True)

    def delete(self, request: Request, question_id: int) -> Response:
        return self._set(request, question_id, False)


class ModerateView(ForumAPIView):
    def post(self, request: Request, question_id: int) -> Response:
        question = _question(question_id)
        action = _payload(request).get("action")
        if not isinstance(action, str):
            raise ValidationError({"action": [_("Choose an action.")]})
        question = services.moderate_question(
            question_id=question.pk, user=request.user, action=action
        )
        return Response(events.question_data(question))


class CurrentAgendaItemView(ForumAPIView):
    def post(self, request: Request, session_id: int) -> Response:
        session = access_session(session_id)
        item = _int_or_none(_payload(request).get("item"), "item")
        session = services.set_current_agenda_item(
            session_id=session.pk, user=request.user, item_id=item
        )
        return Response(
            events.agenda_updated(session.agenda_items.all(), session.current_item_id)
        )


class SessionStatusView(ForumAPIView):
    def post(self, request: Request, session_id: int) -> Response:
        session = access_session(session_id)
        status = _payload(request).get("status")
        if not isinstance(status, str):
            raise ValidationError({"status": [_("Choose “live” or “ended”.")]})
        session = services.set_session_status(
            session_id=session.pk, user=request.user, status=status
        )
        return Response(session_summary(session))
