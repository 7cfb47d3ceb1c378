"""Validation helpers shared by the consultation services."""

from __future__ import annotations

import html

from django.core.exceptions import ValidationError
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from common.sanitize import clean_text


class Errors:
    """Collects field errors; ``raise_if_any`` raises one ValidationError."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def single_line(value: object) -> str:
    """Plain text on one line: cleaned, whitespace collapsed."""
    return " ".join(clean_text(str(value or "")).split())


def query_text(value: object, max_length: int) -> str:
    """A text parameter from a URL, safe to compare with database values (no
    NUL or other control characters, which PostgreSQL refuses; bounded)."""
    return single_line(value)[:max_length]


def multi_line(value: object) -> str:
    """Plain or Markdown text: cleaned, surrounding blank space removed."""
    return clean_text(str(value or "")).strip()


def required_text(
    errors: Errors, field: str, value: str, *, max_length: int, label: str = ""
) -> str:
    if not value.strip():
        errors.add(field, _("This field cannot be empty."))
    elif len(value) > max_length:
        errors.add(
            field,
            _("Keep this to %(max)d characters or fewer (it has %(count)d).")
            % {"max": max_length, "count": len(value)},
        )
    return value


def optional_text(errors: Errors, field: str, value: str, *, max_length: int) -> str:
    if len(value) > max_length:
        errors.add(
            field,
            _("Keep this to %(max)d characters or fewer (it has %(count)d).")
            % {"max": max_length, "count": len(value)},
        )
    return value


def plain_text_of(html_text: str) -> str:
    """The words a reader sees in sanitised HTML, whitespace collapsed."""
    return " ".join(html.unescape(strip_tags(html_text)).split())


def choice(errors: Errors, field: str, value: object, choices: list[str]) -> str:
    text = str(value or "")
    if text not in choices:
        errors.add(field, _("Choose one of the listed options."))
    return text
