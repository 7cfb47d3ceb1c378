"""Re-render the stored HTML of comments, responses and plan sections.

Run it after changing the allow-list in ``common/sanitize.py``:
``python manage.py rerender_consultation`` (``--dry-run`` only counts).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from consultation.services import rerender_all


class Command(BaseCommand):
    help = "Re-render stored consultation HTML through the current sanitiser."

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
