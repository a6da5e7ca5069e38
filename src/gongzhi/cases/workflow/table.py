"""The case lifecycle as one table on the core workflow engine (``gongzhi.core.workflow``).

Each rule says from which states an action may be taken, the state it leads to (None: the
state stays; a mapping: one state per outcome the handler reports), and who may take it:
a role together with the relation the person must have to the case (``relations``). The
engine locks the row, checks the table, lets the handler (``actions``) validate and change
fields, writes the new state and one timeline entry, and sends the effects the effects
table names (``effects.TOLD``) after the commit.
"""

from __future__ import annotations

from dataclasses import replace

from django.utils.translation import gettext_lazy

from gongzhi.accounts.models import Role
from gongzhi.cases import live
from gongzhi.cases.choices import State
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.workflow import actions, effects, relations
from gongzhi.core.workflow import Rule, Who, Workflow, rule, who

S = State
__all__ = ["RULES", "FLOW", "Rule", "Who", "allowed_actions", "transition"]

COMMAND = who("governs", Role.DISPATCHER)
COMMAND_OR_LEADER = who("governs", Role.DISPATCHER, Role.LEADER)
OWNER = who("in_owner", Role.HANDLER, Role.LEADER)
OWNER_LEADER = who("in_owner", Role.LEADER)
CO_HANDLER = who("in_co_handler", Role.HANDLER, Role.LEADER)
VERIFIER = who("grid_worker_of", Role.GRID_WORKER)
REPORTER = who("reporter", *Role.values)
PHONE_CALLBACK = who("governs", Role.HOTLINE_OPERATOR, Role.DISPATCHER)
STAFF = who("sees", *(set(Role.values) - {Role.RESIDENT}))


OPEN = {
    S.REPORTED,
    S.ACCEPTED,
    S.DISPATCHED,
    S.IN_PROGRESS,
    S.RESOLVED,
    S.RETURNED,
    S.ESCALATED,
    S.REOPENED,
    S.SUSPENDED,
}
IN_HAND = {S.DISPATCHED, S.IN_PROGRESS}
# With the command centre, not yet (or no longer) with a unit.
AT_COMMAND = {S.REPORTED, S.ACCEPTED, S.RETURNED, S.REOPENED, S.ESCALATED}


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
    # 转派: straight from one unit to another, without the return round-trip.
    "transfer": rule(
        gettext_lazy("Transfer to another unit"), IN_HAND, S.DISPATCHED, [COMMAND], actions.transfer
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
    # 撤销: the reporter takes back their own report before it is resolved.
    "withdraw": rule(
        gettext_lazy("Withdraw the report"),
        {
            S.REPORTED,
            S.ACCEPTED,
            S.DISPATCHED,
            S.IN_PROGRESS,
            S.RETURNED,
            S.ESCALATED,
            S.REOPENED,
            S.SUSPENDED,
        },
        S.WITHDRAWN,
        [REPORTER],
        actions.withdraw,
    ),
    # 直接答复: a consultation the operator answers on the phone closes at once.
    "answer": rule(
        gettext_lazy("Answer directly"),
        {S.REPORTED, S.ACCEPTED},
        S.ANSWERED,
        [PHONE_CALLBACK],
        actions.answer,
    ),
    # 拆分: one call raising several problems becomes linked cases (``intake.split``).
    "split": rule(
        gettext_lazy("Split into several cases"),
        AT_COMMAND,
        None,
        [PHONE_CALLBACK],
        actions.split,
    ),
    # 挂起: the unit (or the dispatcher) asks, the command centre decides; the clocks stop.
    "request_suspension": rule(
        gettext_lazy("Request suspension"),
        IN_HAND,
        None,
        [OWNER, COMMAND],
        actions.request_suspension,
        public=False,
    ),
    "decide_suspension": rule(
        gettext_lazy("Decide on a suspension"),
        IN_HAND,
        {"approved": S.SUSPENDED, "refused": None},
        [COMMAND],
        actions.decide_suspension,
        public=False,
    ),
    "resume": rule(
        gettext_lazy("Resume handling"),
        {S.SUSPENDED},
        {"dispatched": S.DISPATCHED, "in_progress": S.IN_PROGRESS},
        [OWNER, COMMAND],
        actions.resume,
        public=False,
    ),
    "callback": rule(
        gettext_lazy("Callback"),
        {S.CLOSED},
        # An unsatisfied answer may reopen the case (the operator may say not to).
        {"kept": None, "reopen": S.REOPENED},
        [REPORTER, PHONE_CALLBACK],
        actions.callback,
    ),
}


def _with_consequences(handler, consequences):
    def step(*, case, actor, now, params):
        was = case.state  # the engine sets the next state after the handler
        outcome = handler(case=case, actor=actor, now=now, params=params)
        for consequence in consequences:
            consequence(case, now=now, was=was)
        return outcome

    step.__name__ = getattr(handler, "__name__", "step")
    step.__doc__ = handler.__doc__
    return step


# Each step's consequences inside its transaction (``effects.WITHIN_STEP``) run after its
# handler accepted the input, before the engine writes the step.
for _action, _consequences in effects.WITHIN_STEP.items():
    RULES[_action] = replace(
        RULES[_action], handler=_with_consequences(RULES[_action].handler, _consequences)
    )


MESSAGES = {
    "not_found": gettext_lazy("The case does not exist."),
    "changed": gettext_lazy(
        "This case was changed by someone else in the meantime (it is now “%(state)s”). "
        "Reload the page and try again."
    ),
    "not_in_state": gettext_lazy("“%(action)s” is not possible while the case is “%(state)s”."),
    "not_permitted": gettext_lazy("You may not do “%(action)s” on this case."),
}


def _describe(case) -> dict:
    """What a webhook receiver is told of the case after a step (nothing personal)."""
    return {
        "category": case.category.code if case.category_id else None,
        "owner": case.owner.code if case.owner_id else None,
        "region": case.region_path,
        "urgent": case.is_urgent,
    }


def _told_and_shown(event) -> tuple:
    """Who is told of a step, and the big screen that shows every step (``cases.live``)."""
    return (*effects.told_for(event), live.step)


def _publish(items: list[dict]) -> None:
    from gongzhi.notify import services as notify

    notify.publish_events(items)


FLOW = Workflow(
    name="case",
    model=Case,
    event_model=CaseEvent,
    subject="case",
    rules=RULES,
    relations=relations.PREDICATES,
    effects=_told_and_shown,
    acting_organisation=relations.acting_organisation,
    publish=_publish,
    describe=_describe,
    # Not grid or region: their rows hold whole boundaries, and no action needs them.
    lock_related=("category", "owner", "command"),
    messages=MESSAGES,
)


def allowed_actions(case: Case, actor) -> list[str]:
    """The actions this person may take on this case now (for the case page's buttons)."""
    return FLOW.allowed_actions(case, actor)


def transition(*, case_id: int | None, action: str, actor, **kwargs) -> Case:
    """Take ``action`` on the case as ``actor`` (None: the platform itself); see
    ``Workflow.transition`` for ``expected_state``, ``held`` and ``now``."""
    return FLOW.transition(pk=case_id, action=action, actor=actor, **kwargs)
