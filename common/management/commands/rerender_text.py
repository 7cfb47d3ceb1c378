"""Re-render every stored sanitised HTML field of every app.

Run it after changing the allow-list in ``common/sanitize.py``:
``python manage.py rerender_text`` (``--dry-run`` only counts). The fields are
listed by each app in ``<app>/rerender.py`` (see ``common/rerender.py``).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from common.rerender import rerender_all


class Command(BaseCommand):
    help = "Re-render stored HTML of every app through the current sanitiser."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would change without writing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = bool(options["dry_run"])
        reports = rerender_all(dry_run=dry_run)
        verb = "would change" if dry_run else "changed"
        for name, report in reports.items():
            self.stdout.write(
                f"{name}: {report.checked} checked, {report.changed} {verb}"
            )
