"""Re-render stored HTML after the sanitiser's allow-list changed.

User text is sanitised once, when written, and the HTML is stored. When
``common.sanitize`` changes, ``manage.py rerender_consultation`` calls
:func:`rerender_all` to bring every stored rendering up to date.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Model, QuerySet

from common.sanitize import render_markdown
from consultation.models import (
    Comment,
    CommentRevision,
    OfficialResponse,
    PlanVersion,
    Section,
)
from consultation.sections import SectionError, parse_sections


@dataclass
class RerenderReport:
    checked: int = 0
    changed: int = 0


def _rerender_rows(
    rows: QuerySet[Model],
    source: Callable[[Model], str],
    report: RerenderReport,
    *,
    dry_run: bool,
) -> None:
    model = rows.model
    for row in rows.iterator(chunk_size=500):
        report.checked += 1
        html = render_markdown(source(row))
        if html != getattr(row, "body_html", None):
            report.changed += 1
            if not dry_run:
                model._default_manager.filter(pk=row.pk).update(body_html=html)


def rerender_all(*, dry_run: bool = False) -> dict[str, RerenderReport]:
    reports: dict[str, RerenderReport] = {}
    with transaction.atomic():
        for name, queryset in (
            ("comments", Comment.objects.only("pk", "body", "body_html")),
            ("revisions", CommentRevision.objects.only("pk", "body", "body_html")),
            ("responses", OfficialResponse.objects.only("pk", "body", "body_html")),
        ):
            reports[name] = RerenderReport()
            _rerender_rows(
                queryset,
                lambda row: row.body,  # type: ignore[attr-defined]
                reports[name],
                dry_run=dry_run,
            )
        reports["sections"] = report = RerenderReport()
        versions = PlanVersion.objects.filter(published_at__isnull=False)
        for version in versions.only("pk", "body").iterator():
            try:
                parsed = {s.key: s.body for s in parse_sections(version.body)}
            except SectionError:
                continue  # published text always parsed; nothing to redo
            for section in Section.objects.filter(version=version).only(
                "pk", "key", "body_html"
            ):
                report.checked += 1
                html = render_markdown(parsed.get(section.key, ""))
                if html != section.body_html:
                    report.changed += 1
                    if not dry_run:
                        Section.objects.filter(pk=section.pk).update(body_html=html)
    return reports
