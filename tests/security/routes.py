"""Every route of the project, read from the URL conf (``get_resolver``).

The security sweeps (access table, rate limits, CSP) are generated from this
list, so an endpoint added anywhere in the URL conf is swept automatically, and
a route without a rule in :mod:`tests.security.access` fails the sweep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name" (or the pattern for an unnamed route)
    pattern: str  # the full pattern, e.g. "plans/<slug:slug>/"
    module: str  # the view's module, e.g. "consultation.views"
    kwargs: tuple[str, ...]  # URL keyword arguments, e.g. ("slug",)

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")


# Route groups that belong to libraries, not to Agora: their access is the
# library's own (documented in docs/security.md), so the sweep skips them.
EXTERNAL_MODULES = {
    "django.contrib.admin": "Django admin: staff accounts only (Django's checks).",
    "allauth": "django-allauth sign-up, log-in and account pages.",
    "django.views.i18n": "Django's language switch and JavaScript catalogues.",
    "django.views.static": "Media files, only served when DEBUG is on.",
    "drf_spectacular": "The OpenAPI schema and its documentation page.",
}

_CONVERTER = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")


def _pattern_text(pattern: object) -> str:
    text = str(pattern)
    return text.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")


def _callback_module(p: URLPattern) -> str:
    callback = p.callback
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    target = view_class or callback
    return getattr(target, "__module__", "") or ""


def _walk(
    patterns: list[URLPattern | URLResolver], prefix: str, namespace: str
) -> list[Route]:
    routes: list[Route] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            routes += _walk(p.url_patterns, prefix + _pattern_text(p.pattern), ns)
            continue
        full = prefix + _pattern_text(p.pattern)
        name = p.name or full
        if namespace:
            name = f"{namespace}:{name}"
        kwargs = tuple(m["name"] for m in _CONVERTER.finditer(full))
        routes.append(Route(name, full, _callback_module(p), kwargs))
    return routes


def all_routes() -> list[Route]:
    return _walk(get_resolver().url_patterns, "", "")


def external_group(route: Route) -> str | None:
    if route.name.startswith("admin:"):
        return "django.contrib.admin"
    for module in EXTERNAL_MODULES:
        if route.module == module or route.module.startswith(module + "."):
            return module
    return None


def project_routes() -> list[Route]:
    return [r for r in all_routes() if external_group(r) is None]
