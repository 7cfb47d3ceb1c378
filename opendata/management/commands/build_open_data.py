"""Generate the open-data exports ahead of the first download.

python manage.py build_open_data [--site-only]

Builds the current export of the site and of every public plan, forum session
and conversation whose data changed since its last export (run it from cron
after busy periods so that no visitor waits for a large build).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from opendata import exports, scopes


class Command(BaseCommand):
    help = "Generate the open-data exports whose data changed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--site-only",
            action="store_true",
            help="Only the whole-site export.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        site = scopes.site_scope()
        todo = [site]
        if not options["site_only"]:
            todo += [scopes.scope_of(scopes.PLAN, p) for p in site.plans]
            todo += [scopes.scope_of(scopes.SESSION, s) for s in site.sessions]
            todo += [
                scopes.scope_of(scopes.CONVERSATION, c) for c in site.conversations
            ]
        for scope in todo:
            print_ = scopes.fingerprint(scope)
            if exports.find(scope, print_) is not None:
                self.stdout.write(f"{scope.name}: up to date")
                continue
            built = exports.build(scope, print_)
            self.stdout.write(f"{scope.name}: built {built.zip.name}")
