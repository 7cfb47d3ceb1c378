from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from clustering.models import (
    Analysis,
    AnalysisSchedule,
    Conversation,
    Statement,
    StatementFlag,
)
from clustering.services import link_errors
from consultation.selectors import published_plans


class ConversationAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    """The admin checks the links with the service's rules (the admin builds
    the form's model and fields)."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        errors = link_errors(
            plan=data.get("plan"),
            section_key=data.get("section_key", ""),
            session=data.get("session"),
        )
        for field, messages in errors.items():
            for message in messages:
                self.add_error(field, message)
        return data


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin[Conversation]):
    list_display = [
        "topic",
        "agency",
        "is_open",
        "is_private",
        "strict_moderation",
        "plan",
        "session",
        "created_at",
    ]
    list_filter = ["is_open", "is_private", "strict_moderation", "agency"]
    list_select_related = ["agency", "plan", "session"]
    search_fields = ["topic", "description", "slug"]
    form = ConversationAdminForm

    def formfield_for_foreignkey(
        self, db_field: Any, request: Any, **kwargs: Any
    ) -> Any:
        if db_field.name == "plan":
            kwargs["queryset"] = published_plans()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin[Statement]):
    list_display = ["text", "conversation", "status", "is_meta", "created_at"]
    list_filter = ["status", "is_meta", "is_seed"]
    search_fields = ["text"]
    raw_id_fields = [
        "conversation",
        "author",
        "author_participant",
        "moderated_by",
        "source_question",
    ]


@admin.register(StatementFlag)
class StatementFlagAdmin(admin.ModelAdmin[StatementFlag]):
    list_display = ["statement", "reason", "created_at", "resolved_at"]
    list_filter = ["reason"]
    raw_id_fields = ["statement", "participant", "resolved_by"]


@admin.register(Analysis)
class AnalysisAdmin(admin.ModelAdmin[Analysis]):
    list_display = [
        "conversation",
        "status",
        "computed_at",
        "duration_ms",
        "n_votes",
        "k",
    ]
    list_filter = ["status"]
    exclude = ["result", "state", "report", "positions", "priorities"]
    readonly_fields = [
        "conversation", "status", "error", "started_at", "computed_at", "duration_ms",
        "params", "changes", "n_votes", "n_participants", "n_clustered", "k",
        "last_vote_at", "summary",
    ]  # fmt: skip


@admin.register(AnalysisSchedule)
class AnalysisScheduleAdmin(admin.ModelAdmin[AnalysisSchedule]):
    list_display = [
        "conversation",
        "changes",
        "analysed_changes",
        "task_due_at",
        "failures",
    ]
    readonly_fields = ["changes", "analysed_changes", "last_started_at", "running_by"]
