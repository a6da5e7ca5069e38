"""Intake's follow-up: what a new report needs once it is stored, done in batches off the
reporter's request.

A report is answered as soon as its case and timeline are committed, with
``follow_up_pending`` set on the same row. The watcher (``gongzhi cases watch``, which
``gongzhi serve`` runs) then takes the pending cases a batch at a time, about every second:

* triage assesses each report (the predicted category; an unsure one waits in the
  dispatcher's triage queue);
* the unit a report was dispatched to on arrival hears of it: intake's automatic steps
  leave their notices here instead of sending them after their commit;
* a caller without an account (the hotline's) gets an SMS with the case number.

A batch is claimed, written and released in one transaction, so a case is followed up
exactly once however many watchers run, and a case left pending by a process that died is
taken by the next run. Done per report inside the request, the same work cost about a
quarter of intake's time (two reads and two writes a report); in a batch it is a handful of
statements for all of them.
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError, transaction

from gongzhi.cases.choices import State
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.workflow import effects
from gongzhi.notify import services as notify

log = logging.getLogger(__name__)
UNAVAILABLE = (OperationalError, InterfaceError)  # the database, not a report, is the problem

BATCH = 25  # on SQLite, whose one write lock it holds: ~5 ms a batch (200: ~65 ms)


def pending() -> int:
    return Case.objects.filter(follow_up_pending=True).count()


def run(*, limit: int = BATCH) -> int:
    """Follow up one batch of pending reports; returns how many (0 when none was waiting).

    A batch that fails is retried one case at a time, and a case that fails on its own is
    logged and let go, so that one bad report cannot hold up every report behind it. A lost
    connection is not the reports' fault: it is raised, and the watcher's next run retries.
    """
    ids = list(
        Case.objects.filter(follow_up_pending=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return 0
    try:
        return _follow_up(ids)
    except UNAVAILABLE:
        raise
    except Exception:
        if len(ids) > 1:
            log.exception("a follow-up batch failed; retrying its cases one by one")
    return sum(_one(pk) for pk in ids)


def _one(pk: int) -> int:
    try:
        return _follow_up([pk])
    except UNAVAILABLE:
        raise
    except Exception:
        log.exception("could not follow up case %s; it is let go", pk)
        return Case.objects.filter(pk=pk, follow_up_pending=True).update(follow_up_pending=False)


def _follow_up(ids: list[int]) -> int:
    from gongzhi.cases.triage import hooks as triage_hooks  # it imports the workflow
    from gongzhi.cases.workflow.table import FLOW

    cases = {c.pk: c for c in Case.objects.filter(pk__in=ids).select_related("category", "owner")}
    # Everything that only reads comes before the transaction: on SQLite its write lock
    # holds up every report arriving meanwhile.
    assessed = triage_hooks.check_assessments(list(cases.values()))
    events = list(
        CaseEvent.objects.filter(case_id__in=ids, effects_pending=True)
        .select_related("actor", "actor_organisation")
        .order_by("pk")
    )
    for event in events:
        event.case = cases[event.case_id]
    # A caller without an account hears by SMS that the report is registered, and where
    # to follow it (a call answered on the line was texted the answer instead).
    texts = [
        (c, effects.caller_text(c, "registered"))
        for c in cases.values()
        if c.state != State.ANSWERED
    ]
    with transaction.atomic():
        # Another watcher's batch is skipped, not waited for; one it finished is not pending.
        claimed = list(
            Case.objects.select_for_update(skip_locked=True)
            .filter(pk__in=ids, follow_up_pending=True)
            .values_list("pk", flat=True)
        )
        if not claimed:
            return 0
        Case.objects.filter(pk__in=claimed).update(follow_up_pending=False)
        mine = {cases[pk].number for pk in claimed}
        triage_hooks.record_assessments({n: a for n, a in assessed.items() if n in mine})
        # The report's own steps (the report, intake's accept and dispatch): their notices
        # and events, through the same effects as every step.
        FLOW.deliver([e for e in events if e.case_id in claimed])
        notify.text_phones([text for case, text in texts if text and case.number in mine])
    return len(claimed)
