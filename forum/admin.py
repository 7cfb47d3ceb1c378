from typing import Any

from django.contrib import admin

from consultation.selectors import published_plans
from forum.models import AgendaItem, ForumSession, Question, SessionEvent


class AgendaItemInline(admin.TabularInline[AgendaItem, ForumSession]):
    model = AgendaItem
    extra = 1
    fields = ["position", "title", "description", "duration_minutes"]


@admin.register(ForumSession)
class ForumSessionAdmin(admin.ModelAdmin[ForumSession]):
    list_display = ["title", "status", "starts_at", "ends_at", "agency", "plan"]
    list_filter = ["status", "agency"]
    list_select_related = ["agency", "plan"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["moderators"]
    inlines = [AgendaItemInline]
    # Status changes go through the console (they are events viewers receive).
    readonly_fields = [
        "status",
        "public_seq",
        "moderator_seq",
        "started_at",
        "ended_at",
    ]
    exclude = ["current_item", "highlighted"]

    def formfield_for_foreignkey(
        self, db_field: Any, request: Any, **kwargs: Any
    ) -> Any:
        if db_field.name == "plan":  # only published plans can be discussed
            kwargs["queryset"] = published_plans()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin[Question]):
    list_display = ["body", "session", "status", "upvote_count", "created_at"]
    list_filter = ["status", "session"]
    search_fields = ["body"]
    readonly_fields = ["session", "author", "participant", "upvote_count"]


@admin.register(SessionEvent)
class SessionEventAdmin(admin.ModelAdmin[SessionEvent]):
    list_display = ["session", "stream", "seq", "type", "created_at"]
    list_filter = ["stream", "type"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
