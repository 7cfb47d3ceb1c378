from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationConfig(AppConfig):
    name = "consultation"
    verbose_name = _("Consultation")
    # Django permissions for the admin site; the site itself decides with the
    # predicates in consultation/permissions.py.
    role_permissions: dict[str, list[str]] = {
        "moderator": [
            "consultation.view_comment",
            "consultation.view_flag",
            "consultation.view_moderationaction",
        ],
        "official": [
            "consultation.view_plan",
            "consultation.view_planversion",
            "consultation.view_section",
            "consultation.view_comment",
            "consultation.view_officialresponse",
        ],
    }
