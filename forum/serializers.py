"""OpenAPI descriptions of the forum's JSON (the payloads themselves are built
by forum.events and forum.api, shared with the websocket stream)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from forum.models import QuestionStatus, SessionStatus


class EmbedSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=["iframe", "hls"])
    src = serializers.CharField()


class LinkedPlanSerializer(serializers.Serializer[Any]):
    slug = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()


class SessionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=SessionStatus.choices)
    starts_at = serializers.DateTimeField(help_text="Scheduled start.")
    ends_at = serializers.DateTimeField(help_text="Scheduled end.")
    started_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    current_item = serializers.IntegerField(
        allow_null=True, help_text="Id of the current agenda item."
    )
    highlighted = serializers.IntegerField(
        allow_null=True, help_text="Id of the highlighted question."
    )
    premoderation = serializers.BooleanField()
    allow_anonymous = serializers.BooleanField()
    login_required = serializers.BooleanField()
    url = serializers.CharField(help_text="Path of the session's page.")
    embed = EmbedSerializer(allow_null=True, help_text="The live stream, if any.")
    recording_url = serializers.CharField(allow_blank=True)
    has_minutes = serializers.BooleanField()
    description = serializers.CharField(allow_blank=True)
    ical = serializers.CharField(help_text="Path of the session's iCalendar file.")
    plan = LinkedPlanSerializer(allow_null=True)


class AgendaItemSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    position = serializers.IntegerField()
    duration_minutes = serializers.IntegerField(allow_null=True)


class QuestionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    body = serializers.CharField(allow_blank=True)
    author = serializers.CharField(
        allow_null=True, help_text="Display name of a member who asked openly."
    )
    author_kind = serializers.ChoiceField(choices=["member", "anonymous", "guest"])
    agenda_item = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(choices=QuestionStatus.choices)
    upvotes = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)


class LinkedConversationSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    topic = serializers.CharField()
    is_open = serializers.BooleanField()
    url = serializers.CharField()


class SessionDetailSerializer(SessionSerializer):
    minutes_html = serializers.CharField(
        allow_blank=True, help_text="Published minutes, sanitised HTML."
    )
    agenda = AgendaItemSerializer(many=True)
    questions = QuestionSerializer(
        many=True,
        help_text="Public questions, plus the caller's own pending ones "
        "(moderators see all).",
    )
    upvoted = serializers.ListField(
        child=serializers.IntegerField(), help_text="Questions the caller upvoted."
    )
    can_moderate = serializers.BooleanField()
    conversations = LinkedConversationSerializer(many=True)


class UpvoteSerializer(serializers.Serializer[Any]):
    question = serializers.IntegerField()
    upvoted = serializers.BooleanField()
    upvotes = serializers.IntegerField()


class AgendaUpdatedSerializer(serializers.Serializer[Any]):
    type = serializers.CharField()
    items = AgendaItemSerializer(many=True)
    current = serializers.IntegerField(allow_null=True)
