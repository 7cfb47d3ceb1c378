"""Polis-faithful opinion-group analysis in pure numpy/scipy (no Django).

Public API::

    from clustering.math import analyze, AnalysisInput, Parameters
    result = analyze(votes, moderated_out=..., meta=..., state=None,
                     params=Parameters())
    result.to_json(); result.state.to_json(); AnalysisState.from_json(data)
"""

from clustering.math.pipeline import (
    GroupStatistics,
    analyze,
    group_statistics,
    library_versions,
    replay,
)
from clustering.math.types import (
    AnalysisInput,
    AnalysisResult,
    AnalysisState,
    Cluster,
    ConsensusRecord,
    DivisiveRecord,
    GroupResult,
    Id,
    Parameters,
    ParticipantResult,
    RepnessRecord,
    SmootherState,
    StatementResult,
    Tally,
    VoteTable,
    VoteTriple,
)

__all__ = [
    "AnalysisInput",
    "AnalysisResult",
    "AnalysisState",
    "Cluster",
    "ConsensusRecord",
    "DivisiveRecord",
    "GroupResult",
    "GroupStatistics",
    "Id",
    "Parameters",
    "ParticipantResult",
    "RepnessRecord",
    "SmootherState",
    "StatementResult",
    "Tally",
    "VoteTable",
    "VoteTriple",
    "analyze",
    "group_statistics",
    "library_versions",
    "replay",
]
