"""The watcher's triage job: queue a retraining when the policy's schedule says it is due.

Safe from several watchers: the policy row is claimed with a conditional UPDATE on its
``last_retrain_at``, so one of them queues the task and the others see it done.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import RETRAIN_DAYS, TriagePolicy

log = logging.getLogger(__name__)


def due(policy: TriagePolicy, now) -> bool:
    days = RETRAIN_DAYS.get(policy.retrain)
    if days is None:
        return False
    return policy.last_retrain_at is None or now - policy.last_retrain_at >= timedelta(days=days)


def tick(*, now=None) -> dict:
    now = now or timezone.now()
    policy = TriagePolicy.objects.filter(enabled=True).first()
    if policy is None or not due(policy, now):
        return {"retrain_queued": 0}
    unchanged = (
        Q(last_retrain_at__isnull=True)
        if policy.last_retrain_at is None
        else Q(last_retrain_at=policy.last_retrain_at)
    )
    claimed = TriagePolicy.objects.filter(unchanged, pk=policy.pk).update(last_retrain_at=now)
    if not claimed or policy.last_retrain_at is None:
        # The first tick only starts the clock: a platform just installed or loaded with
        # the demo has no decisions yet, and a training would hold up the task worker's
        # deliveries for minutes.
        return {"retrain_queued": 0}
    from . import tasks

    def queue():
        try:
            tasks.retrain.enqueue()
        except Exception:
            log.exception("could not queue the triage retraining")

    transaction.on_commit(queue)
    return {"retrain_queued": 1}
