"""Forms: input shapes only; the rules are in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clustering.models import (
    STATEMENT_MAX_LENGTH,
    Conversation,
    FlagReason,
    RejectionReason,
)


class ConversationForm(forms.ModelForm):  # type: ignore[type-arg]
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
            "plan_slug",
            "section_key",
            "session_slug",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "vote_policy": forms.RadioSelect,
            "statement_policy": forms.RadioSelect,
        }
        help_texts = {
            "plan_slug": _(
                "Optional: the short name of a plan this conversation is about."
            ),
            "section_key": _(
                "Optional: the key of a section of that plan (for example 3.2)."
            ),
            "session_slug": _(
                "Optional: the short name of a forum session whose viewers vote here."
            ),
        }


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
