"""Compile every ``.po`` catalogue of the project into ``.mo`` when it changed.

Unlike ``compilemessages`` this needs no GNU gettext (it uses polib), so
``make run`` works on a machine without it. Only catalogues whose ``.mo`` is
missing or older than the ``.po`` are compiled.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand

SKIP_DIRS = {".venv", "node_modules", ".git", "staticfiles"}


def catalogues(root: Path) -> list[Path]:
    found = []
    for po in root.rglob("locale/*/LC_MESSAGES/*.po"):
        if not SKIP_DIRS.intersection(po.relative_to(root).parts):
            found.append(po)
    return sorted(found)


class Command(BaseCommand):
    help = "Compile the project's translation catalogues (.po -> .mo) if needed."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="Compile all.")

    def handle(self, *args: Any, **options: Any) -> None:
        compiled = 0
        for po_path in catalogues(Path(settings.BASE_DIR)):
            mo_path = po_path.with_suffix(".mo")
            if (
                not options["force"]
                and mo_path.exists()
                and mo_path.stat().st_mtime >= po_path.stat().st_mtime
            ):
                continue
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            compiled += 1
        if compiled and options["verbosity"] > 0:
            self.stdout.write(f"Compiled {compiled} translation catalogue(s).")
