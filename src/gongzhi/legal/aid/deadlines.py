"""The legal-aid deadlines, on the platform's calendar (``core.workdays``), and the tick that
warns of them and escalates them.

- ``decision_due``: the end of the 7th working day after receipt (法律援助法 art. 43); the
  clock stops while the documents asked for are awaited and the due date moves by the
  working days that took.
- ``supplement_due``: the end of the day N calendar days after the request (default 15,
  ``LEGAL_AID_SUPPLEMENT_DAYS``); no answer by then is a withdrawal.
- ``objection_window_ends``: the applicant may object within 15 days of the refusal
  (art. 49; ``LEGAL_AID_OBJECTION_DAYS``).
- ``objection_due``: the 司法局 decides within 5 working days of the objection.
- ``assign_due``: a lawyer is assigned within 3 working days of the decision.

``tick`` warns (a working day before: the reviewers and director, or the 司法局) and
escalates (once overdue: the director and the 司法局, and the application is flagged).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gongzhi.core import workdays

from .choices import State

DECISION_WORKDAYS = 7
ASSIGN_WORKDAYS = 3
OBJECTION_DECISION_WORKDAYS = 5
URGENT_DAYS = 7


def supplement_days() -> int:
    return int(getattr(settings, "LEGAL_AID_SUPPLEMENT_DAYS", 15))


def objection_days() -> int:
    return int(getattr(settings, "LEGAL_AID_OBJECTION_DAYS", 15))


def _end_of_day(moment: dt.datetime, days: int) -> dt.datetime:
    local = moment.astimezone(workdays.LOCAL_TZ).date() + dt.timedelta(days=days)
    return dt.datetime.combine(local, workdays.END_OF_DAY, tzinfo=workdays.LOCAL_TZ)


def decision_due(received_at: dt.datetime) -> dt.datetime:
    return workdays.deadline(received_at, DECISION_WORKDAYS, workdays.WORKDAYS)


def assign_due(decided_at: dt.datetime) -> dt.datetime:
    return workdays.deadline(decided_at, ASSIGN_WORKDAYS, workdays.WORKDAYS)


def objection_due(objected_at: dt.datetime) -> dt.datetime:
    return workdays.deadline(objected_at, OBJECTION_DECISION_WORKDAYS, workdays.WORKDAYS)


def supplement_due(requested_at: dt.datetime, days: int | None = None) -> dt.datetime:
    return _end_of_day(requested_at, supplement_days() if days is None else days)


def objection_window_ends(decided_at: dt.datetime) -> dt.datetime:
    return _end_of_day(decided_at, objection_days())


def paused_days(requested_at: dt.datetime, supplied_at: dt.datetime) -> int:
    """The working days spent awaiting documents (after the request's day, up to the day
    they came)."""
    return max(0, workdays.working_days_between(requested_at, supplied_at))


def pushed(due: dt.datetime, days: int) -> dt.datetime:
    """A decision due date moved on by ``days`` working days (still at the day's end)."""
    if days <= 0:
        return due
    return workdays.end_of_working_days(due, days)


def is_urgent_matter(matter_deadline: dt.date | None, now: dt.datetime | None = None) -> bool:
    """Art. 44: the matter's deadline (limitation, hearing) is less than 7 days away."""
    if matter_deadline is None:
        return False
    today = timezone.localdate(now or timezone.now(), workdays.LOCAL_TZ)
    return (matter_deadline - today).days < URGENT_DAYS


# -- the tick --------------------------------------------------------------------------

# deadline field → the states in which it runs
WATCHED = {
    "decision_due": (State.SUBMITTED, State.UNDER_REVIEW),
    "assign_due": (State.GRANTED,),
    "objection_due": (State.OBJECTED,),
    "supplement_due": (State.AWAITING_DOCUMENTS,),
}


def _warn_from(due: dt.datetime) -> dt.datetime:
    """The start of the working day before the due day (local midnight)."""
    day = workdays.nth_working_day_after(due.astimezone(workdays.LOCAL_TZ).date(), -1)
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=workdays.LOCAL_TZ)


def _key(field: str, due: dt.datetime) -> str:
    return f"{field}:{due.astimezone(workdays.LOCAL_TZ).date().isoformat()}"


def tick(*, now=None) -> dict:
    """Warn of deadlines a working day ahead, escalate the passed ones, and withdraw the
    applications whose documents did not come in time. Returns counts."""
    from ..models.aid import Application
    from .workflow import FLOW

    now = now or timezone.now()
    done = {"warned": 0, "escalated": 0, "lapsed": 0}
    for field, states in WATCHED.items():
        rows = Application.objects.filter(
            state__in=states,
            **{f"{field}__isnull": False, f"{field}__lte": now + dt.timedelta(days=10)},
        ).values_list("pk", field)
        for pk, due in rows:
            key = _key(field, due)
            if field == "supplement_due":
                if now > due:
                    done["lapsed"] += _lapse(pk, now)
                elif now >= _warn_from(due):
                    done["warned"] += _mark(FLOW, pk, field, key, now, "warned")
                continue
            if now > due:
                done["escalated"] += _mark(FLOW, pk, field, key, now, "escalated")
            elif now >= _warn_from(due):
                done["warned"] += _mark(FLOW, pk, field, key, now, "warned")
    return done


def _lapse(pk, now) -> int:
    """Withdraw for silence; 0 when the application moved on meanwhile."""
    from gongzhi.core.errors import ServiceError

    from .workflow import FLOW

    try:
        FLOW.transition(pk=pk, action="lapse", actor=None, now=now)
    except ServiceError:
        return 0
    return 1


def _mark(flow, pk, field, key, now, kind) -> int:
    """Record a warning or an overdue notice once per deadline (and due date)."""
    from ..models.aid import Application

    with transaction.atomic():
        app = Application.objects.select_for_update(of=("self",)).filter(pk=pk).first()
        if app is None or getattr(app, field) is None or _key(field, getattr(app, field)) != key:
            return 0
        if app.state not in WATCHED[field]:
            return 0
        marks = list(getattr(app, kind))
        if key in marks:
            return 0
        marks.append(key)
        setattr(app, kind, marks)
        fields = [kind, "updated_at"]
        if kind == "escalated":
            app.overdue = True
            fields.append("overdue")
        app.save(update_fields=fields)
        flow.record(
            app,
            "deadline_warning" if kind == "warned" else "deadline_overdue",
            now=now,
            data={"deadline": field, "due": getattr(app, field).isoformat()},
            is_public=False,
        )
    return 1
