"""The periodic deadline scan: warn before a case is due, mark it overdue when it is.

Safe to run from several processes at once and as often as you like: each warning and
each overdue notice is claimed with a conditional UPDATE, so it is sent exactly once, and
a case missed by one run is caught by the next (the scan looks at every open case past
its threshold, not at a time window).
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gongzhi.cases.choices import State
from gongzhi.cases.models import Case
from gongzhi.cases.signals import cases_changed

# Warn when this share of the time to resolve is left (at least WARN_MIN before).
WARN_SHARE = 0.2
WARN_MIN = timedelta(hours=1)
SIGN_FOR_STATES = [State.DISPATCHED]
RESOLVE_STATES = [State.DISPATCHED, State.IN_PROGRESS]


def warn_from(start, due, *, minimum=WARN_MIN):
    """When a deadline running from ``start`` to ``due`` becomes due soon: the owner is
    warned then, and the consoles show it."""
    return due - max((due - start) * WARN_SHARE, minimum)


def _claim(case_id: int, field: str, now, extra=None) -> bool:
    """Set ``field`` to now if it is still empty; True for the one caller that did."""
    updates = {field: now, **(extra or {})}
    claimed = bool(Case.objects.filter(pk=case_id, **{f"{field}__isnull": True}).update(**updates))
    if claimed and extra:
        cases_changed.send(sender=Case, ids=[case_id])  # update() sends no save signal
    return claimed


def scan(*, now=None) -> dict:
    now = now or timezone.now()
    warned = overdue = 0
    due_soon = Case.objects.filter(
        state__in=RESOLVE_STATES,
        warned_at__isnull=True,
        is_overdue=False,
        resolve_due__gt=now,
        dispatched_at__isnull=False,
    ).only("id", "dispatched_at", "resolve_due")
    for case in due_soon.iterator():
        if now >= warn_from(case.dispatched_at, case.resolve_due):
            with transaction.atomic():
                if _claim(case.pk, "warned_at", now):
                    warned += 1
                    _record(case.pk, "deadline_warning", now)
    late = (
        Case.objects.filter(overdue_notified_at__isnull=True)
        .filter(
            Q(state__in=SIGN_FOR_STATES, sign_for_due__lt=now)
            | Q(state__in=RESOLVE_STATES, resolve_due__lt=now)
        )
        .values_list("id", flat=True)
    )
    for case_id in list(late):
        with transaction.atomic():
            if _claim(case_id, "overdue_notified_at", now, {"is_overdue": True}):
                overdue += 1
                _record(case_id, "overdue", now)
    return {"warned": warned, "overdue": overdue}


def _record(case_id: int, action: str, now) -> None:
    from gongzhi.cases.workflow.table import FLOW  # the table imports the effects

    case = Case.objects.select_related("owner", "command").get(pk=case_id)
    FLOW.record(case, action, now=now, is_public=False)
