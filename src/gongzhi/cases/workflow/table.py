"""The case lifecycle as one table, and the one function that moves a case through it.

Each rule says from which states an action may be taken, the state it leads to (None:
the state stays), and who may take it: a role together with the relation the person must
have to the case. ``transition`` locks the row, checks the table, lets the action's
handler validate its input and change fields, writes the new state and a timeline entry
in the same transaction, and queues side effects for after the commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.models import Role
from gongzhi.cases.choices import State
from gongzhi.cases.intake import follow_up
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.workflow import actions, relations
from gongzhi.core.errors import Conflict, NotAllowed, NotFound
from gongzhi.core.scope import scope_for

S = State


@dataclass(frozen=True)
class Who:
    roles: frozenset[str]
    relation: str  # a predicate name in cases.relations

    def allows(self, actor, case, scope) -> bool:
        return bool(scope.roles & self.roles) and relations.holds(self.relation, actor, case, scope)


def who(relation: str, *roles: str) -> Who:
    return Who(frozenset(roles), relation)


COMMAND = who("governs", Role.DISPATCHER)
COMMAND_OR_LEADER = who("governs", Role.DISPATCHER, Role.LEADER)
OWNER = who("in_owner", Role.HANDLER, Role.LEADER)
OWNER_LEADER = who("in_owner", Role.LEADER)
CO_HANDLER = who("in_co_handler", Role.HANDLER, Role.LEADER)
VERIFIER = who("grid_worker_of", Role.GRID_WORKER)
REPORTER = who("reporter", *Role.values)
PHONE_CALLBACK = who("governs", Role.HOTLINE_OPERATOR, Role.DISPATCHER)
STAFF = who("sees", *(set(Role.values) - {Role.RESIDENT}))


@dataclass(frozen=True)
class Rule:
    label: str
    sources: frozenset[str]
    target: str | None
    allowed: tuple[Who, ...]
    handler: Callable = field(compare=False)
    public: bool = True  # whether the timeline entry is shown to the reporter


OPEN = {
    S.REPORTED,
    S.ACCEPTED,
    S.DISPATCHED,
    S.IN_PROGRESS,
    S.RESOLVED,
    S.RETURNED,
    S.ESCALATED,
    S.REOPENED,
}
IN_HAND = {S.DISPATCHED, S.IN_PROGRESS}


def rule(label, sources, target, allowed, handler, public=True) -> Rule:
    return Rule(label, frozenset(sources), target, tuple(allowed), handler, public)


RULES: dict[str, Rule] = {
    "accept": rule(gettext_lazy("Accept"), {S.REPORTED}, S.ACCEPTED, [COMMAND], actions.accept),
    "reject": rule(
        gettext_lazy("Reject"), {S.REPORTED, S.ACCEPTED}, S.REJECTED, [COMMAND], actions.reject
    ),
    "dispatch": rule(
        gettext_lazy("Dispatch"),
        {S.ACCEPTED, S.RETURNED, S.REOPENED, S.ESCALATED},
        S.DISPATCHED,
        [COMMAND],
        actions.dispatch,
    ),
    "sign_for": rule(
        gettext_lazy("Sign for"), {S.DISPATCHED}, S.IN_PROGRESS, [OWNER], actions.sign_for
    ),
    "return": rule(gettext_lazy("Return"), IN_HAND, S.RETURNED, [OWNER], actions.return_case),
    "add_co_handlers": rule(
        gettext_lazy("Add co-handling units"),
        IN_HAND,
        None,
        [COMMAND, OWNER_LEADER],
        actions.add_co_handlers,
        public=False,
    ),
    "resolve": rule(gettext_lazy("Resolve"), {S.IN_PROGRESS}, S.RESOLVED, [OWNER], actions.resolve),
    "verify_pass": rule(
        gettext_lazy("Verify: solved"),
        {S.RESOLVED},
        S.CLOSED,
        [VERIFIER, COMMAND],
        actions.verify_pass,
    ),
    "verify_fail": rule(
        gettext_lazy("Verify: not solved"),
        {S.RESOLVED},
        S.REOPENED,
        [VERIFIER, COMMAND],
        actions.verify_fail,
    ),
    "escalate": rule(
        gettext_lazy("Escalate"),
        {S.REPORTED, S.ACCEPTED, S.RETURNED, S.REOPENED, S.DISPATCHED, S.IN_PROGRESS},
        S.ESCALATED,
        [COMMAND],
        actions.escalate,
    ),
    "merge": rule(
        gettext_lazy("Merge into another case"),
        {S.REPORTED, S.ACCEPTED, S.RETURNED},
        S.MERGED,
        [COMMAND],
        actions.merge,
    ),
    "supervise": rule(
        gettext_lazy("Supervise"), OPEN, None, [COMMAND_OR_LEADER], actions.supervise
    ),
    "request_extension": rule(
        gettext_lazy("Request a deadline extension"),
        IN_HAND,
        None,
        [OWNER],
        actions.request_extension,
        public=False,
    ),
    "decide_extension": rule(
        gettext_lazy("Decide on a deadline extension"),
        IN_HAND,
        None,
        [COMMAND_OR_LEADER],
        actions.decide_extension,
        public=False,
    ),
    "categorise": rule(
        gettext_lazy("Set the category"), OPEN, None, [COMMAND], actions.categorise, public=False
    ),
    "comment": rule(
        gettext_lazy("Comment"),
        OPEN | {S.CLOSED},
        None,
        [STAFF, CO_HANDLER],
        actions.comment,
        public=False,
    ),
    "callback": rule(
        gettext_lazy("Callback"), {S.CLOSED}, None, [REPORTER, PHONE_CALLBACK], actions.callback
    ),
}


def allowed_actions(case: Case, actor) -> list[str]:
    """The actions this person may take on this case now (for the case page's buttons)."""
    scope = scope_for(actor)
    return [
        name
        for name, r in RULES.items()
        if case.state in r.sources and _permitted(r, actor, case, scope)
    ]


def _permitted(r: Rule, actor, case, scope) -> bool:
    if scope.everything:
        return True
    return any(w.allows(actor, case, scope) for w in r.allowed)


def transition(
    *,
    case_id: int,
    action: str,
    actor,
    expected_state: str | None = None,
    held: Case | None = None,
    **params,
) -> Case:
    """Take ``action`` on the case as ``actor`` (None: the platform itself).

    ``expected_state`` is the state the user saw; if the case has moved on since, the
    action is refused with a Conflict rather than applied to a state they did not see.
    ``held`` is the case itself when the caller's transaction already holds its row (it
    created it): intake's automatic accept and dispatch then skip reading it again. A held
    case not yet inserted (no pk) is changed in memory only and its new event, left in
    ``last_event``, is not saved either: the caller writes both, and intake's follow-up
    (``follow_up.run``) sends the notices the step would have sent after commit.
    """
    r = RULES.get(action)
    if r is None:
        raise NotFound("unknown_action", _("There is no such action."))
    # A held case is part of its creator's transaction, which fails as a whole: no savepoint.
    with transaction.atomic(savepoint=held is None):
        case = held if held is not None and held.pk == case_id else None
        case = case or (
            # of=self: PostgreSQL refuses FOR UPDATE on the nullable side of the joins.
            Case.objects.select_for_update(of=("self",))
            # Not grid or region: their rows hold whole boundaries, and no action needs them.
            .select_related("category", "owner", "command")
            .filter(pk=case_id)
            .first()
        )
        if case is None:
            raise NotFound("case_not_found", _("The case does not exist."))
        if expected_state and case.state != expected_state:
            raise Conflict(
                "state_changed",
                _(
                    "This case was changed by someone else in the meantime (it is now “%(state)s”). "
                    "Reload the page and try again."
                )
                % {"state": case.get_state_display()},
            )
        if case.state not in r.sources:
            raise NotAllowed(
                "not_allowed_in_state",
                _("“%(action)s” is not possible while the case is “%(state)s”.")
                % {"action": r.label, "state": case.get_state_display()},
            )
        if actor is not None and not _permitted(r, actor, case, scope_for(actor)):
            raise NotAllowed(
                "not_permitted",
                _("You may not do “%(action)s” on this case.") % {"action": r.label},
            )
        now = timezone.now()
        before = case.state
        snapshot = _values(case)
        outcome = r.handler(case=case, actor=actor, now=now, params=params)
        target = outcome.target or r.target
        if target:
            case.state = target
        event = CaseEvent(
            case=case,
            actor=actor,
            actor_organisation=relations.acting_organisation(actor, case),
            action=action,
            from_state=before,
            to_state=case.state,
            note=outcome.note,
            data=outcome.data,
            is_public=r.public,
        )
        # A case not yet inserted (intake's automatic steps) is written by its creator, in
        # its final state and with all its events at once: fewer round trips.
        if case.pk is not None:
            # Write only what the action changed: a smaller UPDATE, and columns another
            # action owns are never written back from this copy.
            changed = [name for name, value in _values(case).items() if snapshot[name] != value]
            case.save(update_fields=[*changed, "updated_at"])
            event.save(force_insert=True)
            for effect in outcome.after_commit:
                transaction.on_commit(lambda effect=effect: effect(case, event))
        else:
            # Intake's follow-up sends these notices later, in batches, off the request.
            follow_up.check_deferrable(action, outcome.after_commit)
        case.last_event = event
    return case


def _values(case: Case) -> dict:
    return {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields}
