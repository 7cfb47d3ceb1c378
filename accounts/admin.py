from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency, Notification, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    ordering = ["email"]
    list_display = ["email", "display_name", "sector", "agency", "is_staff"]
    list_filter = ["sector", "agency", "is_staff", "is_superuser", "groups"]
    search_fields = ["email", "display_name", "organisation"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("display_name", "sector", "organisation")}),
        (_("Notifications"), {"fields": ("email_notifications",)}),
        (
            _("Roles"),
            {
                "fields": (
                    "agency",
                    "groups",
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "user_permissions",
                )
            },
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "display_name", "sector", "password1", "password2"),
            },
        ),
    )


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin[Agency]):
    list_display = ["name", "liaison_name", "liaison_email"]
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ["name", "liaison_name"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ["title", "recipient", "kind", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
    search_fields = ["title"]
    raw_id_fields = ["recipient"]
    date_hierarchy = "created_at"
