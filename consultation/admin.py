"""Admin views. Writes that carry rules (publishing, comments, responses,
moderation) happen on the site through the services; here most of it is
read-only, and a published version can never be edited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from consultation.models import (
    Comment,
    Flag,
    ModerationAction,
    OfficialResponse,
    Plan,
    PlanVersion,
    Section,
)


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin[Plan]):
    list_display = ["title", "agency", "status", "opens_at", "closes_at"]
    list_filter = ["status", "agency"]
    search_fields = ["title", "slug"]
    readonly_fields = ["current_version", "created_at", "updated_at", "created_by"]


class SectionInline(admin.TabularInline[Section, PlanVersion]):
    model = Section
    fields = ["ordinal", "key", "heading", "agency"]
    readonly_fields = ["ordinal", "key", "heading", "agency"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PlanVersion)
class PlanVersionAdmin(admin.ModelAdmin[PlanVersion]):
    list_display = ["plan", "number", "published_at"]
    list_filter = ["plan"]
    inlines = [SectionInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.is_published:
            return ["plan", "number", "body", "change_summary", "published_at",
                    "published_by", "created_at", "created_by"]  # fmt: skip
        return ["published_at", "published_by", "created_at", "created_by"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or not obj.is_published


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin[Comment]):
    list_display = ["pk", "plan", "section_key", "author", "created_at", "hidden_at"]
    list_filter = ["plan", "stance"]
    search_fields = ["body"]
    raw_id_fields = ["author", "parent", "section"]
    readonly_fields = [
        "plan", "section", "section_key", "parent", "author", "body", "body_html",
        "quote", "stance", "created_at", "edited_at", "withdrawn_at", "hidden_at",
        "hidden_reason",
    ]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(OfficialResponse)
class OfficialResponseAdmin(admin.ModelAdmin[OfficialResponse]):
    list_display = ["comment", "agency", "disposition", "created_at"]
    list_filter = ["disposition", "agency"]
    readonly_fields = [
        "comment", "agency", "author", "disposition", "body", "body_html",
        "addressed_in", "created_at",
    ]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin[Flag]):
    list_display = ["comment", "reason", "created_at", "resolved_at"]
    list_filter = ["reason"]
    raw_id_fields = ["comment", "reporter"]


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin[ModerationAction]):
    list_display = ["comment", "action", "reason", "moderator", "created_at"]
    list_filter = ["action", "reason"]
    readonly_fields = ["comment", "moderator", "action", "reason", "note", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
