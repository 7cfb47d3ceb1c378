"""The consultation REST API (documented at /api/docs/).

Reads are public. Writes use the site's session and its CSRF token, and go
through the same services as the forms: one set of rules, one set of messages.
Invalid input gives HTTP 400 with a list of messages per field; a refused
action 403; an unknown (or unpublished) plan or comment 404; too many writes
429.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import (
    BAD_FILTER,
    choice_param,
    date_parameters,
    datetime_param,
    filter_dates,
    status_parameter,
)
from consultation import permissions as perms
from consultation import selectors, services
from consultation.models import (
    Comment,
    CommentStatus,
    Disposition,
    OfficialResponse,
    Plan,
    PlanStatus,
    PlanVersion,
)
from consultation.serializers import (
    CommentCreateSerializer,
    CommentSerializer,
    DetailSerializer,
    EndorsementSerializer,
    FieldErrorsSerializer,
    PlanDetailSerializer,
    PlanResponseSerializer,
    PlanSerializer,
    ResponseCreateSerializer,
    ResponseSerializer,
    VersionSerializer,
)
from consultation.services._text import query_text

TAG = "consultation"

INVALID = OpenApiResponse(
    FieldErrorsSerializer,
    description="Invalid input: a list of messages for each invalid field.",
    examples=[
        OpenApiExample(
            "Invalid comment",
            value={
                "section": ["The current version has no section “9.9”."],
                "body": ["This field cannot be empty."],
            },
        )
    ],
)
DENIED = OpenApiResponse(
    DetailSerializer,
    description="Not logged in, CSRF token missing, or the action is not allowed "
    "(for example because the comment window is closed).",
)
NOT_FOUND = OpenApiResponse(DetailSerializer, description="No such plan or comment.")
TOO_MANY = OpenApiResponse(
    DetailSerializer,
    description="Too many writes in a short time; see the Retry-After header.",
)


def _comment_payload(comment: Comment) -> dict[str, Any]:
    fresh = selectors.comments_queryset(None).get(pk=comment.pk)
    return dict(CommentSerializer(fresh).data)


PLAN_DATES = {
    "created_after": "created_at__gte",
    "created_before": "created_at__lt",
    "updated_after": "updated_at__gte",
}


@extend_schema(
    tags=[TAG],
    summary="List plans",
    description="Published plans, most recently updated first.",
    parameters=[
        status_parameter(PlanStatus.values),
        OpenApiParameter("agency", OpenApiTypes.STR, description="Agency slug"),
        *date_parameters(
            created_after="Created at or after",
            created_before="Created before",
            updated_after="Changed at or after",
        ),
    ],
    responses={200: PlanSerializer(many=True), 400: BAD_FILTER, 404: NOT_FOUND},
)
class PlanListView(generics.ListAPIView[Plan]):
    serializer_class = PlanSerializer

    def get_queryset(self) -> Any:
        params = self.request.query_params
        plans = selectors.list_plans(
            self.request.user,
            status=choice_param(params, "status", PlanStatus.values),
            agency=query_text(params.get("agency"), 80),
        )
        return filter_dates(plans, params, PLAN_DATES)


@extend_schema(
    tags=[TAG],
    summary="A plan with its published versions and their sections",
    responses={200: PlanDetailSerializer, 404: NOT_FOUND},
)
class PlanDetailView(APIView):
    def get(self, request: Request, slug: str) -> Response:
        plan = perms.access_plan(request.user, slug)
        return Response(PlanDetailSerializer(plan).data)


class PlanCommentsView(generics.GenericAPIView[Comment]):
    serializer_class = CommentSerializer

    @extend_schema(
        tags=[TAG],
        summary="Public comments on a plan, with official responses",
        description="Hidden and withdrawn comments are listed without their text "
        "or author, so that threads and responses keep their place.",
        parameters=[
            OpenApiParameter("section", OpenApiTypes.STR, description="Section key"),
            status_parameter(CommentStatus.values),
            *date_parameters(
                created_after="Posted at or after",
                created_before="Posted before",
                updated_after="Posted, edited, withdrawn or hidden at or after",
            ),
        ],
        responses={
            200: CommentSerializer(many=True),
            400: BAD_FILTER,
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, slug: str) -> Response:
        plan = perms.access_plan(request.user, slug)
        params = request.query_params
        comments = filter_comments(
            selectors.public_comments(
                plan, section=query_text(params.get("section"), 40)
            ),
            params,
        )
        page = self.paginate_queryset(comments)
        data = CommentSerializer(page if page is not None else comments, many=True)
        if page is not None:
            return self.get_paginated_response(data.data)
        return Response(data.data)

    @extend_schema(
        tags=[TAG],
        summary="Comment on a section, or reply to a comment",
        description="Session authentication with the CSRF token (X-CSRFToken "
        "header). Allowed while the plan is open for comment; at most 10 "
        "comment writes per minute.",
        request=CommentCreateSerializer,
        responses={
            201: CommentSerializer,
            400: INVALID,
            403: DENIED,
            404: NOT_FOUND,
            429: TOO_MANY,
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        plan = perms.access_plan(request.user, slug)
        incoming = CommentCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        parent = None
        if data.get("parent") is not None:
            parent = Comment.objects.filter(pk=data["parent"], plan=plan).first()
            if parent is None:
                raise ValidationError(
                    {"parent": [_("This plan has no comment with that id.")]}
                )
        comment = services.post_comment(
            user=request.user,  # type: ignore[arg-type]
            plan=plan,
            section_key=data.get("section"),
            body=data["body"],
            stance=data.get("stance", ""),
            quote=data.get("quote", ""),
            parent=parent,
        )
        return Response(_comment_payload(comment), status=status.HTTP_201_CREATED)


class CommentEndorseView(APIView):
    def _result(self, comment: Comment, endorsed: bool) -> Response:
        return Response(
            {
                "endorsed": endorsed,
                "endorsements": comment.endorsements.count(),
            }
        )

    @extend_schema(
        tags=[TAG],
        summary="Endorse a comment",
        description="One endorsement per person and comment; endorsing twice "
        "changes nothing.",
        request=None,
        responses={200: EndorsementSerializer, 403: DENIED, 404: NOT_FOUND},
    )
    def post(self, request: Request, comment_id: int) -> Response:
        comment = perms.access_comment(request.user, comment_id)
        services.endorse_comment(user=request.user, comment=comment)  # type: ignore[arg-type]
        return self._result(comment, True)

    @extend_schema(
        tags=[TAG],
        summary="Withdraw your endorsement",
        request=None,
        responses={200: EndorsementSerializer, 403: DENIED, 404: NOT_FOUND},
    )
    def delete(self, request: Request, comment_id: int) -> Response:
        comment = perms.access_comment(request.user, comment_id)
        services.withdraw_endorsement(user=request.user, comment=comment)  # type: ignore[arg-type]
        return self._result(comment, False)


class CommentResponsesView(APIView):
    @extend_schema(
        tags=[TAG],
        summary="Respond to a comment (officials of the plan's agency)",
        description="Publishes the agency's response and notifies the comment's "
        "author by e-mail and on the site. A later response supersedes an "
        "earlier one; both stay on record.",
        request=ResponseCreateSerializer,
        responses={
            201: ResponseSerializer,
            400: INVALID,
            403: DENIED,
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, comment_id: int) -> Response:
        comment = perms.access_comment(request.user, comment_id)
        incoming = ResponseCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        response = services.respond_to_comment(
            user=request.user,  # type: ignore[arg-type]
            comment=comment,
            disposition=data["disposition"],
            body=data["body"],
            addressed_in=data.get("addressed_in"),
        )
        return Response(
            ResponseSerializer(response).data, status=status.HTTP_201_CREATED
        )


class FollowSerializer(serializers.Serializer[Any]):
    following = serializers.BooleanField(
        help_text="Whether you are told about the plan's new versions now."
    )


class PlanFollowView(APIView):
    """Follow a plan's new versions (commenting on it counts as following,
    until you unfollow it; see docs/notifications.md)."""

    @extend_schema(
        tags=[TAG],
        summary="Whether you follow a plan",
        responses={200: FollowSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, slug: str) -> Response:
        plan = perms.access_plan(request.user, slug)
        return Response({"following": services.is_following_plan(request.user, plan)})

    def _set(self, request: Request, slug: str, follow: bool) -> Response:
        plan = perms.access_plan(request.user, slug)
        services.set_plan_follow(user=request.user, plan=plan, follow=follow)  # type: ignore[arg-type]
        return Response({"following": follow})

    @extend_schema(
        tags=[TAG],
        summary="Follow a plan",
        description="Idempotent: following twice is following once.",
        request=None,
        responses={200: FollowSerializer, 403: DENIED, 404: NOT_FOUND},
    )
    def post(self, request: Request, slug: str) -> Response:
        return self._set(request, slug, True)

    @extend_schema(
        tags=[TAG],
        summary="Unfollow a plan",
        description="Also stops the notices you get for having commented on it.",
        request=None,
        responses={200: FollowSerializer, 403: DENIED, 404: NOT_FOUND},
    )
    def delete(self, request: Request, slug: str) -> Response:
        return self._set(request, slug, False)


COMMENT_STATUS = {
    CommentStatus.PUBLISHED: Q(hidden_at__isnull=True, withdrawn_at__isnull=True),
    CommentStatus.WITHDRAWN: Q(hidden_at__isnull=True, withdrawn_at__isnull=False),
    CommentStatus.HIDDEN: Q(hidden_at__isnull=False),
}


def filter_comments(comments: QuerySet[Comment], params: Any) -> QuerySet[Comment]:
    wanted = choice_param(params, "status", CommentStatus.values)
    if wanted:
        comments = comments.filter(COMMENT_STATUS[CommentStatus(wanted)])
    since = datetime_param(params, "updated_after")
    if since is not None:
        comments = comments.filter(
            Q(created_at__gte=since)
            | Q(edited_at__gte=since)
            | Q(withdrawn_at__gte=since)
            | Q(hidden_at__gte=since)
        )
    return filter_dates(
        comments,
        params,
        {"created_after": "created_at__gte", "created_before": "created_at__lt"},
    )


@extend_schema(
    tags=[TAG],
    summary="One comment, with its official responses",
    description="A hidden or withdrawn comment keeps its place without its text "
    "or author.",
    responses={200: CommentSerializer, 404: NOT_FOUND},
)
class CommentDetailView(APIView):
    def get(self, request: Request, comment_id: int) -> Response:
        comment = perms.access_comment(request.user, comment_id)
        return Response(_comment_payload(comment))


def _published_versions(plan: Plan) -> QuerySet[PlanVersion]:
    return (
        plan.versions.filter(published_at__isnull=False)
        .prefetch_related("sections__agency")
        .order_by("number")
    )


@extend_schema(
    tags=[TAG],
    summary="Published versions of a plan, with their sections",
    description="Oldest first; the number of a version never changes.",
    parameters=date_parameters(
        published_after="Published at or after",
        published_before="Published before",
    ),
    responses={
        200: VersionSerializer(many=True),
        400: BAD_FILTER,
        404: NOT_FOUND,
    },
)
class PlanVersionListView(generics.ListAPIView[PlanVersion]):
    serializer_class = VersionSerializer

    def get_queryset(self) -> Any:
        plan = perms.access_plan(self.request.user, self.kwargs["slug"])
        return filter_dates(
            _published_versions(plan),
            self.request.query_params,
            {
                "published_after": "published_at__gte",
                "published_before": "published_at__lt",
            },
        )


@extend_schema(
    tags=[TAG],
    summary="One published version of a plan: its Markdown and its sections",
    responses={200: VersionSerializer, 404: NOT_FOUND},
)
class PlanVersionDetailView(APIView):
    def get(self, request: Request, slug: str, number: int) -> Response:
        plan = perms.access_plan(request.user, slug)
        version = (
            _published_versions(plan).filter(number=number).first()
            if number <= perms.MAX_ID
            else None
        )
        if version is None:
            raise Http404(_("This plan has no published version with that number."))
        return Response(VersionSerializer(version).data)


def public_responses(plan: Plan) -> QuerySet[OfficialResponse]:
    """Official responses to the plan's comments, newest first; responses to
    hidden comments are left out (as on the plan's page)."""
    return (
        OfficialResponse.objects.filter(comment__plan=plan, comment__hidden_at=None)
        .select_related("agency", "addressed_in", "comment")
        .order_by("-created_at", "-pk")
    )


@extend_schema(
    tags=[TAG],
    summary="Official responses to a plan's comments",
    description="Newest first. Each names the comment it answers; a later "
    "response to the same comment supersedes the earlier one.",
    parameters=[
        status_parameter(
            Disposition.values, description="Disposition", name="disposition"
        ),
        *date_parameters(
            created_after="Responded at or after", created_before="Responded before"
        ),
    ],
    responses={
        200: PlanResponseSerializer(many=True),
        400: BAD_FILTER,
        404: NOT_FOUND,
    },
)
class PlanResponsesView(generics.ListAPIView[OfficialResponse]):
    serializer_class = PlanResponseSerializer

    def get_queryset(self) -> Any:
        plan = perms.access_plan(self.request.user, self.kwargs["slug"])
        params = self.request.query_params
        responses = public_responses(plan)
        disposition = choice_param(params, "disposition", Disposition.values)
        if disposition:
            responses = responses.filter(disposition=disposition)
        return filter_dates(
            responses,
            params,
            {"created_after": "created_at__gte", "created_before": "created_at__lt"},
        )
