"""Tunables of the clustering app, read from settings at call time.

``CLUSTERING_ANALYSIS_INTERVAL`` (seconds, default 5): at most one analysis
starts per conversation in this interval (the debounce).
``CLUSTERING_ANALYSIS_LEASE`` (seconds, default 60): the least time a running
analysis holds its claim before another worker may take over.
``CLUSTERING_KEEP_FULL_ANALYSES`` (default 3): analyses that keep their full
result JSON and warm-start state; older ones keep their summary only.
``CLUSTERING_VOTE_RATE`` / ``CLUSTERING_VOTE_IP_RATE`` /
``CLUSTERING_STATEMENT_RATE`` / ``CLUSTERING_STATEMENT_IP_RATE``: rate limits.
"""

from __future__ import annotations

from django.conf import settings

WHERE_YOU_STAND_VOTES = 7
MAP_POINTS = 2000
SUPPRESS_BELOW = 5


def analysis_interval() -> float:
    return float(getattr(settings, "CLUSTERING_ANALYSIS_INTERVAL", 5.0))


def analysis_lease() -> float:
    return float(getattr(settings, "CLUSTERING_ANALYSIS_LEASE", 60.0))


def keep_full_analyses() -> int:
    return int(getattr(settings, "CLUSTERING_KEEP_FULL_ANALYSES", 3))


def vote_rate() -> str:
    return str(getattr(settings, "CLUSTERING_VOTE_RATE", "60/minute"))


def vote_ip_rate() -> str:
    return str(getattr(settings, "CLUSTERING_VOTE_IP_RATE", "3000/minute"))


def statement_rate() -> str:
    return str(getattr(settings, "CLUSTERING_STATEMENT_RATE", "5/minute"))


def statement_ip_rate() -> str:
    return str(getattr(settings, "CLUSTERING_STATEMENT_IP_RATE", "200/hour"))
