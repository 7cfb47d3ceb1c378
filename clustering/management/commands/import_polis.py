"""Import a Polis export folder and analyse it.

python manage.py import_polis EXPORT_DIR [--title TITLE] [--slug SLUG]
                             [--attribution TEXT] [--open] [--no-analyse]
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from clustering.services.analysis import run_analysis
from clustering.services.imports import import_export


class ProgressBar:
    """A one-line text progress bar (redrawn in place on a terminal)."""

    def __init__(self, stream: Any, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self._last: tuple[str, int] | None = None

    def __call__(self, step: str, done: int, total: int) -> None:
        share = done / total if total else 1.0
        filled = round(self.width * share)
        percent = round(100 * share)
        if not self.tty and self._last == (step, percent // 10) and done < total:
            return
        self._last = (step, percent // 10)
        bar = "#" * filled + "-" * (self.width - filled)
        line = f"{step:<13} [{bar}] {percent:3d}% ({done}/{total})"
        end = "\n" if done >= total or not self.tty else ""
        self.stream.write(("\r" if self.tty else "") + line + end)
        self.stream.flush()


class Command(BaseCommand):
    help = "Import a Polis export folder (votes.csv, comments.csv, …) and analyse it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("export_dir", type=Path)
        parser.add_argument("--title", default="", help="topic (default: summary.csv)")
        parser.add_argument("--slug", default=None, help="stable short name")
        parser.add_argument(
            "--attribution",
            default=None,
            help="credit to show with the data (default: the Polis CC BY statement)",
        )
        parser.add_argument(
            "--open",
            action="store_true",
            help="let people keep voting (default: closed)",
        )
        parser.add_argument(
            "--no-analyse", action="store_true", help="only import; the worker analyses"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["export_dir"]
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        bar = ProgressBar(self.stderr._out)
        started = time.perf_counter()
        try:
            conversation = import_export(
                folder,
                title=options["title"],
                slug=options["slug"],
                attribution=options["attribution"],
                is_open=options["open"],
                progress=bar,
            )
        except (ValidationError, ValueError, KeyError) as exc:
            raise CommandError(f"Import failed: {exc}") from exc
        self.stdout.write(
            f"Imported conversation {conversation.pk} “{conversation.topic}” "
            f"in {time.perf_counter() - started:.1f} s."
        )
        if options["no_analyse"]:
            return
        bar("analysis", 0, 1)
        outcome = run_analysis(conversation.pk, force=True)
        bar("analysis", 1, 1)
        if outcome.status != "ok" or outcome.analysis_id is None:
            raise CommandError(f"The analysis failed ({outcome.status}).")
        from clustering.models import Analysis

        analysis = Analysis.objects.get(pk=outcome.analysis_id)
        sizes = ", ".join(
            f"{g['label']}: {g['size']}" for g in analysis.summary.get("groups", [])
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Analysed {analysis.n_votes} votes of {analysis.n_participants} "
                f"participants: {analysis.k} groups ({sizes})."
            )
        )
        self.stdout.write(f"Report: {conversation.get_report_url()}")
