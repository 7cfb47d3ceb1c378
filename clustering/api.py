"""REST API of opinion conversations (thin adapters over services/selectors).

GET  /api/conversations/                  list
GET  /api/conversations/{id}/             one conversation with its statements
GET  /api/conversations/{id}/next/        the caller's next statement and progress
POST /api/conversations/{id}/votes/       {"statement": id, "value": 1 | -1 | 0}
POST /api/conversations/{id}/statements/  {"text": "..."}
GET  /api/conversations/{id}/analysis/    latest analysis JSON (docs/analysis.md)
POST /api/questions/{id}/to-statement/    {"conversation": id | null} (forum bridge,
                                          the session's moderators)

Writes use the session (an account, or the anonymous browser session) and
need the CSRF token even for anonymous callers. Errors are JSON per field.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clustering import permissions, selectors, services
from clustering.models import STATEMENT_MAX_LENGTH, Conversation
from clustering.services.analysis import analysis_state
from clustering.services.participation import Actor, browser_token, find_participant
from common.api import (
    BAD_FILTER,
    NOT_FOUND,
    WRITE_ERRORS,
    choice_param,
    date_parameters,
    filter_dates,
    status_parameter,
)
from forum.models import Question


class CsrfSessionScheme(SessionScheme):  # type: ignore[no-untyped-call]
    """OpenAPI: the session cookie (CSRF token required for every caller)."""

    target_class = "clustering.api.CsrfSessionAuthentication"
    name = "sessionCookieWithCsrf"


class CsrfSessionAuthentication(SessionAuthentication):
    """Session authentication that checks CSRF for anonymous callers too:
    anonymous votes belong to the browser session, so they need the same
    protection as an account's."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        user = getattr(request._request, "user", None)
        self.enforce_csrf(request)
        if not user or not user.is_active or not user.is_authenticated:
            return None
        return (user, None)


def _actor(request: Request, *, create: bool) -> Actor:
    return Actor(
        user=request.user,
        browser_token=browser_token(request._request.session, create=create),
        ip=str(request.META.get("REMOTE_ADDR", "")),
    )


def _conversation(request: Request, pk: int) -> Conversation:
    try:
        return permissions.access_conversation(request.user, pk)
    except Exception:
        raise NotFound(_("No such conversation.")) from None


LINKED_PLAN_SCHEMA: dict[str, Any] = {
    "type": "object",
    "nullable": True,
    "properties": {
        "slug": {"type": "string"},
        "title": {"type": "string"},
        "url": {"type": "string"},
    },
}
LINKED_SESSION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "nullable": True,
    "properties": {
        "id": {"type": "integer"},
        "slug": {"type": "string"},
        "title": {"type": "string"},
        "url": {"type": "string"},
    },
}


class StatementSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    text = serializers.CharField()
    is_meta = serializers.BooleanField()


class ConversationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    n_statements = serializers.IntegerField(read_only=True, default=0)
    n_participants = serializers.IntegerField(read_only=True, default=0)
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    report_url = serializers.CharField(source="get_report_url", read_only=True)
    plan = serializers.SerializerMethodField()
    session = serializers.SerializerMethodField()
    agency = serializers.CharField(source="agency.name", default=None, read_only=True)

    class Meta:
        model = Conversation
        fields = [
            "id",
            "topic",
            "description",
            "agency",
            "is_open",
            "is_private",
            "vote_policy",
            "statement_policy",
            "strict_moderation",
            "plan",
            "section_key",
            "session",
            "n_statements",
            "n_participants",
            "url",
            "report_url",
            "created_at",
        ]

    @extend_schema_field(LINKED_PLAN_SCHEMA)
    def get_plan(self, obj: Conversation) -> dict[str, Any] | None:
        """The linked plan by its slug (``section_key`` names a section of it)."""
        plan = obj.plan
        if plan is None:
            return None
        return {"slug": plan.slug, "title": plan.title, "url": plan.get_absolute_url()}

    @extend_schema_field(LINKED_SESSION_SCHEMA)
    def get_session(self, obj: Conversation) -> dict[str, Any] | None:
        """The linked forum session (``id`` as in ``/api/sessions/{id}/``)."""
        session = obj.session
        if session is None:
            return None
        return {
            "id": session.pk,
            "slug": session.slug,
            "title": session.title,
            "url": session.get_absolute_url(),
        }


class ConversationDetailSerializer(ConversationSerializer):
    statements = serializers.SerializerMethodField()
    analysis = serializers.SerializerMethodField()

    class Meta(ConversationSerializer.Meta):
        fields = [*ConversationSerializer.Meta.fields, "statements", "analysis"]

    def get_statements(self, obj: Conversation) -> list[dict[str, Any]]:
        from clustering.services.participation import visible_statements

        return [
            {"id": pk, "text": text, "is_meta": meta}
            for pk, text, meta in visible_statements(obj)
            .order_by("pk")
            .values_list("pk", "text", "is_meta")
        ]

    def get_analysis(self, obj: Conversation) -> dict[str, Any] | None:
        updating, failed = analysis_state(obj.pk)
        latest = selectors.latest_analysis(obj.pk)
        visible = permissions.can_view_report(self.context["request"].user, obj)
        return {
            "updating": updating,
            "failed": failed,
            "id": latest.pk if latest else None,
            "computed_at": latest.computed_at if latest else None,
            "n_votes": latest.n_votes if latest and visible else None,
            "n_participants": latest.n_participants if latest and visible else None,
            "k": latest.k if latest and visible else None,
        }


CONVERSATION_STATUS = {"open": True, "closed": False}


@extend_schema(
    tags=["clustering"],
    summary="Opinion conversations, newest first",
    parameters=[
        status_parameter(
            list(CONVERSATION_STATUS), description="Open for votes, or closed"
        ),
        *date_parameters(
            created_after="Created at or after",
            created_before="Created before",
            updated_after="Changed at or after",
        ),
    ],
    responses={
        200: ConversationSerializer(many=True),
        400: BAD_FILTER,
        404: NOT_FOUND,
    },
)
class ConversationList(generics.ListAPIView):  # type: ignore[type-arg]
    permission_classes = [AllowAny]
    serializer_class = ConversationSerializer

    def get_queryset(self) -> Any:
        params = self.request.query_params
        conversations = selectors.list_conversations()
        wanted = choice_param(params, "status", CONVERSATION_STATUS)
        if wanted:
            conversations = conversations.filter(is_open=CONVERSATION_STATUS[wanted])
        return filter_dates(
            conversations,
            params,
            {
                "created_after": "created_at__gte",
                "created_before": "created_at__lt",
                "updated_after": "updated_at__gte",
            },
        ).order_by("-created_at", "-pk")


@extend_schema(
    tags=["clustering"],
    summary="A conversation with its statements and the state of its analysis",
    responses={200: ConversationDetailSerializer, 404: NOT_FOUND},
)
class ConversationDetail(generics.RetrieveAPIView):  # type: ignore[type-arg]
    permission_classes = [AllowAny]
    lookup_url_kwarg = "id"
    serializer_class = ConversationDetailSerializer

    def get_queryset(self) -> Any:
        return selectors.list_conversations()


class ProgressSerializer(serializers.Serializer):  # type: ignore[type-arg]
    voted = serializers.IntegerField()
    total = serializers.IntegerField()


class NextSerializer(serializers.Serializer):  # type: ignore[type-arg]
    statement = StatementSerializer(allow_null=True)
    progress = ProgressSerializer()
    can_vote = serializers.BooleanField()
    can_add_statement = serializers.BooleanField()


def _next_payload(request: Request, conversation: Conversation) -> dict[str, Any]:
    participant = find_participant(conversation, _actor(request, create=False))
    can_vote = permissions.can_vote(request.user, conversation)
    statement = (
        selectors.next_statement(conversation, participant) if can_vote else None
    )
    voted, total = selectors.progress(conversation, participant)
    return {
        "statement": (
            {"id": statement.pk, "text": statement.text, "is_meta": statement.is_meta}
            if statement
            else None
        ),
        "progress": {"voted": voted, "total": total},
        "can_vote": can_vote,
        "can_add_statement": permissions.can_add_statement(request.user, conversation),
    }


@method_decorator(ensure_csrf_cookie, name="dispatch")
class NextStatement(APIView):
    """The caller's next statement: a weighted draw by the latest priorities."""

    permission_classes = [AllowAny]

    @extend_schema(tags=["clustering"], responses={200: NextSerializer, 404: NOT_FOUND})
    def get(self, request: Request, id: int) -> Response:
        return Response(_next_payload(request, _conversation(request, id)))


class VoteInput(serializers.Serializer):  # type: ignore[type-arg]
    statement = serializers.IntegerField(min_value=1)
    value = serializers.ChoiceField(choices=[1, -1, 0])


class VoteOutput(serializers.Serializer):  # type: ignore[type-arg]
    statement = serializers.IntegerField()
    value = serializers.IntegerField()
    changed = serializers.BooleanField()
    previous = serializers.IntegerField(allow_null=True)
    progress = ProgressSerializer()


class Votes(APIView):
    authentication_classes = [CsrfSessionAuthentication]
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["clustering"],
        request=VoteInput,
        responses={201: VoteOutput, 200: VoteOutput, **WRITE_ERRORS},
    )
    def post(self, request: Request, id: int) -> Response:
        conversation = _conversation(request, id)
        data = VoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = services.record_vote(
            conversation=conversation,
            actor=_actor(request, create=True),
            statement_id=data.validated_data["statement"],
            value=data.validated_data["value"],
        )
        voted, total = selectors.progress(conversation, outcome.vote.participant)
        created = outcome.changed and outcome.previous is None
        return Response(
            {
                "statement": outcome.vote.statement_id,
                "value": outcome.vote.value,
                "changed": outcome.changed,
                "previous": outcome.previous
                if outcome.previous != outcome.vote.value
                else None,
                "progress": {"voted": voted, "total": total},
            },
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class StatementInput(serializers.Serializer):  # type: ignore[type-arg]
    text = serializers.CharField(
        max_length=STATEMENT_MAX_LENGTH * 4, trim_whitespace=False
    )


class StatementOutput(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    text = serializers.CharField()
    status = serializers.CharField()


class Statements(generics.GenericAPIView):  # type: ignore[type-arg]
    serializer_class = StatementInput  # what OPTIONS describes
    authentication_classes = [CsrfSessionAuthentication]
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["clustering"],
        summary="Statements shown to voters, oldest first",
        description="Accepted statements (and pending ones unless the "
        "conversation moderates strictly); rejected ones never appear.",
        parameters=date_parameters(
            created_after="Added at or after", created_before="Added before"
        ),
        responses={
            200: StatementSerializer(many=True),
            400: BAD_FILTER,
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, id: int) -> Response:
        from clustering.services.participation import visible_statements

        conversation = _conversation(request, id)
        statements = filter_dates(
            visible_statements(conversation),
            request.query_params,
            {"created_after": "created_at__gte", "created_before": "created_at__lt"},
        ).order_by("pk")
        page = self.paginate_queryset(statements) or []
        return self.get_paginated_response(
            [{"id": s.pk, "text": s.text, "is_meta": s.is_meta} for s in page]
        )

    @extend_schema(
        tags=["clustering"],
        request=StatementInput,
        responses={201: StatementOutput, **WRITE_ERRORS},
    )
    def post(self, request: Request, id: int) -> Response:
        conversation = _conversation(request, id)
        data = StatementInput(data=request.data)
        data.is_valid(raise_exception=True)
        statement = services.add_statement(
            conversation=conversation,
            actor=_actor(request, create=True),
            text=data.validated_data["text"],
        )
        return Response(
            {"id": statement.pk, "text": statement.text, "status": statement.status},
            status=status.HTTP_201_CREATED,
        )


class LatestAnalysis(APIView):
    """The latest analysis JSON (schema: docs/analysis.md), with its licence."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=["clustering"], responses={200: OpenApiTypes.OBJECT, 404: NOT_FOUND}
    )
    def get(self, request: Request, id: int) -> Response:
        from clustering.exports import analysis_document

        conversation = _conversation(request, id)
        if not permissions.can_view_report(request.user, conversation):
            raise NotFound(_("No such conversation."))
        document = analysis_document(conversation)
        if document is None:
            raise NotFound(_("No analysis yet: results are updating."))
        return Response(document)


class QuestionToStatementInput(serializers.Serializer):  # type: ignore[type-arg]
    conversation = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="Leave out when the session has one linked open conversation.",
    )


class QuestionToStatementOutput(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    text = serializers.CharField()
    status = serializers.CharField()
    conversation = serializers.IntegerField()
    question = serializers.IntegerField()
    created = serializers.BooleanField()


class QuestionToStatement(APIView):
    """Forum bridge: a forum question becomes an accepted statement of a
    conversation linked to its session (the session's moderators; idempotent:
    201 the first time, 200 with the same statement afterwards)."""

    permission_classes = [AllowAny]  # the service decides

    @extend_schema(
        tags=["clustering"],
        request=QuestionToStatementInput,
        responses={
            201: QuestionToStatementOutput,
            200: QuestionToStatementOutput,
            **WRITE_ERRORS,
        },
    )
    def post(self, request: Request, question_id: int) -> Response:
        question = (
            Question.objects.select_related("session").filter(pk=question_id).first()
        )
        if question is None:
            raise NotFound(_("No such question."))
        data = QuestionToStatementInput(data=request.data)
        data.is_valid(raise_exception=True)
        conversation = None
        conversation_id = data.validated_data.get("conversation")
        if conversation_id is not None:
            conversation = Conversation.objects.filter(pk=conversation_id).first()
            if conversation is None:
                raise ValidationError({"conversation": [_("No such conversation.")]})
        statement, created = services.create_statement_from_question(
            question=question, user=request.user, conversation=conversation
        )
        return Response(
            {
                "id": statement.pk,
                "text": statement.text,
                "status": statement.status,
                "conversation": statement.conversation_id,
                "question": question.pk,
                "created": created,
            },
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
