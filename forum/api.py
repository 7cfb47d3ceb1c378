"""HTTP JSON API of live sessions: reads, and the writes the live pages use.

Each write validates its JSON with a small serializer and calls one service;
errors follow common.api (400 field errors, 403, 404, 429 with
``retry_after``, 503). Writes need the session cookie and a CSRF token, for
visitors without an account too (see common.authentication). The protocol
is documented in docs/realtime.md.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clustering.selectors import linked_conversations
from common.api import (
    BAD_FILTER,
    NOT_FOUND,
    WRITE_ERRORS,
    choice_param,
    date_parameters,
    filter_dates,
    status_parameter,
)
from forum import events, selectors, services
from forum.models import (
    PUBLIC_STATUSES,
    ForumSession,
    Question,
    QuestionStatus,
    SessionStatus,
)
from forum.participants import participant_from_request
from forum.permissions import access_session, can_moderate_session
from forum.serializers import (
    AgendaUpdatedSerializer,
    QuestionSerializer,
    SessionDetailSerializer,
    SessionSerializer,
    UpvoteSerializer,
)


class StrictCharField(serializers.CharField):
    """A string, and only a string (DRF's CharField also takes numbers)."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


class AskInput(serializers.Serializer[Any]):
    body = StrictCharField(allow_blank=True, trim_whitespace=False)
    anonymous = serializers.BooleanField(default=False)
    agenda_item = serializers.IntegerField(required=False, allow_null=True)


class ModerateInput(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=sorted(services.MODERATION))


class AgendaInput(serializers.Serializer[Any]):
    item = serializers.IntegerField(allow_null=True)


class StatusInput(serializers.Serializer[Any]):
    status = serializers.ChoiceField(
        choices=[("live", gettext_lazy("Live")), ("ended", gettext_lazy("Ended"))]
    )


def _valid(
    serializer_class: type[serializers.Serializer[Any]], request: Request
) -> Any:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ForumAPIView(APIView):
    permission_classes = [AllowAny]  # the services decide


def session_summary(session: ForumSession) -> dict[str, Any]:
    data: dict[str, Any] = dict(events.session_data(session))
    data["description"] = session.description
    data["ical"] = session.get_absolute_url() + "calendar.ics"
    plan = session.plan
    data["plan"] = (
        {"slug": plan.slug, "title": plan.title, "url": plan.get_absolute_url()}
        if plan is not None
        else None
    )
    return data


def _question(question_id: int) -> Question:
    try:
        return Question.objects.get(pk=question_id)
    except Question.DoesNotExist:
        raise Http404(_("No such question.")) from None


TAG = "forum"
SESSION_DATES = {
    "starts_after": "starts_at__gte",
    "starts_before": "starts_at__lt",
    "updated_after": "updated_at__gte",
}
QUESTION_DATES = {
    "created_after": "created_at__gte",
    "created_before": "created_at__lt",
    "updated_after": "updated_at__gte",
}


class SessionListView(GenericAPIView[ForumSession]):
    """Every session, oldest first, paginated (``?page=``)."""

    permission_classes = [AllowAny]
    queryset = ForumSession.objects.select_related("plan").order_by("starts_at", "pk")

    @extend_schema(
        tags=[TAG],
        operation_id="forum_sessions_list",
        summary="Forum sessions, by scheduled start",
        parameters=[
            status_parameter(SessionStatus.values),
            *date_parameters(
                starts_after="Scheduled to start at or after",
                starts_before="Scheduled to start before",
                updated_after="Changed at or after",
            ),
        ],
        responses={
            200: SessionSerializer(many=True),
            400: BAD_FILTER,
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        sessions = self.get_queryset()
        wanted = choice_param(params, "status", SessionStatus.values)
        if wanted:
            sessions = sessions.filter(status=wanted)
        sessions = filter_dates(sessions, params, SESSION_DATES)
        page = self.paginate_queryset(sessions) or []
        return self.get_paginated_response([session_summary(s) for s in page])


class SessionDetailView(ForumAPIView):
    @extend_schema(
        tags=[TAG],
        operation_id="forum_session_detail",
        responses={200: SessionDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, session_id: int) -> Response:
        """A session with its agenda, its minutes and the questions the caller
        may see."""
        session = access_session(session_id)
        participant = participant_from_request(request)
        data = session_summary(session)
        data["minutes_html"] = session.minutes_html
        data["agenda"] = [
            events.agenda_item_data(i) for i in session.agenda_items.all()
        ]
        data["questions"] = [
            events.question_data(q)
            for q in selectors.visible_questions(session, participant)
        ]
        data["upvoted"] = selectors.questions_upvoted_by(session, participant)
        data["can_moderate"] = can_moderate_session(request.user, session)
        data["conversations"] = [
            {
                "id": c.pk,
                "topic": c.topic,
                "is_open": c.is_open,
                "url": c.get_absolute_url(),
            }
            for c in linked_conversations(session=session)
        ]
        return Response(data)


class AskQuestionView(GenericAPIView[Question], ForumAPIView):
    serializer_class = AskInput  # what OPTIONS describes

    @extend_schema(
        tags=[TAG],
        operation_id="forum_session_questions_list",
        summary="Public questions of a session (open and answered), oldest first",
        parameters=[
            status_parameter([str(s) for s in PUBLIC_STATUSES]),
            *date_parameters(
                created_after="Asked at or after",
                created_before="Asked before",
                updated_after="Changed at or after (answers, upvotes)",
            ),
        ],
        responses={
            200: QuestionSerializer(many=True),
            400: BAD_FILTER,
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, session_id: int) -> Response:
        session = access_session(session_id)
        params = request.query_params
        wanted = choice_param(params, "status", [str(s) for s in PUBLIC_STATUSES])
        questions = Question.objects.filter(
            session=session,
            status__in=[QuestionStatus(wanted)] if wanted else PUBLIC_STATUSES,
        ).select_related("author")
        questions = filter_dates(questions, params, QUESTION_DATES)
        page = self.paginate_queryset(questions.order_by("created_at", "pk")) or []
        return self.get_paginated_response([events.question_data(q) for q in page])

    @extend_schema(
        tags=[TAG],
        request=AskInput,
        responses={201: QuestionSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, session_id: int) -> Response:
        """Ask a question (pending until approved when the session pre-moderates)."""
        session = access_session(session_id)
        data = _valid(AskInput, request)
        question = services.ask_question(
            session_id=session.pk,
            participant=participant_from_request(request, create=True),
            body=data["body"],
            anonymous=data["anonymous"],
            agenda_item_id=data.get("agenda_item"),
        )
        return Response(events.question_data(question), status=201)


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

    @extend_schema(
        tags=[TAG], request=None, responses={200: UpvoteSerializer, **WRITE_ERRORS}
    )
    def post(self, request: Request, question_id: int) -> Response:
        """Upvote a question (idempotent)."""
        return self._set(request, question_id, True)

    @extend_schema(
        tags=[TAG], request=None, responses={200: UpvoteSerializer, **WRITE_ERRORS}
    )
    def delete(self, request: Request, question_id: int) -> Response:
        """Remove your upvote (idempotent)."""
        return self._set(request, question_id, False)


class ModerateView(ForumAPIView):
    @extend_schema(
        tags=[TAG],
        request=ModerateInput,
        responses={200: QuestionSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, question_id: int) -> Response:
        """Approve, dismiss, answer, highlight, hide or restore (moderators)."""
        question = _question(question_id)
        question = services.moderate_question(
            question_id=question.pk,
            user=request.user,
            action=_valid(ModerateInput, request)["action"],
        )
        return Response(events.question_data(question))


class CurrentAgendaItemView(ForumAPIView):
    @extend_schema(
        tags=[TAG],
        request=AgendaInput,
        responses={200: AgendaUpdatedSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, session_id: int) -> Response:
        """Make an agenda item the current one (moderators)."""
        session = access_session(session_id)
        session = services.set_current_agenda_item(
            session_id=session.pk,
            user=request.user,
            item_id=_valid(AgendaInput, request)["item"],
        )
        return Response(
            events.agenda_updated(session.agenda_items.all(), session.current_item_id)
        )


class SessionStatusView(ForumAPIView):
    @extend_schema(
        tags=[TAG],
        request=StatusInput,
        responses={200: SessionSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, session_id: int) -> Response:
        """Start or end the session (moderators)."""
        session = access_session(session_id)
        session = services.set_session_status(
            session_id=session.pk,
            user=request.user,
            status=_valid(StatusInput, request)["status"],
        )
        return Response(session_summary(session))


class SessionFollowSerializer(serializers.Serializer[Any]):
    following = serializers.BooleanField(
        help_text="Whether you are told when the session goes live."
    )


class SessionFollowView(APIView):
    """Follow a session, to be told when it goes live."""

    @extend_schema(
        operation_id="forum_session_following",
        responses={200: SessionFollowSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, session_id: int) -> Response:
        """Whether you follow the session."""
        session = access_session(session_id)
        following = selectors.is_following_session(request.user, session)
        return Response({"following": following})

    def _set(self, request: Request, session_id: int, follow: bool) -> Response:
        session = access_session(session_id)
        services.set_session_follow(user=request.user, session=session, follow=follow)
        return Response({"following": follow})

    @extend_schema(
        request=None, responses={200: SessionFollowSerializer, **WRITE_ERRORS}
    )
    def post(self, request: Request, session_id: int) -> Response:
        """Follow the session (idempotent)."""
        return self._set(request, session_id, True)

    @extend_schema(
        request=None, responses={200: SessionFollowSerializer, **WRITE_ERRORS}
    )
    def delete(self, request: Request, session_id: int) -> Response:
        """Stop following the session (idempotent)."""
        return self._set(request, session_id, False)
