"""Accounts: people (with their stakeholder sector) and agencies.

A person is identified by e-mail (private) and shown by display name (public).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
)
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.choices import choice_label


class Sector(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    NGO = "ngo", _("Civil society / NGO")
    SOCIAL_ENTERPRISE = "social_enterprise", _("Social enterprise")
    ISSUE_GROUP = "issue_group", _("Issue-based group")
    TECH = "tech", _("Technical community")
    BUSINESS = "business", _("Business")
    INVESTOR = "investor", _("Investor")
    ACADEMIA = "academia", _("Academia / research")
    EDUCATION = "education", _("Education")
    GOVERNMENT = "government", _("Government")
    MEDIA = "media", _("Media")
    OTHER = "other", _("Other")


class EmailFrequency(models.TextChoices):
    """How a person wants their notifications by e-mail (the site list always
    keeps them)."""

    IMMEDIATELY = "immediately", _("Immediately, one e-mail each")
    DAILY = "daily", _("Once a day, in a digest")
    OFF = "off", _("Never (only on the site)")


class Agency(models.Model):
    """A public body. Its open-government liaison is its public contact."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    liaison_name = models.CharField(_("liaison name"), max_length=200)
    liaison_title = models.CharField(_("liaison title"), max_length=200, blank=True)
    liaison_email = models.EmailField(
        _("liaison public e-mail"),
        blank=True,
        help_text=_("A public contact address; it is shown on the agency page."),
    )
    liaison_phone = models.CharField(_("liaison phone"), max_length=50, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("consultation:agency_detail", args=[self.slug])


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        email = self.normalize_email(email)
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """An account. ``email`` is private; ``display_name`` is what others see."""

    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(
        _("display name"),
        max_length=60,
        help_text=_("Shown next to everything you post. Your e-mail never is."),
    )
    sector = models.CharField(
        _("stakeholder sector"),
        max_length=32,
        choices=Sector.choices,
        default=Sector.CITIZEN,
    )
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="officials",
        help_text=_("Officials belong to the agency they answer for."),
    )
    email_notifications = models.CharField(
        _("notification e-mails"),
        max_length=16,
        choices=EmailFrequency.choices,
        default=EmailFrequency.IMMEDIATELY,
    )
    language = models.CharField(
        _("language"),
        max_length=16,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_(
            "Notifications and e-mails are written in this language "
            "(blank: the site's default)."
        ),
    )
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["display_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or f"#{self.pk}"

    def get_sector_display(self) -> str:  # type: ignore[no-redef]  # faster
        return choice_label(Sector, self.sector)

    @property
    def notification_language(self) -> str:
        """The language to write to this person in."""
        return self.language or settings.LANGUAGE_CODE

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name


class Notification(models.Model):
    """Something a person should know about, shown on their notifications page.

    Public-safe by construction: a short title and a link into the site, never
    the content of private messages or anyone's e-mail address.
    """

    recipient = models.ForeignKey(
        User,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(
        _("kind"),
        max_length=50,
        help_text=_("What happened, e.g. consultation.response; for filtering."),
    )
    title = models.CharField(_("title"), max_length=300)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # E-mail: ``email_subject`` set means the event is worth an e-mail; it is
    # sent (immediately or in the daily digest) once, which ``emailed_at``
    # records. Claiming a row sets ``emailed_at`` with a conditional UPDATE,
    # so two workers never send the same notification twice.
    email_subject = models.CharField(_("e-mail subject"), max_length=200, blank=True)
    email_body = models.TextField(_("e-mail text"), blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(
                fields=["recipient", "read_at"], name="accounts_notif_unread_idx"
            ),
            models.Index(
                fields=["recipient", "-created_at"], name="accounts_notif_recent_idx"
            ),
            models.Index(
                fields=["recipient"],
                condition=models.Q(emailed_at__isnull=True)
                & ~models.Q(email_subject=""),
                name="accounts_notif_unsent_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
