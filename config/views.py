"""Project-level pages: the home page.

The home page explains the three activities and lists what is open now. Each
activity app contributes its own list through ``<app>.home.open_now(request)``,
which returns a context dict for the template ``<app>/_home.html`` (or None to
show nothing), so the apps stay independent of each other.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

HOME_APPS = ("consultation", "forum", "clustering")


def _open_now(request: HttpRequest) -> list[dict[str, Any]]:
    sections = []
    for app in HOME_APPS:
        try:
            module = import_module(f"{app}.home")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.home":
                raise
            continue
        context = module.open_now(request)
        if context is not None:
            sections.append({"template": f"{app}/_home.html", "context": context})
    return sections


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"open_sections": _open_now(request)})
