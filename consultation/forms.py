"""Forms translate HTTP input; the services validate and decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency
from consultation.models import (
    Disposition,
    FlagReason,
    PlanStatus,
    PlanVersion,
    Stance,
)
from consultation.services.comments import MAX_COMMENT, MAX_QUOTE
from consultation.services.moderation import MAX_NOTE
from consultation.services.plans import MAX_BODY, MAX_SUMMARY, MAX_TITLE
from consultation.services.responses import MAX_RESPONSE

DATETIME_WIDGET = forms.DateTimeInput(
    attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
)


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form, field by field."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class CommentForm(forms.Form):
    section = forms.CharField(widget=forms.HiddenInput, required=False)
    body = forms.CharField(
        label=_("Your comment"),
        max_length=MAX_COMMENT,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Markdown formatting is available: **bold**, *italic*, lists, links."
        ),
    )
    stance = forms.ChoiceField(
        label=_("Your stance (optional)"),
        choices=[("", _("No stance")), *Stance.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    quote = forms.CharField(
        label=_("Quote a passage (optional)"),
        max_length=MAX_QUOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Copy the words you are commenting on from this section, or select "
            "them in the text and press “Quote selection”."
        ),
    )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        max_length=MAX_COMMENT,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EditCommentForm(CommentForm):
    section = None  # type: ignore[assignment]


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why should moderators look at this comment?"),
        choices=FlagReason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Anything moderators should know (optional)"),
        max_length=MAX_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only moderators see this note."),
    )


class ResponseForm(forms.Form):
    disposition = forms.ChoiceField(
        label=_("Disposition"), choices=Disposition.choices, widget=forms.RadioSelect
    )
    body = forms.CharField(
        label=_("Reasons"),
        max_length=MAX_RESPONSE,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Explain the decision so that the author and the public can follow it. "
            "Markdown formatting is available."
        ),
    )
    addressed_in = forms.TypedChoiceField(
        label=_("Addressed in version"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("The version that deals with this comment, if there is one."),
    )

    def __init__(self, *args: Any, versions: list[PlanVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[Any, Any]] = [("", _("Not (yet) addressed"))]
        for version in versions:
            label = (
                _("Version %(number)d") % {"number": version.number}
                if version.is_published
                else _("Version %(number)d (draft)") % {"number": version.number}
            )
            choices.append((version.number, label))
        self.fields["addressed_in"].choices = choices  # type: ignore[attr-defined]


class PlanCreateForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=_("Owning agency"), queryset=Agency.objects.all(), required=True
    )
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    slug = forms.CharField(
        label=_("Web address"),
        max_length=80,
        help_text=_(
            "The last part of the plan's address, e.g. open-parliament-2025: Latin "
            "letters, numbers and hyphens."
        ),
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=MAX_SUMMARY,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    opens_at = forms.DateTimeField(
        label=_("Comments open"), required=False, widget=DATETIME_WIDGET
    )
    closes_at = forms.DateTimeField(
        label=_("Comments close"), required=False, widget=DATETIME_WIDGET
    )

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        field.queryset = agencies  # type: ignore[attr-defined]
        if agencies.count() == 1:
            field.initial = agencies.first()


class PlanEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=MAX_SUMMARY,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    status = forms.ChoiceField(label=_("Status"), choices=PlanStatus.choices)
    opens_at = forms.DateTimeField(
        label=_("Comments open"), required=False, widget=DATETIME_WIDGET
    )
    closes_at = forms.DateTimeField(
        label=_("Comments close"), required=False, widget=DATETIME_WIDGET
    )


class VersionForm(forms.Form):
    body = forms.CharField(
        label=_("Plan text (Markdown)"),
        max_length=MAX_BODY,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "true"}),
    )
    change_summary = forms.CharField(
        label=_("Summary of changes"),
        max_length=MAX_SUMMARY,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required from version 2 on: what changed, and why."),
    )


class HideForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason (shown publicly)"),
        choices=FlagReason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note for moderators (not public)"),
        max_length=MAX_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RestoreForm(forms.Form):
    note = forms.CharField(
        label=_("Why is it restored? (not public)"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DismissForm(forms.Form):
    note = forms.CharField(
        label=_("Note for moderators (not public)"),
        max_length=MAX_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PlanFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *PlanStatus.choices],
        required=False,
    )
    agency = forms.ChoiceField(label=_("Agency"), required=False)

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [  # type: ignore[attr-defined]
            ("", _("Any agency")),
            *((a.slug, a.name) for a in agencies),
        ]
