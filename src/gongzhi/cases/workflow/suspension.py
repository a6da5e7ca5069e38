"""挂起: while a case is suspended its clocks stand still. On resuming, each deadline still
running (signing for, resolving) moves on by the time the case was suspended, counted in
the deadline's own unit (its SLA policy's): round-the-clock time for minutes and hours,
office time for working hours, working days for working days. So a case suspended for two
working days over a weekend gets exactly two more working days.

The cases whose expected resume date has come are resumed by the watcher's tick
(``resume_due``), as the platform; a unit or the dispatcher may resume one earlier.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from gongzhi.cases.choices import State, SuspensionStatus
from gongzhi.cases.models import Suspension
from gongzhi.cases.workflow import routing
from gongzhi.core import workdays
from gongzhi.core.errors import ServiceError

SUSPENDABLE = (State.DISPATCHED, State.IN_PROGRESS)


def max_days() -> int:
    """The longest a case may be suspended for, by its expected resume date (days)."""
    return int(settings.GONGZHI.get("MAX_SUSPENSION_DAYS", 60))


def office_time_between(a: dt.datetime, b: dt.datetime) -> dt.timedelta:
    """The office time (``workdays.WORKING_HOURS`` on working days) between a and b."""
    if b <= a:
        return dt.timedelta(0)
    total = dt.timedelta(0)
    start, end = a.astimezone(workdays.LOCAL_TZ), b.astimezone(workdays.LOCAL_TZ)
    day = start.date()
    while day <= end.date():
        if workdays.is_workday(day):
            for opens, closes in workdays.WORKING_HOURS:
                lo = max(start, dt.datetime.combine(day, opens, tzinfo=workdays.LOCAL_TZ))
                hi = min(end, dt.datetime.combine(day, closes, tzinfo=workdays.LOCAL_TZ))
                if hi > lo:
                    total += hi - lo
        day += dt.timedelta(days=1)
    return total


def push(due: dt.datetime, unit: str | None, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    """``due`` moved on by the time from ``start`` to ``end``, counted in ``unit``."""
    if unit == workdays.WORKDAYS:
        days = workdays.working_days_between(start, end)
        local = due.astimezone(workdays.LOCAL_TZ)
        day = workdays.nth_working_day_after(local.date(), days)
        return dt.datetime.combine(
            day, local.timetz().replace(tzinfo=None), tzinfo=workdays.LOCAL_TZ
        )
    if unit == workdays.WORKHOURS:
        paused = office_time_between(start, end)
        return workdays.add_working_hours(due, paused.total_seconds() / 3600)
    return due + (end - start)  # minutes, hours, or no policy: elapsed time


def units(case) -> tuple[str | None, str | None]:
    """The units of the case's sign-for and resolve deadlines (its SLA policy's)."""
    policy = routing.sla_for(case)
    if policy is None:
        return None, None
    return policy.sign_for_unit, policy.resolve_unit


def active(case) -> Suspension | None:
    return case.suspensions.filter(status=SuspensionStatus.ACTIVE).first()


def pending(case) -> Suspension | None:
    return case.suspensions.filter(status=SuspensionStatus.PENDING).first()


def leave_unit(case, *, now, was: str) -> None:
    """The case left its unit's hands (resolved, returned, transferred, withdrawn): a request
    to suspend that nobody decided lapses, and a suspension still running ends (a withdrawn
    suspended case). Run inside the step, by the table (``table.WITHIN_STEP``)."""
    if case.pk is None:
        return  # the demo's history plays steps on cases not yet written: none has a request
    case.suspensions.filter(status=SuspensionStatus.PENDING).update(
        status=SuspensionStatus.LAPSED, decided_at=now
    )
    if was == State.SUSPENDED:
        case.suspensions.filter(status=SuspensionStatus.ACTIVE).update(
            status=SuspensionStatus.ENDED, ended_at=now
        )


def resume_due(*, now=None) -> dict:
    """Resume, as the platform, every suspended case whose expected resume date has come
    (local date). Safe to run from several watchers: each resume locks the case and is
    refused once it is no longer suspended."""
    from gongzhi.cases.workflow.table import transition  # the table imports this module

    now = now or timezone.now()
    today = timezone.localtime(now).date()
    ids = list(
        Suspension.objects.filter(
            status=SuspensionStatus.ACTIVE, resume_on__lte=today, case__state=State.SUSPENDED
        ).values_list("case_id", flat=True)
    )
    resumed = 0
    for case_id in ids:
        try:
            transition(case_id=case_id, action="resume", actor=None, now=now, automatic=True)
        except ServiceError:  # resumed meanwhile by a person or another watcher
            continue
        resumed += 1
    return {"resumed": resumed}
