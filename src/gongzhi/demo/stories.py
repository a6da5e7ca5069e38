"""What happens to each demo case: its story, drawn as the workflow actions people take and
when they take them (accept or reject, dispatch, sign for, resolve, verify, rate; now and
then a merge, an escalation, a return, a failed verification, an extension, a supervision,
a reopening). Deadlines come from the category's SLA as ``routing.deadlines`` gives them,
so a late step is late by the same clock the workflow reads. ``demo.history`` takes the
steps through the workflow.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as dt_time
from functools import lru_cache

from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Role
from gongzhi.cases import notes
from gongzhi.cases.choices import FINAL_STATES, Satisfaction
from gongzhi.core import workdays
from gongzhi.demo.drafts import Draft, minutes
from gongzhi.demo.reference import Reference
from gongzhi.demo.texts import (
    BAD_COMMENTS,
    ESCALATE_REASONS,
    EXTENSION_REASONS,
    GOOD_COMMENTS,
    REJECT_REASONS,
    RETURN_REASONS,
    SUPERVISE_NOTES,
    VERIFY_FAIL_REASONS,
    render,
)

P_MERGE = 0.12  # of the cases a dispatcher looks at before dispatch (not auto-dispatched)
P_REJECT = 0.083  # idem: about 5% of all cases
P_ESCALATE = 0.04
P_RETURN = 0.05
P_LATE_SIGN = 0.07
P_OVERDUE = 0.08  # plus the few pushed past the deadline by office hours: about 8%
P_EXTENSION = 0.04
P_VERIFY_FAIL = 0.03
P_CALLBACK = 0.85
P_REOPEN = 0.5  # of the unhappy callbacks
MERGE_WINDOW = timedelta(days=5)
P_STALL = 0.3  # of the cases reported within STALL_WINDOW: still waiting at some step
STALL_WINDOW = timedelta(days=12)
# A report waits for the command centre (to be accepted or dispatched) only on the morning
# it is looked at: an older case left waiting is held at a unit's step. A few of those
# recent ones run past the centre's own time limits, and the scan marks them overdue.
COMMAND_STALL_WINDOW = timedelta(hours=8)


@dataclass
class Step:
    at: datetime
    action: str
    who: str  # reporter | platform | command | owner | verifier | caller
    params: dict = field(default_factory=dict)


def _office(moment: datetime) -> datetime:
    """Departments on working-day deadlines work office hours: a finish at night is moved to
    the next morning (keeping its minutes, so finishes do not all land at 08:30)."""
    local = timezone.localtime(moment)
    if 8 <= local.hour < 18:
        return moment
    day = local.date() if local.hour < 8 else local.date() + timedelta(days=1)
    morning = datetime.combine(day, dt_time(8, 30), tzinfo=local.tzinfo)
    return morning + timedelta(minutes=local.minute, seconds=local.second)


def _sla(d: Draft):
    return d.category.urgent_sla if d.is_urgent else d.category.sla


def _deadlines(sla, start):
    """As ``routing.deadlines`` gives them for this SLA policy: to draw when the steps
    fall, early or late (the dispatch sets the case's own)."""
    if sla is None:
        return None, None
    return (
        _deadline(start, sla.sign_for_value, sla.sign_for_unit),
        _deadline(start, sla.resolve_value, sla.resolve_unit),
    )


def _deadline(start: datetime, value: int, unit: str) -> datetime:
    if unit != workdays.WORKDAYS:
        return workdays.deadline(start, value, unit)
    # A working-day deadline depends on the local date only; the calendar lookups are slow.
    return _workday_deadline(timezone.localdate(start), value)


@lru_cache(maxsize=2048)
def _workday_deadline(day, value: int) -> datetime:
    noon = datetime.combine(day, dt_time(12), tzinfo=timezone.get_current_timezone())
    return workdays.deadline(noon, value, workdays.WORKDAYS)


def story(rng: random.Random, d: Draft, ref: Reference, merge_into: Draft | None) -> list:
    """The steps of one case, from its report on, as (time, action, who, parameters)."""
    t = d.created_at
    steps = [Step(t, "report", "reporter")]
    auto_accept, auto_dispatch = ref.policies.get(d.channel, (False, False))
    if auto_accept:
        t += timedelta(milliseconds=4)
        steps.append(Step(t, "accept", "platform", {"note": _(notes.AUTO_ACCEPTED)}))
    if auto_accept and auto_dispatch and d.owner_id is not None:
        t += timedelta(milliseconds=4)
        return _handle(rng, d, ref, t, steps, "platform")
    t += minutes(rng, 3, 180)
    if merge_into is not None:
        steps.append(Step(t, "merge", "command", {"into": merge_into}))
        return steps
    roll = rng.random()
    if roll < P_REJECT:
        steps.append(Step(t, "reject", "command", {"reason": rng.choice(REJECT_REASONS)}))
        return steps
    if not auto_accept:
        steps.append(Step(t, "accept", "command"))
        t += minutes(rng, 3, 90)
    if roll < P_REJECT + P_ESCALATE and ref.upper_command(d.command_id):
        steps.append(Step(t, "escalate", "command", {"reason": rng.choice(ESCALATE_REASONS)}))
        t += minutes(rng, 30, 600)
    return _handle(rng, d, ref, t, steps, "command")


def _handle(rng, d: Draft, ref: Reference, t: datetime, steps: list, who: str, again=False):
    """Dispatch, sign for, resolve, verify and (maybe) rate; reopened cases go round again."""
    t = _work(rng, d, ref, t, steps, who, allow_return=not again)
    if rng.random() < P_VERIFY_FAIL and not again:
        steps.append(
            Step(t, "verify_fail", "verifier", {"reason": rng.choice(VERIFY_FAIL_REASONS)})
        )
        t = _work(rng, d, ref, t + minutes(rng, 60, 600), steps, "command", allow_return=False)
    steps.append(Step(t, "verify_pass", "verifier"))
    if rng.random() >= (P_CALLBACK if not again else 0.7):
        return steps
    t += minutes(rng, 120, 4320)
    late = any(s.action == "supervise" for s in steps) or rng.random() < 0.08
    choice = rng.random()
    if again:
        satisfaction = Satisfaction.SATISFIED if choice < 0.75 else Satisfaction.BASIC
    elif choice < (0.55 if late else 0.81):
        satisfaction = Satisfaction.SATISFIED
    elif choice < (0.82 if late else 0.94):
        satisfaction = Satisfaction.BASIC
    else:
        satisfaction = Satisfaction.UNSATISFIED
    unhappy = satisfaction == Satisfaction.UNSATISFIED
    resolved = rng.random() < (
        0.3 if unhappy else 0.96 if satisfaction == Satisfaction.BASIC else 1
    )
    reopen = (unhappy or not resolved) and not again and rng.random() < P_REOPEN
    comment = rng.choice(BAD_COMMENTS if unhappy or not resolved else GOOD_COMMENTS)
    steps.append(
        Step(
            t,
            "callback",
            "caller",
            {
                "satisfaction": satisfaction,
                "resolved": resolved,
                "comment": comment,
                "reopen": reopen,
            },
        )
    )
    if reopen:
        return _handle(rng, d, ref, t + minutes(rng, 60, 720), steps, "command", again=True)
    return steps


def _work(rng, d: Draft, ref: Reference, t, steps, who, *, allow_return) -> datetime:
    """From dispatch to resolution; returns when the verifier comes."""
    alternatives = [o for o in ref.departments.get(d.grid.county, []) if o != d.owner_id]
    if allow_return and alternatives and rng.random() < P_RETURN:
        steps.append(Step(t, "dispatch", who, {"organisation": rng.choice(alternatives)}))
        t += minutes(rng, 30, 480)
        steps.append(Step(t, "return", "owner", {"reason": rng.choice(RETURN_REASONS)}))
        t += minutes(rng, 20, 240)
        who = "command"
    steps.append(Step(t, "dispatch", who, {"organisation": d.owner_id}))
    sla = _sla(d)
    sign_due, due = _deadlines(sla, t)
    if sign_due is None:
        sign_due, due = t + timedelta(hours=2), t + timedelta(days=5)
    factor = rng.uniform(1.05, 3.0) if rng.random() < P_LATE_SIGN else rng.uniform(0.03, 0.9)
    t = t + (sign_due - t) * factor
    steps.append(Step(t, "sign_for", "owner"))
    start = t
    by_workdays = sla is not None and sla.resolve_unit == workdays.WORKDAYS
    if (
        by_workdays
        and rng.random() < P_EXTENSION
        and ref.first(d.owner_id, Role.HANDLER, Role.LEADER)
    ):
        asked = t + (due - t) * rng.uniform(0.3, 0.8)
        new_due = _deadline(due, 5, workdays.WORKDAYS)
        steps.append(
            Step(
                asked,
                "request_extension",
                "owner",
                {"new_due": new_due, "reason": rng.choice(EXTENSION_REASONS)},
            )
        )
        start = asked + minutes(rng, 60, 1440)
        approve = rng.random() < 0.8
        steps.append(Step(start, "decide_extension", "command", {"approve": approve}))
        if approve:
            due = new_due
    if rng.random() < P_OVERDUE:
        resolved = max(due, start) + minutes(rng, 60, 4 * 1440)
        if rng.random() < 0.6:
            steps.append(
                Step(
                    due + (resolved - due) * rng.uniform(0.1, 0.6),
                    "supervise",
                    "command",
                    {"note": rng.choice(SUPERVISE_NOTES)},
                )
            )
    else:
        resolved = start + max(due - start, timedelta(minutes=10)) * rng.uniform(0.05, 0.95)
        if by_workdays:
            resolved = _office(resolved)
    texts = d.category.texts
    result = render(rng.choice(texts.results), d.words)
    steps.append(Step(resolved, "resolve", "owner", {"result": result}))
    return resolved + minutes(rng, 30, 1800)


def stall(rng, steps: list, now) -> list:
    """Leave some recent cases waiting where they are, so the live queues hold work in
    every state and a few open cases run past their deadline, as on a real morning."""
    if len(steps) < 2 or now - steps[0].at > STALL_WINDOW or rng.random() >= P_STALL:
        return steps
    cut = rng.randrange(1, len(steps))
    if now - steps[0].at > COMMAND_STALL_WINDOW:
        dispatched = next((i for i, s in enumerate(steps) if s.action == "dispatch"), None)
        if dispatched is None:  # rejected or merged: the whole story was the centre's
            return steps
        cut = max(cut, dispatched + 1)
    # The platform's own steps (a channel's automatic acceptance) are taken with the report.
    while cut < len(steps) and steps[cut].who == "platform":
        cut += 1
    return steps[:cut]


def merge_target(d: Draft, earlier: list[Draft]) -> Draft | None:
    """A recent case of the same kind still open when the dispatcher looks at this one."""
    merge_at = d.created_at + timedelta(minutes=3)  # at the earliest
    for candidate in reversed(earlier):
        if candidate.created_at < d.created_at - MERGE_WINDOW:
            break
        state = state_at(candidate, merge_at)
        if (
            state
            and state not in FINAL_STATES
            and state_at(candidate, merge_at + timedelta(hours=3)) not in FINAL_STATES
        ):
            return candidate
    return None


def state_at(d: Draft, moment: datetime) -> str:
    """The state its history had left the case in at ``moment`` ("" before its report)."""
    state = ""
    for at, after in d.states:
        if at > moment:
            break
        state = after
    return state
