"""The mediation workflow as one table on the core engine (``gongzhi.core.workflow``).

registered → accepted (or declined, with the reason and where to go) → mediating (a lead
mediator and helpers; one related to a party steps aside) → settled / failed / withdrawn
→ for a settlement, performance follow-up → performed / not performed → closed. A dispute
moves up a level (escalate) by hand, by risk or by time, and starts again as registered
with the unit of that level.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from gongzhi.accounts.models import Role
from gongzhi.core.workflow import Workflow, rule, who

from . import actions, effects, relations
from .choices import State
from .models import Dispute, DisputeEvent

S = State
HOLDER = who("holds", Role.MEDIATOR, Role.LEADER, Role.DISPATCHER)
MEDIATOR = who("mediates", Role.MEDIATOR, Role.LEADER)
HOLDER_LEADER = who("holds", Role.LEADER, Role.DISPATCHER)
WORKER = who("serves", Role.MEDIATOR, Role.GRID_WORKER, Role.LEADER, Role.DISPATCHER)
IN_HAND = {S.REGISTERED, S.ACCEPTED, S.MEDIATING}
SETTLED = {S.SETTLED, S.PERFORMED, S.NOT_PERFORMED}
ENDED = {S.PERFORMED, S.NOT_PERFORMED, S.FAILED, S.WITHDRAWN, S.DECLINED}
OPEN = IN_HAND | SETTLED | ENDED

RULES = {
    "accept": rule(gettext_lazy("Accept"), {S.REGISTERED}, S.ACCEPTED, [HOLDER], actions.accept),
    "decline": rule(gettext_lazy("Decline"), {S.REGISTERED}, S.DECLINED, [HOLDER], actions.decline),
    "start": rule(
        gettext_lazy("Start mediation"), {S.ACCEPTED}, S.MEDIATING, [HOLDER], actions.start
    ),
    "recuse": rule(
        gettext_lazy("Step aside"), {S.MEDIATING}, None, [MEDIATOR, HOLDER], actions.recuse
    ),
    "record_session": rule(
        gettext_lazy("Record a session"),
        {S.MEDIATING},
        None,
        [MEDIATOR, HOLDER],
        actions.record_session,
        public=False,
    ),
    "settle": rule(
        gettext_lazy("Record a settlement"), {S.MEDIATING}, S.SETTLED, [MEDIATOR], actions.settle
    ),
    "fail": rule(
        gettext_lazy("Mediation failed"), {S.MEDIATING}, S.FAILED, [MEDIATOR], actions.fail
    ),
    "withdraw": rule(
        gettext_lazy("Withdraw"), IN_HAND, S.WITHDRAWN, [MEDIATOR, HOLDER], actions.withdraw
    ),
    "check_performance": rule(
        gettext_lazy("Check performance"),
        {S.SETTLED},
        {"pending": None, "performed": S.PERFORMED, "not_performed": S.NOT_PERFORMED},
        [MEDIATOR, HOLDER],
        actions.check_performance,
    ),
    "confirmation": rule(
        gettext_lazy("Judicial confirmation"),
        SETTLED,
        None,
        [MEDIATOR, HOLDER],
        actions.confirmation,
    ),
    "close": rule(gettext_lazy("Close"), ENDED, S.CLOSED, [HOLDER], actions.close),
    "escalate": rule(
        gettext_lazy("Move up a level"),
        IN_HAND | {S.FAILED},
        S.REGISTERED,
        [HOLDER_LEADER, MEDIATOR],
        actions.escalate,
    ),
    "judge_risk": rule(
        gettext_lazy("Judge the risk"),
        IN_HAND | SETTLED,
        None,
        [MEDIATOR, HOLDER],
        actions.judge_risk,
        public=False,
    ),
    "comment": rule(
        gettext_lazy("Comment"),
        OPEN | {S.CLOSED},
        None,
        [WORKER, HOLDER],
        actions.comment,
        public=False,
    ),
}


def _describe(dispute) -> dict:
    return {
        "level": dispute.level,
        "risk": dispute.risk,
        "type": dispute.type.code if dispute.type_id else None,
        "region": dispute.region_path,
    }


def _publish(items) -> None:
    from gongzhi.notify import services as notify

    notify.publish_events(items)


FLOW = Workflow(
    name="dispute",
    model=Dispute,
    event_model=DisputeEvent,
    subject="dispute",
    rules=RULES,
    relations=relations.PREDICATES,
    effects=effects.told_for,
    acting_organisation=relations.acting_organisation,
    publish=_publish,
    describe=_describe,
    # Not the region: its row carries a whole boundary; escalation reads it when it must.
    lock_related=("type", "holder"),
    messages={
        "not_found": gettext_lazy("The dispute does not exist."),
        "changed": gettext_lazy(
            "This dispute was changed by someone else in the meantime (it is now "
            "“%(state)s”). Reload the page and try again."
        ),
        "not_in_state": gettext_lazy(
            "“%(action)s” is not possible while the dispute is “%(state)s”."
        ),
        "not_permitted": gettext_lazy("You may not do “%(action)s” on this dispute."),
    },
)


def transition(*, dispute_id, action: str, actor, **kwargs) -> Dispute:
    return FLOW.transition(pk=dispute_id, action=action, actor=actor, **kwargs)
