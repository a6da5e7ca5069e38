"""The periodic deadline scan: warn before a case is due, mark it overdue when it is.

Four clocks run one after the other: the command centre's for accepting a report (from
when it is reported) and for dispatching it (from its acceptance, or from the step that
brought it back to the command centre: returned by its unit, reopened, escalated), then
the unit's for signing for and for resolving it. Only one step is running at a time, so the case's
``warned_at`` and ``overdue_notified_at`` hold the running step's notices; the step that
ends a clock clears them (``actions``), and every claim names the step it is for, so a
notice for one step is never claimed for the next. A case accepted late and then dispatched
late has two overdue notices, one per step.

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
from gongzhi.cases.workflow import routing

# Warn when this share of the time to resolve is left (at least WARN_MIN before).
WARN_SHARE = 0.2
WARN_MIN = timedelta(hours=1)
SIGN_FOR_STATES = [State.DISPATCHED]
RESOLVE_STATES = [State.DISPATCHED, State.IN_PROGRESS]
ACCEPT_STATES = [State.REPORTED]
# Waiting for a (new) dispatch: accepted, or back with the command centre.
DISPATCH_STATES = [State.ACCEPTED, State.RETURNED, State.REOPENED, State.ESCALATED]
ACCEPT, DISPATCH = "accept", "dispatch"  # taxonomy.ClockStage
# The command centre's clocks run in minutes or hours: warned in their last fifth only.
STAGE_WARN_MIN = timedelta(0)


def stage_clock(case):
    """The command centre's running clock for the case: (stage, started, due) or None."""
    if case.state in ACCEPT_STATES and case.accept_due is not None:
        return ACCEPT, case.created_at, case.accept_due
    if case.state in DISPATCH_STATES and case.dispatch_due is not None:
        return DISPATCH, case.dispatch_from or case.accepted_at, case.dispatch_due
    return None


def start_dispatch_clock(case, *, start) -> None:
    """The command centre has the case to dispatch (again) from ``start``: accepted, returned
    by its unit, reopened or escalated. The running step's notices are the new step's."""
    case.dispatch_from = start
    case.dispatch_due = routing.stage_due(case, DISPATCH, start=start)
    case.is_overdue = False
    case.warned_at = case.overdue_notified_at = None


def start_accept_clock(case, *, start) -> None:
    """A new report's acceptance deadline, from when it was reported (``start``)."""
    if case.state in ACCEPT_STATES and case.accept_due is None:
        case.accept_due = routing.stage_due(case, ACCEPT, start=start)


def on_new_case(sender, instance, raw=False, **kwargs) -> None:
    """pre_save: a case inserted while reported gets its acceptance deadline (intake's
    report; a case accepted as it is made has none, its acceptance took no time)."""
    if not raw and instance._state.adding:
        start_accept_clock(instance, start=instance.created_at or timezone.now())


def late(now) -> Q:
    """Cases whose running step is past its deadline."""
    return (
        Q(state__in=ACCEPT_STATES, accept_due__lt=now)
        | Q(state__in=DISPATCH_STATES, dispatch_due__lt=now)
        | Q(state__in=SIGN_FOR_STATES, sign_for_due__lt=now)
        | Q(state__in=RESOLVE_STATES, resolve_due__lt=now)
    )


def warn_from(start, due, *, minimum=WARN_MIN):
    """When a deadline running from ``start`` to ``due`` becomes due soon: the owner is
    warned then, and the consoles show it."""
    return due - max((due - start) * WARN_SHARE, minimum)


def _claim(case_id: int, field: str, now, extra=None, *, still=None) -> bool:
    """Set ``field`` to now if it is still empty and the case is still in the step the
    notice is for (``still``); True for the one caller that did."""
    updates = {field: now, **(extra or {})}
    rows = Case.objects.filter(pk=case_id, **{f"{field}__isnull": True})
    if still is not None:
        rows = rows.filter(still)
    claimed = bool(rows.update(**updates))
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
                still = Q(state__in=RESOLVE_STATES, resolve_due=case.resolve_due)
                if _claim(case.pk, "warned_at", now, still=still):
                    warned += 1
                    _record(case.pk, "deadline_warning", now)
    stage_soon = Case.objects.filter(
        Q(state__in=ACCEPT_STATES, accept_due__gt=now)
        | (
            Q(state__in=DISPATCH_STATES, dispatch_due__gt=now)
            & (Q(dispatch_from__isnull=False) | Q(accepted_at__isnull=False))
        ),
        warned_at__isnull=True,
        is_overdue=False,
    ).only(
        "id", "state", "created_at", "accept_due", "accepted_at", "dispatch_due", "dispatch_from"
    )
    for case in stage_soon.iterator():
        stage, started, due = stage_clock(case)
        if now >= warn_from(started, due, minimum=STAGE_WARN_MIN):
            with transaction.atomic():
                still = Q(state=case.state, **{f"{stage}_due": due})
                if _claim(case.pk, "warned_at", now, still=still):
                    warned += 1
                    _record(case.pk, "deadline_warning", now, stage)
    found = (
        Case.objects.filter(overdue_notified_at__isnull=True)
        .filter(late(now))
        .values_list("id", "state")
    )
    for case_id, state in list(found):
        with transaction.atomic():
            if _claim(case_id, "overdue_notified_at", now, {"is_overdue": True}, still=late(now)):
                overdue += 1
                _record(case_id, "overdue", now, STAGE_OF.get(state))
    return {"warned": warned, "overdue": overdue}


STAGE_OF = {**dict.fromkeys(ACCEPT_STATES, ACCEPT), **dict.fromkeys(DISPATCH_STATES, DISPATCH)}


def _record(case_id: int, action: str, now, stage: str | None = None) -> None:
    from gongzhi.cases.workflow.table import FLOW  # the table imports the effects

    case = Case.objects.select_related("owner", "command").get(pk=case_id)
    # The command centre's steps name themselves; the unit's entries stay as they were.
    data = {"stage": stage} if stage else {}
    FLOW.record(case, action, now=now, is_public=False, data=data)
