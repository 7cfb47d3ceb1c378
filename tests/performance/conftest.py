"""The apps' fixtures: a plan open for comment with its agency's official,
and an open conversation with statements."""

from __future__ import annotations

from tests.clustering_web.conftest import conversation
from tests.consultation.conftest import agency, official, plan

__all__ = ["agency", "conversation", "official", "plan"]
