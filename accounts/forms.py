from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import EmailFrequency, Sector, User
from accounts.services import clean_display_name, set_language, update_profile


class ProfileFields(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=60,
        help_text=_("Shown next to everything you post. Your e-mail never is."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    sector = forms.ChoiceField(
        label=_("Stakeholder sector"),
        choices=Sector.choices,
        help_text=_(
            "Which perspective do you mainly bring? It is shown with your "
            "contributions and used in aggregate statistics."
        ),
    )
    organisation = forms.CharField(
        label=_("Organisation (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )

    def clean_display_name(self) -> str:
        return clean_display_name(self.cleaned_data["display_name"])


class SignupForm(ProfileFields):
    """Extra sign-up fields; allauth calls :meth:`signup` after creating the user."""

    field_order = ["email", "display_name", "sector", "organisation"]

    def signup(self, request: HttpRequest, user: User) -> None:
        update_profile(
            user=user,
            display_name=self.cleaned_data["display_name"],
            sector=self.cleaned_data["sector"],
            organisation=self.cleaned_data.get("organisation", ""),
        )
        # Notifications are written in the language the person signed up in.
        set_language(user=user, language=getattr(request, "LANGUAGE_CODE", ""))


class ProfileForm(ProfileFields):
    language = forms.ChoiceField(
        label=_("Language of notifications and e-mails"),
        choices=[("", _("The site's default language")), *settings.LANGUAGES],
        required=False,
        help_text=_(
            "We write your notifications and e-mails in this language. Choosing "
            "a language with the language selector also sets it."
        ),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        kwargs.setdefault(
            "initial",
            {
                "display_name": user.display_name,
                "sector": user.sector,
                "organisation": user.organisation,
                "language": user.language,
            },
        )
        super().__init__(*args, **kwargs)

    def save(self) -> User:
        try:
            return update_profile(user=self.user, **self.cleaned_data)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
            raise


class NotificationSettingsForm(forms.Form):
    email_notifications = forms.ChoiceField(
        label=_("E-mail me about notifications"),
        choices=EmailFrequency.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Replies to your comments, official responses, new versions of plans "
            "you follow or commented on, and sessions you follow going live. "
            "Your notifications page always lists them."
        ),
    )
