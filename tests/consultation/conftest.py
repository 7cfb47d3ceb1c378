"""Fixtures for the consultation tests: an agency, its officials and a plan
built through the real services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from consultation import services
from consultation.models import Plan, PlanStatus
from tests.factories import AgencyFactory, make_user

PLAN_V1 = """\
Introductory text of the plan.

## 1 Background {#background}

Why this plan exists.

## 3 Commitments

### 3.1 Open data
Agency: ministry-of-data
Milestone: 2026-06 Publish the inventory

Publish the inventory of datasets.

### 3.2 Open committee meetings
Agency: ministry-of-data
Milestone: 2026-03 Stream every committee meeting

Every committee meeting will be streamed live and archived.

### 3.3 Lobbying register

A searchable register, updated monthly.
"""

PLAN_V2 = """\
Introductory text of the plan.

## 1 Background {#background}

Why this plan exists.

## 3 Commitments

### 3.1 Open data
Agency: ministry-of-data
Milestone: 2026-06 Publish the inventory

Publish the inventory of datasets.

### 3.2 Open committee meetings
Agency: ministry-of-data
Milestone: 2026-03 Stream every committee meeting with captions

Every committee meeting will be streamed live with captions and archived.

### 3.4 Youth participation

A youth forum reviews each commitment.
"""


@pytest.fixture
def agency(db):
    return AgencyFactory(slug="ministry-of-data", name="Ministry of Data")


@pytest.fixture
def other_agency(db):
    return AgencyFactory(slug="other-ministry", name="Other Ministry")


@pytest.fixture
def official(agency):
    return make_user(Role.OFFICIAL, agency=agency, display_name="Olu Official")


@pytest.fixture
def other_official(other_agency):
    return make_user(Role.OFFICIAL, agency=other_agency, display_name="Ola Other")


def make_plan(
    official,
    *,
    body: str = PLAN_V1,
    slug: str = "open-parliament",
    status: str = PlanStatus.OPEN,
    publish: bool = True,
    opens_at=None,
    closes_at=None,
) -> Plan:
    """A plan created, published and opened through the services."""
    plan = services.create_plan(
        user=official,
        agency=official.agency,
        title="Open Parliament Action Plan",
        slug=slug,
        summary="Commitments for an open parliament.",
    )
    if publish:
        services.publish_version(user=official, plan=plan, body=body)
    if status != PlanStatus.DRAFT:
        services.update_plan(
            user=official,
            plan=plan,
            title=plan.title,
            summary=plan.summary,
            status=status,
            opens_at=opens_at,
            closes_at=closes_at,
        )
    plan.refresh_from_db()
    return plan


@pytest.fixture
def plan(official):
    return make_plan(
        official,
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=30),
    )


def publish_v2(plan, official, body: str = PLAN_V2):
    version = services.publish_version(
        user=official, plan=plan, body=body, change_summary="Captions; youth."
    )
    plan.refresh_from_db()
    return version
