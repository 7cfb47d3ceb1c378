from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")
    role_permissions = {
        "official": ["accounts.view_agency"],
    }

    def ready(self) -> None:
        from accounts.roles import sync_roles

        # After every migrate, once all apps' permissions exist.
        post_migrate.connect(sync_roles, dispatch_uid="accounts.sync_roles")
