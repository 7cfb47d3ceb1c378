"""Project-level pages: the home page and the API guide.

The home page explains the three activities and lists what is open now. Each
activity app contributes its own list through ``<app>.home.open_now(request)``,
which returns a context dict for the template ``<app>/_home.html`` (or None to
show nothing), so the apps stay independent of each other.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
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


def _per(rate: str) -> str:
    """``"10/minute"`` as "10 per minute", translated."""
    amount, _sep, unit = rate.partition("/")
    n = int(amount)
    phrases = {
        "second": ngettext("%(n)d per second", "%(n)d per second", n),
        "minute": ngettext("%(n)d per minute", "%(n)d per minute", n),
        "hour": ngettext("%(n)d per hour", "%(n)d per hour", n),
        "day": ngettext("%(n)d per day", "%(n)d per day", n),
    }
    return phrases.get(unit.rstrip("s"), rate) % {"n": n}


@require_GET
def api_guide(request: HttpRequest) -> HttpResponse:
    """How to use the REST API, feeds and calendars; the write limits shown
    are the ones the services enforce."""
    from clustering import conf as clustering_conf
    from consultation.services import COMMENT_RATE
    from forum.services import QUESTION_RATE, UPVOTE_RATE

    limits = [
        (_("Comments and replies on plans"), _per(COMMENT_RATE)),
        (_("Questions in a forum session"), _per(QUESTION_RATE)),
        (_("Upvotes of questions"), _per(UPVOTE_RATE)),
        (_("Votes on statements"), _per(clustering_conf.vote_rate())),
        (_("New statements"), _per(clustering_conf.statement_rate())),
        (
            _("Any write, per account or browser session"),
            _per(settings.RATELIMIT_WRITE_USER_RATE),
        ),
        (_("Any write, per IP address"), _per(settings.RATELIMIT_WRITE_IP_RATE)),
    ]
    return render(
        request,
        "api_guide.html",
        {
            "limits": limits,
            "page_size": settings.REST_FRAMEWORK.get("PAGE_SIZE"),
            "site_url": settings.SITE_URL,
        },
    )
