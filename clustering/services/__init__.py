"""Business rules of the clustering app (one module per concern)."""

from clustering.services.analysis import (
    note_change,
    request_analysis,
    run_analysis,
)
from clustering.services.conversations import (
    SeedReport,
    create_conversation,
    create_statement_from_question,
    dismiss_flags,
    link_errors,
    moderate_statements,
    seed_statements,
    set_meta,
    update_conversation,
)
from clustering.services.participation import (
    Actor,
    add_statement,
    flag_statement,
    get_or_create_participant,
    record_vote,
)

__all__ = [
    "Actor",
    "SeedReport",
    "add_statement",
    "create_conversation",
    "create_statement_from_question",
    "dismiss_flags",
    "flag_statement",
    "get_or_create_participant",
    "link_errors",
    "moderate_statements",
    "note_change",
    "record_vote",
    "request_analysis",
    "run_analysis",
    "seed_statements",
    "set_meta",
    "update_conversation",
]
