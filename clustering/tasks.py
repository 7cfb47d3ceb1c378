"""Background tasks (django-tasks; the database backend in production).

``make run`` starts ``manage.py db_worker --queue-name '*'`` next to daphne;
production runs one or more ``db_worker`` processes (see docs/conversations.md).
"""

from __future__ import annotations

from django_tasks import task

from clustering.services.analysis import run_analysis


@task()
def analyse_conversation(conversation_id: int) -> str:
    """Recompute one conversation's analysis (debounced by the scheduler)."""
    return run_analysis(conversation_id).status
