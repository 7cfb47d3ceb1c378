"""Choice labels without Django's per-call cost."""

from __future__ import annotations

from django.db import models


def choice_label(choices: type[models.Choices], value: object) -> str:
    """What ``get_FOO_display()`` returns for ``value`` of a field with
    ``choices``: its translated label, or the value itself when unknown.

    Django's generated ``get_FOO_display`` hashes every (lazy) label on each
    call, about 130 µs for a dozen choices; pages showing a badge per comment
    call it hundreds of times. Looking the member up is about 10 µs.
    """
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)
