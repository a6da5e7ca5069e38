"""A meeting as one table on the core engine (``gongzhi.core.workflow``):

scheduled → (notice to every household, in time) notified → (opened: the register's
figures fixed) in session → (quorum checked) voting → (minutes) closed; in session →
(no quorum) inquorate; cancelled before it opens. Every step is the village committee's;
a step out of order is a Conflict (409): the meeting is not ready for it.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from gongzhi.core.errors import Conflict
from gongzhi.core.workflow import Workflow, rule, who

from .. import members
from ..choices import MeetingState
from ..models import Meeting, MeetingEvent
from . import actions, effects, relations

S = MeetingState
COMMITTEE = who("convenes", *members.COMMITTEE_ROLES)

RULES = {
    "send_notice": rule(
        gettext_lazy("Send the notice"), {S.SCHEDULED}, S.NOTIFIED, [COMMITTEE], actions.send_notice
    ),
    "open": rule(
        gettext_lazy("Open the meeting"), {S.NOTIFIED}, S.IN_SESSION, [COMMITTEE], actions.open_
    ),
    "open_voting": rule(
        gettext_lazy("Check the quorum and open the voting"),
        {S.IN_SESSION},
        S.VOTING,
        [COMMITTEE],
        actions.open_voting,
    ),
    "close": rule(
        gettext_lazy("Close with the minutes"),
        {S.IN_SESSION, S.VOTING},
        {"closed": S.CLOSED, "inquorate": S.INQUORATE},
        [COMMITTEE],
        actions.close,
    ),
    "cancel": rule(
        gettext_lazy("Cancel the meeting"),
        {S.SCHEDULED, S.NOTIFIED},
        S.CANCELLED,
        [COMMITTEE],
        actions.cancel,
    ),
}


def _describe(meeting) -> dict:
    return {"kind": meeting.kind, "region": meeting.region_path}


def _publish(items) -> None:
    from gongzhi.notify import services as notify

    notify.publish_events(items)


FLOW = Workflow(
    name="deliberation.meeting",
    model=Meeting,
    event_model=MeetingEvent,
    subject="meeting",
    rules=RULES,
    relations=relations.PREDICATES,
    effects=effects.told_for,
    publish=_publish,
    describe=_describe,
    lock_related=("rule",),
    out_of_order=Conflict,
    messages={
        "not_found": gettext_lazy("The meeting does not exist."),
        "changed": gettext_lazy(
            "This meeting was changed by someone else in the meantime (it is now "
            "“%(state)s”). Reload the page and try again."
        ),
        "not_in_state": gettext_lazy(
            "“%(action)s” is not possible while the meeting is “%(state)s”."
        ),
        "not_permitted": gettext_lazy("You may not do “%(action)s” at this meeting."),
    },
)
