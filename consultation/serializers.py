"""API representations. Public payloads carry display names and sectors,
never e-mail addresses or account ids; hidden and withdrawn comments keep
their place (id, section, dates, responses) without their text or author."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Agency
from common.api import DetailSerializer as DetailSerializer
from common.api import FieldErrorsSerializer as FieldErrorsSerializer
from consultation import permissions as perms
from consultation.models import (
    Comment,
    CommentStatus,
    Disposition,
    OfficialResponse,
    Plan,
    PlanStatus,
    PlanVersion,
    Section,
    Stance,
)


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


class AgencyRefSerializer(serializers.ModelSerializer[Agency]):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Agency
        fields = ["slug", "name", "url"]

    def get_url(self, agency: Agency) -> str:
        return absolute(agency.get_absolute_url())


class MilestoneSerializer(serializers.Serializer[dict[str, str]]):
    due = serializers.CharField(help_text="YYYY-MM or YYYY-MM-DD; empty when undated")
    text = serializers.CharField()


class SectionSerializer(serializers.ModelSerializer[Section]):
    agency = AgencyRefSerializer(allow_null=True)
    milestones = serializers.SerializerMethodField()
    source = serializers.CharField(  # type: ignore[assignment]
        help_text="The section's Markdown, as published."
    )
    body_html = serializers.CharField(help_text="Sanitised HTML of the section text.")

    class Meta:
        model = Section
        fields = [
            "key", "ordinal", "level", "heading", "source", "body_html",
            "agency", "milestones",
        ]  # fmt: skip

    @extend_schema_field(MilestoneSerializer(many=True))
    def get_milestones(self, section: Section) -> list[dict[str, str]]:
        return [
            {"due": str(m.get("due", "")), "text": str(m.get("text", ""))}
            for m in section.milestones
            if isinstance(m, dict)
        ]


class VersionSerializer(serializers.ModelSerializer[PlanVersion]):
    url = serializers.SerializerMethodField()
    sections = SectionSerializer(many=True)

    class Meta:
        model = PlanVersion
        fields = ["number", "published_at", "change_summary", "body", "url", "sections"]

    def get_url(self, version: PlanVersion) -> str:
        return absolute(version.get_absolute_url())


class PlanSerializer(serializers.ModelSerializer[Plan]):
    agency = AgencyRefSerializer()
    status = serializers.ChoiceField(choices=PlanStatus.choices)
    open_for_comment = serializers.SerializerMethodField()
    current_version = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = [
            "slug", "title", "summary", "agency", "status", "opens_at", "closes_at",
            "open_for_comment", "current_version", "url",
        ]  # fmt: skip

    def get_open_for_comment(self, plan: Plan) -> bool:
        return perms.is_open_for_comment(plan)

    def get_current_version(self, plan: Plan) -> int | None:
        return plan.current_version.number if plan.current_version else None

    def get_url(self, plan: Plan) -> str:
        return absolute(plan.get_absolute_url())


class PlanDetailSerializer(PlanSerializer):
    versions = serializers.SerializerMethodField()

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "versions"]

    @extend_schema_field(VersionSerializer(many=True))
    def get_versions(self, plan: Plan) -> list[dict[str, Any]]:
        versions = (
            plan.versions.filter(published_at__isnull=False)
            .prefetch_related("sections__agency")
            .order_by("number")
        )
        return list(VersionSerializer(versions, many=True).data)


class AuthorSerializer(serializers.Serializer[Any]):
    display_name = serializers.CharField()
    sector = serializers.CharField()
    sector_label = serializers.CharField(source="get_sector_display")
    organisation = serializers.CharField()


class ResponseSerializer(serializers.ModelSerializer[OfficialResponse]):
    agency = AgencyRefSerializer()
    disposition_label = serializers.CharField(source="get_disposition_display")
    addressed_in = serializers.SerializerMethodField(
        help_text="Number of the published version that addressed the comment."
    )

    class Meta:
        model = OfficialResponse
        fields = [
            "id", "disposition", "disposition_label", "body_html", "agency",
            "created_at", "addressed_in",
        ]  # fmt: skip

    def get_addressed_in(self, response: OfficialResponse) -> int | None:
        version = response.addressed_in
        return version.number if version and version.is_published else None


class CommentSerializer(serializers.ModelSerializer[Comment]):
    section = serializers.CharField(source="section_key")
    version = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    author = serializers.SerializerMethodField()
    quote = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    stance = serializers.SerializerMethodField()
    endorsements = serializers.SerializerMethodField()
    responses = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = [
            "id", "url", "section", "version", "parent", "status", "hidden_reason",
            "author", "stance", "quote", "body_html", "created_at", "edited_at",
            "endorsements", "responses",
        ]  # fmt: skip

    def get_version(self, comment: Comment) -> int:
        return comment.section.version.number

    @extend_schema_field(serializers.ChoiceField(choices=CommentStatus.choices))
    def get_status(self, comment: Comment) -> str:
        return str(comment.status)

    @extend_schema_field(AuthorSerializer(allow_null=True))
    def get_author(self, comment: Comment) -> dict[str, Any] | None:
        if not comment.is_visible or comment.author is None:
            return None
        return dict(AuthorSerializer(comment.author).data)

    def get_quote(self, comment: Comment) -> str:
        return comment.quote if comment.is_visible else ""

    def get_body_html(self, comment: Comment) -> str:
        return comment.body_html if comment.is_visible else ""

    @extend_schema_field(
        serializers.ChoiceField(choices=["", *Stance.values], allow_blank=True)
    )
    def get_stance(self, comment: Comment) -> str:
        return comment.stance if comment.is_visible else ""

    def get_endorsements(self, comment: Comment) -> int:
        total = getattr(comment, "endorsement_total", None)
        return int(total) if total is not None else comment.endorsements.count()

    @extend_schema_field(ResponseSerializer(many=True))
    def get_responses(self, comment: Comment) -> list[dict[str, Any]]:
        if comment.is_hidden:
            return []
        return list(ResponseSerializer(comment.responses.all(), many=True).data)

    def get_url(self, comment: Comment) -> str:
        return absolute(comment.get_absolute_url())


class TextField(serializers.CharField):
    """A string taken as written: the service cleans and validates it (NUL and
    control characters are removed there, not refused here)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)
        self.validators = [
            v
            for v in self.validators
            if type(v).__name__ != "ProhibitNullCharactersValidator"
        ]


class CommentCreateSerializer(serializers.Serializer[Any]):
    section = TextField(
        required=False,
        help_text="Key of a section of the current version, e.g. 3.2. "
        "Optional for replies (they join the section of their parent).",
    )
    body = TextField(help_text="The comment, in Markdown (up to 10,000 characters).")
    parent = serializers.IntegerField(  # type: ignore[assignment]
        required=False,
        allow_null=True,
        min_value=1,
        max_value=perms.MAX_ID,
        help_text="Id of the comment this one replies to, or null.",
    )
    stance = serializers.ChoiceField(
        choices=["", *Stance.values], required=False, allow_blank=True
    )
    quote = TextField(
        required=False,
        help_text="A passage copied exactly from the section (optional).",
    )


class ResponseCreateSerializer(serializers.Serializer[Any]):
    disposition = serializers.ChoiceField(choices=Disposition.choices)
    body = TextField(help_text="The reasons, in Markdown.")
    addressed_in = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=100_000,
        help_text="Number of the version that addresses the comment, or null.",
    )


class EndorsementSerializer(serializers.Serializer[Any]):
    endorsed = serializers.BooleanField(
        help_text="Whether you endorse the comment now."
    )
    endorsements = serializers.IntegerField(help_text="How many people endorse it.")


class PlanResponseSerializer(ResponseSerializer):
    """An official response with the comment it answers (the plan's feed of
    responses)."""

    comment = serializers.IntegerField(source="comment_id", help_text="Comment id.")
    section = serializers.CharField(source="comment.section_key")
    comment_url = serializers.SerializerMethodField()

    class Meta(ResponseSerializer.Meta):
        fields = [*ResponseSerializer.Meta.fields, "comment", "section", "comment_url"]

    def get_comment_url(self, response: OfficialResponse) -> str:
        return absolute(response.comment.get_absolute_url())
