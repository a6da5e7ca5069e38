"""A drawn story (``demo.stories``) taken through the real case workflow.

Each step is a ``table.transition`` dated when it happened (``now=``), taken by the person
at the desk (the dispatcher of the case's command centre, a handler of its lead unit, the
grid's worker, the reporter or the hotline's operator) with the parameters a person gives,
and telling nobody (``tell=False``: it happened long ago; ``demo.notices`` tells the last
days afterwards). The table decides every next state, the handlers every field, deadline
and met/missed flag. Between steps the real deadline scan (``deadlines.scan``) runs at the
moments a scanner running every minute would have noticed a threshold, so warnings and
overdue marks are its claims.

A case is built in memory, as intake builds one, and written when a step or the scan needs
its row (a callback, an extension, a scan) or when its story ends: most steps then cost no
write of their own, and the case is inserted once with its entries so far.

Cases are taken one after the other, each to the end (``now``). A scan at a moment in a
case's story finds nothing to claim on the cases taken before it: their scans have run up
to ``now``, so whatever was due by then is claimed already.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db.models import OuterRef, Subquery

from gongzhi.accounts.models import Role, User
from gongzhi.cases.choices import State
from gongzhi.cases.models import Callback, Case, CaseEvent, ExtensionRequest
from gongzhi.cases.workflow import deadlines, relations
from gongzhi.cases.workflow.table import FLOW, transition
from gongzhi.demo.stories import state_at

SCAN_EVERY = 60  # seconds: the scanner runs every minute, so it notices a threshold that late
SCANNED = ("deadline_warning", "overdue")
# Entries that add to a case's timeline without writing its row.
ROW_UNTOUCHED = ("merged_in", *SCANNED)
# Handlers that read or write rows beside the case's own: the case must be written first.
NEEDS_ROW = frozenset({"callback", "request_extension", "decide_extension", "add_co_handlers"})


class People:
    """The users who act in the history, each read once and kept: their scope and units are
    cached on the object, as a request keeps its user."""

    def __init__(self):
        self._users: dict[int, User | None] = {}

    def get(self, pk: int | None) -> User | None:
        if pk is None:
            return None
        if pk not in self._users:
            self._users[pk] = User.objects.filter(pk=pk, is_active=True).first()
        return self._users[pk]


class History:
    """One case's story, step by step through the workflow, up to ``now``."""

    def __init__(self, rng: random.Random, draft, ref, now: datetime, people: People):
        self.rng, self.d, self.ref, self.now, self.people = rng, draft, ref, now, people
        self.case: Case | None = None
        self.unwritten: list[CaseEvent] = []  # entries of a case still in memory
        self.stepped = draft.created_at  # when the last step was taken
        self.scanned: datetime | None = None  # when the scan last ran over this case
        self.fresh = True  # a step was just taken: a threshold already past is due at once

    def run(self, steps: list) -> None:
        """Take the steps up to ``now``. A case that needs no row of its own by then stays
        in memory, to be written with others (``write``); so does one whose last step is
        its one callback (which needs the row): that step is left for ``finish``."""
        self._report()
        taken = [s for s in steps[1:] if s.at <= self.now]
        self.callbacks = sum(1 for s in taken if s.action == "callback")
        self.left = taken[-1:] if self.callbacks == 1 and taken[-1].action == "callback" else []
        for step in taken[: len(taken) - len(self.left)]:
            self._watch(until=step.at)
            self._take(step)
        if not self.left:
            self._watch(until=self.now, final=True)
        elif not self.waiting:
            self.finish()

    def finish(self) -> None:
        """Take the step left, once the case is written."""
        for step in self.left:
            self._watch(until=step.at)
            self._take(step)
        self.left = []
        self._watch(until=self.now, final=True)

    @property
    def waiting(self) -> bool:
        """Whether the case is still in memory, to be written with others."""
        return self.case.pk is None

    # -- the report, as intake makes it ------------------------------------------------

    def _report(self) -> None:
        d, ref = self.d, self.ref
        reporter = self.people.get(d.reporter_id)
        entered_by = self.people.get(d.entered_by_id)
        case = Case(
            number=d.number,
            title=d.title,
            description=d.description,
            category=d.category.obj,
            channel=d.channel,
            is_urgent=d.is_urgent,
            reporter=reporter,
            reporter_name=d.reporter_name,
            reporter_phone=d.reporter_phone,
            is_anonymous=d.is_anonymous,
            entered_by=entered_by,
            lng=d.lng,
            lat=d.lat,
            address=d.address,
            grid_id=d.grid.id,
            region_id=d.grid.community_id,
            region_path=d.grid.region_path,
            command=ref.units.get(d.command_id),
            idempotency_key=d.key,
        )
        # As intake's _create: the resident or grid worker, or the operator who took the call.
        actor = None if d.is_anonymous else (reporter or entered_by)
        event = FLOW.new_event(
            case,
            "report",
            actor=actor,
            before="",
            after=State.REPORTED,
            actor_organisation=(
                relations.acting_organisation(entered_by, case)
                if actor is not None and actor == entered_by
                else None
            ),
            data={"channel": d.channel, "grid": d.grid.code},
            at=d.created_at,
        )
        event.effects_pending = False  # long told: nothing for the sweep to send
        if not ref.policies.get(d.channel, (False, False))[0]:  # as intake: none if auto
            deadlines.start_accept_clock(case, start=d.created_at)
        self.case, self.unwritten = case, [event]
        d.case = case
        d.states.append((d.created_at, case.state))

    # -- the steps ---------------------------------------------------------------------

    def _take(self, step) -> None:
        actor = self.people.get(self._actor(step.who))
        params = self._params(step)
        if step.action in NEEDS_ROW:
            self._write()
        case = transition(
            case_id=self.case.pk,
            action=step.action,
            actor=actor,
            held=self.case,
            now=step.at,
            tell=False,
            **params,
        )
        if case.pk is None:
            self.unwritten.append(case.last_event)
        self._date_rows(step, case.last_event)
        self.stepped, self.fresh = step.at, True
        self.d.states.append((step.at, case.state))

    def _actor(self, who: str) -> int | None:
        """Who sits at the desk the step is taken at; None (the platform) when nobody does."""
        case, ref, d = self.case, self.ref, self.d
        if who == "command":
            return ref.first(case.command_id, Role.DISPATCHER)
        if who == "owner":
            return ref.first(case.owner_id, Role.HANDLER, Role.LEADER)
        if who == "verifier":
            return ref.grid_worker.get(d.grid.id) or ref.first(case.command_id, Role.DISPATCHER)
        if who == "caller":  # the reporter answers in the app, or the hotline rings them
            if d.reporter_id and self.rng.random() < 0.6:
                return d.reporter_id
            return ref.operator or ref.first(case.command_id, Role.DISPATCHER)
        return None

    def _params(self, step) -> dict:
        params = dict(step.params)
        if step.action == "dispatch":
            params["organisation"] = self.ref.units[params["organisation"]]
        elif step.action == "merge":
            params["into"] = _as_it_was(params["into"], step.at)
        return params

    def _date_rows(self, step, event) -> None:
        """Rows a handler wrote beside the case carry the real time of writing: date them
        when the step was taken."""
        at = step.at
        # (A merge's entry on its target is dated, silent and in the target's state as it
        # was: the engine writes it within the step, from the target passed as it was.)
        if step.action == "callback":  # the last is dated with the cases (date_rows)
            self.callbacks -= 1
            if self.callbacks:  # rated again later: "rated since it was closed?" reads this
                latest = self.case.callbacks.order_by("-pk").values_list("pk", flat=True)[:1]
                Callback.objects.filter(pk__in=list(latest)).update(created_at=at, updated_at=at)
        elif step.action in ("request_extension", "decide_extension"):
            fields = {"updated_at": at}
            if step.action == "request_extension":
                fields["created_at"] = at
            ExtensionRequest.objects.filter(pk=event.data["request"]).update(**fields)

    # -- the deadline scan -------------------------------------------------------------

    def _watch(self, *, until: datetime, final: bool = False) -> None:
        """Run the scan at each moment before ``until`` it would have noticed one of this
        case's thresholds; the last pass (``final``) is the scan at ``until`` itself."""
        while (at := self._next_scan(until, final)) is not None:
            self._write()
            found = deadlines.scan(now=at)
            self.scanned, self.fresh = at, False
            if found["warned"] or found["overdue"]:
                self._noticed(at)

    def _next_scan(self, until: datetime, final: bool) -> datetime | None:
        thresholds = [
            t for t in self._thresholds() if self.fresh or self.scanned is None or t > self.scanned
        ]
        if not thresholds:
            return None
        first = min(thresholds)
        at = max(first, self.stepped) + timedelta(seconds=self.rng.uniform(1, SCAN_EVERY))
        if at < until:
            return at
        return until if final and first < until else None

    def _thresholds(self) -> list[datetime]:
        """When the scan may next have something to say of the case: its deadlines, and the
        moment a warning falls due, while unclaimed. The scan decides; this only says when
        to ask it."""
        case, found = self.case, []
        if case.overdue_notified_at is None:
            if case.state in deadlines.SIGN_FOR_STATES and case.sign_for_due:
                found.append(case.sign_for_due)
            if case.state in deadlines.RESOLVE_STATES and case.resolve_due:
                found.append(case.resolve_due)
        clock = deadlines.stage_clock(case)
        if clock is not None:
            stage, started, due = clock
            if case.overdue_notified_at is None:
                found.append(due)
            if case.warned_at is None and started is not None:
                found.append(deadlines.warn_from(started, due, minimum=deadlines.STAGE_WARN_MIN))
        if (
            case.warned_at is None
            and case.state in deadlines.RESOLVE_STATES
            and case.resolve_due
            and case.dispatched_at
        ):
            found.append(deadlines.warn_from(case.dispatched_at, case.resolve_due))
        return found

    def _noticed(self, at: datetime) -> None:
        """The scan claimed a warning or an overdue mark: its timeline entry is dated now
        (the scan's ``now`` is not passed on to it) and due to be told; date it and mark it
        told, and read the claim back into the case held in memory."""
        CaseEvent.objects.filter(
            case_id=self.case.pk, action__in=SCANNED, effects_pending=True
        ).update(at=at, effects_pending=False)
        self.case.refresh_from_db(fields=["warned_at", "overdue_notified_at", "is_overdue"])

    # -- writing -----------------------------------------------------------------------

    def _write(self) -> None:
        """Insert the case held in memory, with its entries so far (as intake does)."""
        if self.case.pk is not None:
            return
        self.case.save(force_insert=True)
        CaseEvent.objects.bulk_create(self.unwritten)
        self.unwritten = []
        _date_reports([self])


def _date_reports(histories: list[History]) -> None:
    """A case still waiting to be accepted runs its clock from its report: date it then
    before the scan reads it (``date_rows`` dates every case at the end)."""
    waiting = [h for h in histories if h.case.state in deadlines.ACCEPT_STATES]
    for h in waiting:
        h.case.created_at = h.d.created_at
    for h in waiting:
        Case.objects.filter(pk=h.case.pk).update(created_at=h.d.created_at)


def write(histories: list[History]) -> None:
    """Insert the cases still in memory in one go, with their entries so far, and take the
    steps they have left."""
    Case.objects.bulk_create([h.case for h in histories], batch_size=500)
    events = [e for h in histories for e in h.unwritten]
    CaseEvent.objects.bulk_create(events, batch_size=1000)
    _date_reports(histories)
    for h in histories:
        h.unwritten = []
        if h.left:
            h.finish()


def _as_it_was(target, at: datetime) -> Case:
    """The case merged into, as the dispatcher saw it then (its row holds how it ended)."""
    return Case(pk=target.case.pk, number=target.number, state=state_at(target, at))


def date_rows(cases, *, now: datetime) -> None:
    """Rows are stamped when written, and these were written today: date each case when it
    was reported and when a step last wrote it, and each callback when it was given (one
    of a case rated twice was dated as it went). The timelines say when."""
    steps = CaseEvent.objects.filter(case=OuterRef("pk")).exclude(action__in=ROW_UNTOUCHED)
    cases.update(
        created_at=Subquery(steps.filter(action="report").values("at")[:1]),
        updated_at=Subquery(steps.order_by("-at", "-id").values("at")[:1]),
    )
    given = (
        CaseEvent.objects.filter(case=OuterRef("case"), action="callback")
        .order_by("-at", "-id")
        .values("at")[:1]
    )
    Callback.objects.filter(case__in=cases, created_at__gt=now).update(
        created_at=Subquery(given), updated_at=Subquery(given)
    )
