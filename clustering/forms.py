"""Forms: input shapes only; the rules are in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from clustering.models import (
    STATEMENT_MAX_LENGTH,
    Conversation,
    FlagReason,
    RejectionReason,
)
from clustering.selectors import linkable_sessions
from consultation.models import Plan
from consultation.selectors import published_plans
from forum.models import ForumSession


class SessionChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({date_format(localtime(obj.starts_at), 'DATE_FORMAT')})"


class ConversationForm(forms.ModelForm):  # type: ignore[type-arg]
    """Settings of a conversation; the links are chosen from published plans
    and forum sessions (the service validates them again)."""

    plan = forms.ModelChoiceField(
        label=_("Linked plan"),
        queryset=Plan.objects.none(),
        required=False,
        empty_label=_("No plan"),
        help_text=_("Optional: the published plan this conversation is about."),
    )
    session = SessionChoiceField(
        label=_("Linked forum session"),
        queryset=ForumSession.objects.none(),
        required=False,
        empty_label=_("No forum session"),
        help_text=_(
            "Optional: a forum session whose viewers vote here; its moderators can "
            "turn questions into statements."
        ),
    )

    class Meta:
        model = Conversation
        fields = [
            "topic",
            "description",
            "is_open",
            "is_private",
            "vote_policy",
            "statement_policy",
            "strict_moderation",
            "plan",
            "section_key",
            "session",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "vote_policy": forms.RadioSelect,
            "statement_policy": forms.RadioSelect,
        }
        help_texts = {
            "section_key": _(
                "Optional: the key of a section of that plan's current version "
                "(for example 3.2)."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plan_field = self.fields["plan"]
        session_field = self.fields["session"]
        assert isinstance(plan_field, forms.ModelChoiceField)  # noqa: S101
        assert isinstance(session_field, forms.ModelChoiceField)  # noqa: S101
        plan_field.queryset = published_plans()
        session_field.queryset = linkable_sessions()
        plan_field.error_messages["invalid_choice"] = _(
            "Choose one of the published plans."
        )
        session_field.error_messages["invalid_choice"] = _(
            "Choose one of the forum sessions."
        )


class SeedForm(forms.Form):
    statements = forms.CharField(
        label=_("Seed statements, one per line"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "Each line becomes an accepted statement (at most 280 characters). "
            "Lines that are too long or repeat another are listed, not added."
        ),
    )


class StatementForm(forms.Form):
    text = forms.CharField(
        label=_("Add your own statement"),
        max_length=STATEMENT_MAX_LENGTH * 4,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": STATEMENT_MAX_LENGTH}),
        help_text=_(
            "One idea others can agree or disagree with, in at most 280 characters."
        ),
    )


class FlagForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=FlagReason.choices)
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=500)


class ModerationForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("reject", _("Reject"))]
    )
    statements = forms.TypedMultipleChoiceField(coerce=int, choices=[])
    reason = forms.ChoiceField(
        label=_("Reason for rejecting"),
        choices=[("", "—"), *RejectionReason.choices],
        required=False,
    )
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=280)

    def __init__(
        self, *args: object, statement_ids: list[int], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["statements"]
        assert isinstance(field, forms.TypedMultipleChoiceField)  # noqa: S101
        field.choices = [(i, str(i)) for i in statement_ids]
