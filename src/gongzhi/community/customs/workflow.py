"""A registration with the 红白理事会 as one small table on the core engine.

register (``services.do_register``: REGISTERED, with its warnings) → acknowledge (the
council has seen it, with a note: ACKNOWLEDGED) → hold (it took place: HELD; within the
caps it earns the household points) — or cancel, by the council or the household itself,
until it is held. A step out of order is refused with 409 and changes nothing.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from gongzhi.accounts.models import Role
from gongzhi.core.errors import Conflict
from gongzhi.core.workflow import Workflow, rule, who
from gongzhi.people.members import COMMITTEE_ROLES

from ..choices import CeremonyState
from ..models import Ceremony, CeremonyEvent
from . import actions, relations

S = CeremonyState
COUNCIL = who("council", *COMMITTEE_ROLES)
HOUSEHOLD = who("household", *Role.values)
OPEN = {S.REGISTERED, S.ACKNOWLEDGED}

RULES = {
    "acknowledge": rule(
        gettext_lazy("Acknowledge"), {S.REGISTERED}, S.ACKNOWLEDGED, [COUNCIL], actions.acknowledge
    ),
    "hold": rule(gettext_lazy("Mark as held"), OPEN, S.HELD, [COUNCIL], actions.hold),
    "cancel": rule(
        gettext_lazy("Cancel the registration"),
        OPEN,
        S.CANCELLED,
        [COUNCIL, HOUSEHOLD],
        actions.cancel,
    ),
}
OTHER_ENTRIES = {"register": gettext_lazy("Registered with the council")}


def _describe(ceremony) -> dict:
    return {"region": ceremony.region_path, "kind": ceremony.kind}


FLOW = Workflow(
    name="community_ceremony",
    model=Ceremony,
    event_model=CeremonyEvent,
    subject="ceremony",
    rules=RULES,
    relations=relations.PREDICATES,
    # The council and the household are the only parties and see the page: no one else
    # is told of a step.
    effects=lambda event: (),
    describe=_describe,
    out_of_order=Conflict,
    messages={
        "not_found": gettext_lazy("The registration does not exist."),
        "changed": gettext_lazy(
            "This registration was changed by someone else in the meantime (it is now "
            "“%(state)s”). Reload the page and try again."
        ),
        "not_in_state": gettext_lazy(
            "“%(action)s” is not possible while the registration is “%(state)s”."
        ),
        "not_permitted": gettext_lazy("You may not do “%(action)s” on this registration."),
    },
)
