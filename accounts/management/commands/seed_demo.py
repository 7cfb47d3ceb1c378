"""Load demo data, idempotently: ``python manage.py seed_demo``.

Creates the demo agency and one account per role (password ``agora-demo``),
then lets each app add its sample content through ``<app>.demo.seed(context)``.
Running it again changes nothing that already exists. It refuses to run with
DEBUG off, because the demo password is public.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import demo

CONTENT_APPS = ("consultation", "forum", "clustering")


class Command(BaseCommand):
    help = "Create demo accounts, an agency and sample content (DEBUG only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates accounts with a published password; "
                "it only runs with DEBUG on."
            )
        with transaction.atomic():
            context = demo.seed()
        for app in CONTENT_APPS:
            try:
                module = import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            with transaction.atomic():
                module.seed(context)
        self._print_accounts()

    def _print_accounts(self) -> None:
        password = settings.AGORA_DEMO_PASSWORD
        self.stdout.write(self.style.SUCCESS("Demo data ready. Demo accounts:"))
        for email, name, _sector, role in demo.DEMO_ACCOUNTS:
            label = role.value if role else "citizen"
            self.stdout.write(
                f"  {label:<14} {email:<24} password: {password}  ({name})"
            )
