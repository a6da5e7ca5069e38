"""The engine every workflow runs on: a table of rules and one function that moves a record.

A domain declares its workflow once::

    flow = Workflow(
        model=Case, event_model=CaseEvent, subject="case",
        rules={"accept": Rule(label, sources={"reported"}, target="accepted",
                              allowed=(who("governs", Role.DISPATCHER),), handler=accept)},
        relations={"governs": governs, ...},   # predicate(actor, record, scope) -> bool
        effects=told_for,                       # event -> the functions that tell people
    )

``flow.transition`` locks the row (``select_for_update``), checks the table and the
actor's permission, lets the action's handler validate its input and change fields (never
the state), takes the next state from the table (a rule may name several targets, one per
branch its handler chooses: the callback that reopens a case), writes only the changed
columns and one timeline entry in the same transaction, and marks the entry's effects
pending. After the commit the effects are sent (``deliver``) in a transaction that claims
the entry, so each is sent exactly once; one left pending by a crash is sent by ``sweep``.
Every step is also published as an event ``{type, before, after}`` to the webhooks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import Conflict, NotAllowed, NotFound, ServiceError
from .scope import scope_for

log = logging.getLogger(__name__)

# The step being taken (its time and whether it tells anyone): an entry a handler writes on
# another record (a merge's "merged into this one") is dated and told like the step itself.
_STEP: ContextVar[tuple | None] = ContextVar("gongzhi_workflow_step", default=None)


@dataclass(frozen=True)
class Who:
    """A role together with the relation the person must have to the record."""

    roles: frozenset[str]
    relation: str

    def allows(self, actor, record, scope, relations) -> bool:
        return bool(scope.roles & self.roles) and relations[self.relation](actor, record, scope)


def who(relation: str, *roles: str) -> Who:
    return Who(frozenset(roles), relation)


@dataclass(frozen=True)
class Rule:
    label: str
    sources: frozenset[str]
    # The next state: one state, None (the state stays), or {branch: state} when the
    # handler chooses among outcomes the table names.
    target: str | None | Mapping[str, str | None]
    allowed: tuple[Who, ...]
    handler: Callable = field(compare=False)
    public: bool = True  # whether the timeline entry is shown to the reporter

    def next_state(self, branch: str | None, current: str) -> str:
        target = self.target
        if isinstance(target, Mapping):
            if branch not in target:
                raise RuntimeError(f"branch {branch!r} is not in the table for {self.label}")
            target = target[branch]
        elif branch is not None:
            raise RuntimeError(f"{self.label} has one target; its handler chose {branch!r}")
        return target or current


def rule(label, sources, target, allowed, handler, public=True) -> Rule:
    target = dict(target) if isinstance(target, Mapping) else target
    return Rule(label, frozenset(sources), target, tuple(allowed), handler, public)


@dataclass
class Outcome:
    """What a handler says of a step: the timeline's note and details, and which of the
    rule's branches it took (None for a rule with one target)."""

    note: str = ""
    data: dict = field(default_factory=dict)
    branch: str | None = None


def text_param(params, key: str, *, label, required: bool = True, max_length: int = 2000) -> str:
    """A handler's free-text input, stripped: refused when required and empty, or too long."""
    value = (params.get(key) or "").strip()
    if required and len(value) < 2:
        raise ServiceError("required", _("Please fill in %(label)s.") % {"label": label}, key)
    if len(value) > max_length:
        raise ServiceError(
            "too_long",
            _("%(label)s is too long (at most %(n)d characters).")
            % {"label": label, "n": max_length},
            key,
        )
    return value


MESSAGES = {
    "unknown_action": gettext_lazy("There is no such action."),
    "not_found": gettext_lazy("The record does not exist."),
    "changed": gettext_lazy(
        "This record was changed by someone else in the meantime (it is now “%(state)s”). "
        "Reload the page and try again."
    ),
    "not_in_state": gettext_lazy("“%(action)s” is not possible while it is “%(state)s”."),
    "not_permitted": gettext_lazy("You may not do “%(action)s” here."),
}


class Workflow:
    def __init__(
        self,
        *,
        name: str,
        model,
        event_model,
        subject: str,
        rules: dict[str, Rule],
        relations: Mapping[str, Callable],
        effects: Callable = lambda event: (),
        acting_organisation: Callable | None = None,
        publish: Callable | None = None,
        describe: Callable = lambda record: {},
        lock_related: tuple[str, ...] = (),
        messages: Mapping[str, str] | None = None,
        state_field: str = "state",
        out_of_order: type[ServiceError] = NotAllowed,
    ):
        self.name = name  # the events' type prefix: "case" → "case.dispatch"
        self.model, self.event_model, self.subject = model, event_model, subject
        self.rules, self.relations = rules, relations
        self.effects, self.acting_organisation = effects, acting_organisation
        self.publish, self.describe = publish, describe
        self.lock_related, self.state_field = lock_related, state_field
        self.messages = {**MESSAGES, **(messages or {})}
        # What a step the table does not allow now raises: 403 by default; a workflow whose
        # steps have a fixed order (四议两公开) says 409, the record is not ready for it.
        self.out_of_order = out_of_order
        for action, r in rules.items():
            unknown = {w.relation for w in r.allowed} - set(relations)
            if unknown:
                raise RuntimeError(f"{name}.{action} names unknown relations {unknown}")

    # -- reading the table -------------------------------------------------------------

    def permitted(self, r: Rule, actor, record, scope=None) -> bool:
        scope = scope or scope_for(actor)
        if scope.everything:
            return True
        return any(w.allows(actor, record, scope, self.relations) for w in r.allowed)

    def allowed_actions(self, record, actor) -> list[str]:
        """The actions this person may take on this record now (the page's buttons)."""
        scope = scope_for(actor)
        state = getattr(record, self.state_field)
        return [
            name
            for name, r in self.rules.items()
            if state in r.sources and self.permitted(r, actor, record, scope)
        ]

    def check(self, record, action: str, actor, *, expected_state: str | None = None) -> Rule:
        """Refuse an action this actor may not take on the record as it is now."""
        r = self.rules.get(action)
        if r is None:
            raise NotFound("unknown_action", self.messages["unknown_action"])
        state = getattr(record, self.state_field)

        def display():  # a translation lookup: only for the message
            return getattr(record, f"get_{self.state_field}_display")()

        if expected_state and state != expected_state:
            raise Conflict("state_changed", self.messages["changed"] % {"state": display()})
        if state not in r.sources:
            raise self.out_of_order(
                "not_allowed_in_state",
                self.messages["not_in_state"] % {"action": r.label, "state": display()},
            )
        if actor is not None and not self.permitted(r, actor, record):
            raise NotAllowed("not_permitted", self.messages["not_permitted"] % {"action": r.label})
        return r

    # -- the one writer of the timeline ------------------------------------------------

    def new_event(self, record, action: str, *, actor=None, before=None, after=None, **fields):
        """A timeline entry for ``record`` (not saved): every entry of this workflow, the
        engine's steps and the platform's own (a report, a deadline notice), is made here."""
        state = getattr(record, self.state_field)
        return self.event_model(
            **{self.subject: record},
            actor=actor,
            action=action,
            from_state=state if before is None else before,
            to_state=state if after is None else after,
            effects_pending=True,
            **fields,
        )

    def record(self, record, action: str, *, actor=None, now=None, tell=None, **fields):
        """Append an entry that moves no state (a deadline warning, a merge into this case),
        inside the caller's transaction; its effects are sent after the commit. Written
        during a step, it takes that step's time and telling unless told otherwise."""
        step_now, step_tell = _STEP.get() or (None, True)
        now = now or step_now
        tell = step_tell if tell is None else tell
        if now is not None:
            fields["at"] = now
        event = self.new_event(record, action, actor=actor, **fields)
        event.effects_pending = tell
        event.save(force_insert=True)
        if tell:
            self._deliver_on_commit(event)
        return event

    # -- the one transition function ---------------------------------------------------

    def transition(
        self,
        *,
        pk,
        action: str,
        actor,
        expected_state: str | None = None,
        held=None,
        now=None,
        tell: bool = True,
        **params,
    ):
        """Take ``action`` on the record as ``actor`` (None: the platform itself).

        ``expected_state`` is the state the user saw: if the record has moved on since, the
        action is refused with a Conflict. ``held`` is the record itself when the caller's
        transaction already holds its row (it created it). A held record not yet inserted
        (no pk) is changed in memory only and its new event, left in ``last_event``, is not
        saved either: the caller writes both, and sends the effects (``deliver``) later.
        ``now`` dates the step (the demo's history); by default it is the present. With
        ``tell=False`` the step sends nothing (a history replayed: it happened long ago).
        """
        if action not in self.rules:
            raise NotFound("unknown_action", self.messages["unknown_action"])
        # A held record is part of its creator's transaction, which fails as a whole.
        with transaction.atomic(savepoint=held is None):
            record = held if held is not None and held.pk == pk else None
            record = record or (
                # of=self: PostgreSQL refuses FOR UPDATE on the nullable side of the joins.
                self.model.objects.select_for_update(of=("self",))
                .select_related(*self.lock_related)
                .filter(pk=pk)
                .first()
            )
            if record is None:
                raise NotFound(f"{self.name}_not_found", self.messages["not_found"])
            r = self.check(record, action, actor, expected_state=expected_state)
            now = now or timezone.now()
            before = getattr(record, self.state_field)
            snapshot = _values(record)
            token = _STEP.set((now, tell))
            try:
                outcome = r.handler(**{self.subject: record}, actor=actor, now=now, params=params)
            finally:
                _STEP.reset(token)
            setattr(record, self.state_field, r.next_state(outcome.branch, before))
            unit = {}
            if self.acting_organisation is not None:  # a timeline that names units
                unit["actor_organisation"] = self.acting_organisation(actor, record)
            event = self.new_event(
                record,
                action,
                actor=actor,
                before=before,
                **unit,
                note=outcome.note,
                data=outcome.data,
                is_public=r.public,
                at=now,
            )
            event.effects_pending = tell
            if record.pk is not None:
                # Only what the action changed: a smaller UPDATE, and columns another action
                # owns are never written back from this copy.
                changed = [n for n, v in _values(record).items() if snapshot[n] != v]
                record.save(update_fields=[*changed, "updated_at"])
                event.save(force_insert=True)
                if tell:
                    self._deliver_on_commit(event)
            record.last_event = event
        return record

    # -- effects, after the commit -----------------------------------------------------

    def _deliver_on_commit(self, event) -> None:
        transaction.on_commit(lambda: self.deliver([event]), robust=True)

    def deliver(self, events: Iterable) -> int:
        """Send the effects of these entries (loaded, with their subjects) that are still
        pending: claimed and sent in one transaction, so each is sent exactly once whoever
        else tries. Returns how many were sent."""
        events = list(events)
        if not events:
            return 0
        # No savepoint inside a caller's transaction (intake's follow-up batch): a failure
        # undoes the caller's claim too, which is what lets it retry.
        with transaction.atomic(savepoint=False):
            claimed = self._claim([e.pk for e in events])
            if not claimed:
                return 0
            mine = [e for e in events if e.pk in claimed]
            self._send(mine)
        return len(mine)

    def _claim(self, pks: list[int]) -> set[int]:
        """Clear the pending flag of those of ``pks`` still pending and not being sent by
        another process; returns them. One statement: an UPDATE … RETURNING (Django's
        update() returns only a count), on PostgreSQL over the rows it could lock at once
        (another sender's are skipped, not waited for; SQLite has one writer anyway)."""
        meta = self.event_model._meta
        quote = connection.ops.quote_name
        table, pk = quote(meta.db_table), quote(meta.pk.column)
        flag = quote(meta.get_field("effects_pending").column)
        marks = ", ".join(["%s"] * len(pks))
        if connection.vendor == "postgresql":
            rows = (
                f"SELECT {pk} FROM {table} WHERE {pk} IN ({marks}) AND {flag} "
                "FOR UPDATE SKIP LOCKED"
            )
        else:
            rows = f"SELECT {pk} FROM {table} WHERE {pk} IN ({marks}) AND {flag}"
        sql = f"UPDATE {table} SET {flag} = %s WHERE {pk} IN ({rows}) RETURNING {pk}"
        with connection.cursor() as cursor:
            cursor.execute(sql, [False, *pks])
            return {row[0] for row in cursor.fetchall()}

    def _send(self, events: list) -> None:
        batched: dict[Callable, list] = {}
        for event in events:
            for effect in self.effects(event):
                batched.setdefault(effect, []).append(event)
        for effect, group in batched.items():
            many = getattr(effect, "many", None)  # an effect that tells a batch at once
            if many is not None:
                many([(getattr(e, self.subject), e) for e in group])
            else:
                for event in group:
                    effect(getattr(event, self.subject), event)
        if self.publish is not None:
            self.publish([self.as_published(event) for event in events])

    def as_published(self, event) -> dict:
        """The step as the webhooks receive it: ``{type, before, after}`` and its context."""
        record = getattr(event, self.subject)
        return {
            # Stable: a step published twice reaches a receiver with the same id, once.
            "id": f"{self.name}.{event.pk}",
            "type": f"{self.name}.{event.action}",
            "occurred_at": event.at,
            "data": {
                "id": str(getattr(record, "number", record.pk)),
                "before": {self.state_field: event.from_state},
                "after": {self.state_field: event.to_state, **self.describe(record)},
                # The unit that acted, never the person: a receiver needs no one's name.
                "unit": self._unit_code(event),
                "note": event.note,
                "details": event.data,
            },
        }

    def _unit_related(self) -> tuple[str, ...]:
        return ("actor_organisation",) if self.acting_organisation is not None else ()

    @staticmethod
    def _unit_code(event) -> str | None:
        if getattr(event, "actor_organisation_id", None) is None:
            return None
        return event.actor_organisation.code

    def sweep(self, *, older_than: timedelta = timedelta(seconds=30), limit: int = 200) -> int:
        """Send what a process that died after its commit left pending. Entries younger
        than ``older_than`` are left to the process that wrote them (or intake's follow-up,
        which sends a new report's in its batch)."""
        cutoff = timezone.now() - older_than
        events = list(
            self.event_model.objects.filter(effects_pending=True, at__lt=cutoff)
            .select_related(self.subject, "actor", *self._unit_related())
            .order_by("pk")[:limit]
        )
        try:
            return self.deliver(events)
        except ServiceError:
            log.exception("effects of %s could not be sent", self.name)
            return 0


def _values(record) -> dict:
    return {f.attname: getattr(record, f.attname) for f in type(record)._meta.concrete_fields}
