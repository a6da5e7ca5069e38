"""Triage's background work: retraining from the dispatchers' decisions.

The watcher's tick (``jobs.tick``) decides when a retraining is due and queues this task;
the task worker trains (a minute or more on a large platform), so the watcher never waits.
"""

from django_tasks import task


@task()
def retrain() -> dict:
    """Train on the confirmed categories; keep the active model if the new one is worse.
    Then refit the duplicate scorer's calibration from the merge verdicts (kept only if
    better on held-out verdicts)."""
    from . import calibration, services

    try:
        result = services.do_retrain()
    except services.TriageError as exc:
        result = {"status": "skipped", "reason": exc.code}
    result["duplicate_calibration"] = calibration.do_calibrate(
        threshold=services.policy().duplicate_min_score
    )
    return result
