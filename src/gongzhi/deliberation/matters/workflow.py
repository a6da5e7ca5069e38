"""A major matter through 四议两公开 as one table on the core engine (``core.workflow``).

党组织提议 (``services.do_propose``: the matter is made PROPOSED with its first step) →
两委会商议 (deliberate: DELIBERATED, or FAILED when the committees reject it) → 党员大会审议
(review: only from a closed Party members' meeting that had it on its agenda; no quorum
leaves it where it is) → 村民会议或村民代表会议决议 (resolve: the same, from the kind of
meeting the matter names) → 决议公开 (publish) → 实施 (start) → 实施结果公开
(publish_result: DONE). The secretary may withdraw it until it is resolved. An ordinary
decision (``major=False``) starts RESOLVED and takes the last three steps the same way.
Every step out of order is refused with 409 and changes nothing.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from gongzhi.accounts.models import Role
from gongzhi.core.errors import Conflict
from gongzhi.core.workflow import Workflow, rule, who

from ..choices import MatterState
from ..members import COMMITTEE_ROLES
from ..models import Matter, MatterEvent
from . import actions, effects, relations

S = MatterState
SECRETARY = who("leads", Role.LEADER)
COMMITTEE = who("serves", *COMMITTEE_ROLES)
BEFORE_RESOLVED = {S.PROPOSED, S.DELIBERATED, S.REVIEWED}

RULES = {
    "deliberate": rule(
        gettext_lazy("Record the two committees' deliberation"),
        {S.PROPOSED},
        {"passed": S.DELIBERATED, "rejected": S.FAILED},
        [COMMITTEE],
        actions.deliberate,
    ),
    "review": rule(
        gettext_lazy("Record the Party members' review"),
        {S.DELIBERATED},
        {"passed": S.REVIEWED, "rejected": S.FAILED, "no_quorum": None},
        [COMMITTEE],
        actions.review,
    ),
    "resolve": rule(
        gettext_lazy("Record the villagers' resolution"),
        {S.REVIEWED},
        {"passed": S.RESOLVED, "rejected": S.FAILED, "no_quorum": None},
        [COMMITTEE],
        actions.resolve,
    ),
    "publish": rule(
        gettext_lazy("Publish the resolution"),
        {S.RESOLVED},
        S.PUBLISHED,
        [COMMITTEE],
        actions.publish,
    ),
    "start": rule(
        gettext_lazy("Start the implementation"),
        {S.PUBLISHED},
        S.IMPLEMENTING,
        [COMMITTEE],
        actions.start,
    ),
    "publish_result": rule(
        gettext_lazy("Publish the result"),
        {S.IMPLEMENTING},
        S.DONE,
        [COMMITTEE],
        actions.publish_result,
    ),
    "withdraw": rule(
        gettext_lazy("Withdraw the matter"),
        BEFORE_RESOLVED,
        S.WITHDRAWN,
        [SECRETARY],
        actions.withdraw,
    ),
}
# The entries the engine's table does not move: the matter's creation.
OTHER_ENTRIES = {
    "propose": gettext_lazy("Proposed by the Party branch"),
    "from_topic": gettext_lazy("Decided by a meeting"),
}


def _describe(matter) -> dict:
    return {"region": matter.region_path, "major": matter.major, "number": matter.number}


def _publish(items) -> None:
    from gongzhi.notify import services as notify

    notify.publish_events(items)


FLOW = Workflow(
    name="deliberation_matter",
    model=Matter,
    event_model=MatterEvent,
    subject="matter",
    rules=RULES,
    relations=relations.PREDICATES,
    effects=effects.told_for,
    publish=_publish,
    describe=_describe,
    out_of_order=Conflict,
    messages={
        "not_found": gettext_lazy("The matter does not exist."),
        "changed": gettext_lazy(
            "This matter was changed by someone else in the meantime (it is now “%(state)s”). "
            "Reload the page and try again."
        ),
        "not_in_state": gettext_lazy(
            "“%(action)s” is not possible while the matter is “%(state)s”: the steps of "
            "四议两公开 are taken in order."
        ),
        "not_permitted": gettext_lazy("You may not do “%(action)s” on this matter."),
    },
)
