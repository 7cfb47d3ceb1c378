"""Atom feeds of plans: new versions (of one plan, or of every plan) and the
official responses to a plan's comments. Links are absolute (SITE_URL);
text is the sanitised HTML the pages show, or escaped plain text."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.sanitize import clean_text
from consultation import permissions as perms
from consultation.api import public_responses
from consultation.models import OfficialResponse, Plan, PlanVersion

ITEMS = 50


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _versions(plans: QuerySet[Plan] | None = None) -> QuerySet[PlanVersion]:
    versions = PlanVersion.objects.filter(
        published_at__isnull=False, plan__current_version__isnull=False
    )
    if plans is not None:
        versions = versions.filter(plan__in=plans)
    return versions.select_related("plan__agency").order_by("-published_at", "-pk")


class _VersionFeed(Feed):  # type: ignore[type-arg]
    feed_type = Atom1Feed

    def item_title(self, version: PlanVersion) -> str:
        return clean_text(
            _("%(plan)s: version %(number)d")
            % {"plan": version.plan.title, "number": version.number}
        )

    def item_description(self, version: PlanVersion) -> str:
        summary = clean_text(version.change_summary) or _("No summary of changes.")
        return linebreaks(escape(summary))

    def item_link(self, version: PlanVersion) -> str:
        return absolute(version.get_absolute_url())

    def item_pubdate(self, version: PlanVersion) -> datetime | None:
        return version.published_at

    def item_updateddate(self, version: PlanVersion) -> datetime | None:
        return version.published_at

    def item_author_name(self, version: PlanVersion) -> str:
        return clean_text(version.plan.agency.name)


class AllVersionsFeed(_VersionFeed):
    title = gettext_lazy("New versions of plans")
    description = gettext_lazy("Every version of a plan published for comment.")

    def link(self) -> str:
        return absolute(reverse("consultation:plan_list"))

    def feed_url(self) -> str:
        return absolute(reverse("consultation:versions_feed"))

    def items(self) -> QuerySet[PlanVersion]:
        return _versions()[:ITEMS]


class PlanVersionsFeed(_VersionFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Plan:
        return perms.access_plan(request.user, slug)

    def title(self, plan: Plan) -> str:
        return clean_text(_("%(plan)s: new versions") % {"plan": plan.title})

    def subtitle(self, plan: Plan) -> str:
        return clean_text(plan.summary)

    def link(self, plan: Plan) -> str:
        return absolute(plan.get_absolute_url())

    def feed_url(self, plan: Plan) -> str:
        return absolute(reverse("consultation:plan_versions_feed", args=[plan.slug]))

    def items(self, plan: Plan) -> Any:
        return _versions(Plan.objects.filter(pk=plan.pk))[:ITEMS]


class PlanResponsesFeed(Feed):  # type: ignore[type-arg]
    """Official responses to the plan's comments, newest first (responses to
    hidden comments are left out, as on the plan's page)."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, slug: str) -> Plan:
        return perms.access_plan(request.user, slug)

    def title(self, plan: Plan) -> str:
        return clean_text(_("%(plan)s: official responses") % {"plan": plan.title})

    def link(self, plan: Plan) -> str:
        return absolute(plan.get_absolute_url())

    def feed_url(self, plan: Plan) -> str:
        return absolute(reverse("consultation:plan_responses_feed", args=[plan.slug]))

    def items(self, plan: Plan) -> Any:
        return public_responses(plan).select_related("comment__section__version")[
            :ITEMS
        ]

    def item_title(self, response: OfficialResponse) -> str:
        return clean_text(
            _("%(disposition)s: comment #%(comment)d on section %(section)s")
            % {
                "disposition": response.get_disposition_display(),
                "comment": response.comment_id,
                "section": response.comment.section_key,
            }
        )

    def item_description(self, response: OfficialResponse) -> str:
        return response.body_html

    def item_link(self, response: OfficialResponse) -> str:
        return absolute(response.comment.get_absolute_url())

    def item_guid(self, response: OfficialResponse) -> str:
        return absolute(f"{response.comment.get_absolute_url()}#response-{response.pk}")

    def item_pubdate(self, response: OfficialResponse) -> datetime:
        return response.created_at

    def item_updateddate(self, response: OfficialResponse) -> datetime:
        return response.created_at

    def item_author_name(self, response: OfficialResponse) -> str:
        return clean_text(response.agency.name)
