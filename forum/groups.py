"""Channel-layer group names of a session (the caller picks the audience)."""


def session_group(session_id: int) -> str:
    """Everyone watching the session (and the process-internal hub messages)."""
    return f"forum.session.{session_id}"


def moderator_group(session_id: int) -> str:
    """The session's moderators: pending questions and the moderators' stream."""
    return f"forum.session.{session_id}.moderators"
