from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Mapping[Any, Any] | None, key: Any) -> Any:
    """``{{ dict|get_item:key }}`` (string keys, as in JSON)."""
    if not mapping:
        return None
    return mapping.get(str(key))
