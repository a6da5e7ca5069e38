"""The app's one background task, and how it is queued.

Deliveries are queued after commit, so a rolled-back transaction sends nothing, and
the worker always finds the row it is asked to send.
"""

import logging
from datetime import datetime

from django_tasks import task

from . import sending

logger = logging.getLogger(__name__)


@task()
def deliver(delivery_id: int) -> str:
    """Attempt one delivery. Safe to run any number of times: a claim guards the send."""
    return sending.attempt(delivery_id)


def can_defer() -> bool:
    """Whether the task backend can hold a task until a given time (the DB backend can)."""
    return deliver.get_backend().supports_defer


def enqueue(delivery_id: int, *, run_after: datetime | None = None) -> bool:
    """Queue a send. False when the queue refused it: `notify retry` will pick it up later."""
    if run_after is not None and not can_defer():
        return False
    try:
        (deliver.using(run_after=run_after) if run_after else deliver).enqueue(delivery_id)
    except Exception:
        logger.exception("could not queue notification delivery %s", delivery_id)
        return False
    return True
