"""Re-render stored HTML after the sanitiser's allow-list changed.

User text is rendered once, when it is written, and the HTML is stored
(``common.sanitize``). Each app lists the HTML it stores in one place, a
``RENDERED_FIELDS`` list in ``<app>/rerender.py``: which rows, which Markdown
each row's HTML comes from, and which field holds the HTML.
``manage.py rerender_text`` renders every one of them again through
:func:`common.sanitize.render_markdown` and writes what changed.

This module imports no app: the registries are found through the app registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Model, QuerySet

from common.sanitize import render_markdown


@dataclass(frozen=True)
class RenderedField:
    """HTML stored on ``rows()`` in ``target``, rendered from ``source(row)``.

    ``source`` returns the row's Markdown, or ``None`` to leave the row as it
    is. With ``render_empty=False`` blank Markdown gives an empty field (as the
    app does when it writes the row).
    """

    name: str
    rows: Callable[[], QuerySet[Any]]
    source: Callable[[Any], str | None]
    target: str = "body_html"
    render_empty: bool = True


@dataclass
class RerenderReport:
    checked: int = 0
    changed: int = 0


def registered_fields() -> Iterator[tuple[str, RenderedField]]:
    """(app label, field) for every installed app's ``rerender.RENDERED_FIELDS``."""
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.rerender")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.rerender":
                raise
            continue
        for field in getattr(module, "RENDERED_FIELDS", ()):
            yield config.label, field


def rerender_field(field: RenderedField, *, dry_run: bool) -> RerenderReport:
    report = RerenderReport()
    rows = field.rows()
    model: type[Model] = rows.model
    for row in rows.iterator(chunk_size=500):
        text = field.source(row)
        if text is None:
            continue
        report.checked += 1
        html = render_markdown(text) if (text.strip() or field.render_empty) else ""
        if html != getattr(row, field.target):
            report.changed += 1
            if not dry_run:
                model._default_manager.filter(pk=row.pk).update(**{field.target: html})
    return report


def rerender_all(*, dry_run: bool = False) -> dict[str, RerenderReport]:
    """Re-render every registered field; reports by ``"<app>.<name>"``."""
    reports: dict[str, RerenderReport] = {}
    with transaction.atomic():
        for label, field in registered_fields():
            reports[f"{label}.{field.name}"] = rerender_field(field, dry_run=dry_run)
    return reports
