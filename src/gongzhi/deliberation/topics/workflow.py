"""A topic's life as one table on the core engine (``gongzhi.core.workflow``).

raised (open) → supported by villagers; when enough households support it the platform
moves it to "due" (once) and the committee must put it on an agenda or answer it with a
reason within the rule's working days (late: the committee and the township are told
once) → on an agenda → the meeting decides it (passed: decided; voted down: answered;
no quorum: back to waiting, its clock kept). The committee may also turn it into a case
or a dispute; its author may withdraw it before it is on an agenda. A step out of order
is a 409: the topic is not ready for it.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from gongzhi.accounts.models import Role
from gongzhi.core.errors import Conflict
from gongzhi.core.workflow import Workflow, rule, who

from ..choices import TopicState
from ..models import Topic, TopicEvent
from . import actions, effects, relations

S = TopicState
ANYONE = tuple(Role.values)
STAFF = (Role.HANDLER, Role.LEADER, Role.GRID_WORKER, Role.DISPATCHER)
NEIGHBOUR = who("neighbour", *ANYONE)
AUTHOR = who("author", *ANYONE)
COMMITTEE = who("committee", *STAFF)
TOWNSHIP = who("oversees", *STAFF)
WAITING = {S.OPEN, S.DUE}
LIVE = {S.OPEN, S.DUE, S.ON_AGENDA, S.ANSWERED, S.DECIDED, S.REFERRED}

RULES = {
    # Checked against the table, never taken as steps (no state, no timeline entry).
    "support": rule(
        gettext_lazy("Support"),
        {S.OPEN, S.DUE, S.ON_AGENDA},
        None,
        [NEIGHBOUR],
        actions.checked_only,
    ),
    "comment": rule(
        gettext_lazy("Comment"), LIVE, None, [NEIGHBOUR, COMMITTEE], actions.checked_only
    ),
    # The platform's own steps (no one may take them by hand).
    "threshold": rule(gettext_lazy("Threshold reached"), {S.OPEN}, S.DUE, [], actions.threshold),
    "late": rule(gettext_lazy("Answer overdue"), {S.DUE}, None, [], actions.late),
    "decided": rule(
        gettext_lazy("Decided by a meeting"),
        {S.ON_AGENDA},
        {
            "passed": S.DECIDED,
            "answered": S.ANSWERED,
            "no_quorum_due": S.DUE,
            "no_quorum_open": S.OPEN,
        },
        [],
        actions.decided,
    ),
    "off_agenda": rule(
        gettext_lazy("Meeting cancelled"),
        {S.ON_AGENDA},
        {"due": S.DUE, "open": S.OPEN},
        [],
        actions.off_agenda,
    ),
    # The committee's.
    "put_on_agenda": rule(
        gettext_lazy("Put on a meeting's agenda"),
        WAITING,
        S.ON_AGENDA,
        [COMMITTEE],
        actions.put_on_agenda,
    ),
    "answer": rule(
        gettext_lazy("Answer with a reason"), WAITING, S.ANSWERED, [COMMITTEE], actions.answer
    ),
    "refer": rule(
        gettext_lazy("Turn into a case or dispute"),
        {S.OPEN, S.DUE, S.ANSWERED},
        S.REFERRED,
        [COMMITTEE, TOWNSHIP],
        actions.refer,
    ),
    "hide_comment": rule(
        gettext_lazy("Hide a comment"),
        set(S.values),
        None,
        [COMMITTEE, TOWNSHIP],
        actions.hide_comment,
    ),
    # The author's.
    "withdraw": rule(
        gettext_lazy("Withdraw the topic"), WAITING, S.WITHDRAWN, [AUTHOR], actions.withdraw
    ),
}

# What a user may take from the topic's page (the others are buttons of their own).
PAGE_ACTIONS = ("put_on_agenda", "answer", "refer", "withdraw")


def _describe(topic) -> dict:
    return {"region": topic.region_path, "households": topic.households_count}


def _publish(items) -> None:
    from gongzhi.notify import services as notify

    notify.publish_events(items)


FLOW = Workflow(
    name="deliberation_topic",
    model=Topic,
    event_model=TopicEvent,
    subject="topic",
    rules=RULES,
    relations=relations.PREDICATES,
    effects=effects.told_for,
    publish=_publish,
    describe=_describe,
    out_of_order=Conflict,
    messages={
        "not_found": gettext_lazy("The topic does not exist."),
        "changed": gettext_lazy(
            "This topic was changed by someone else in the meantime (it is now “%(state)s”). "
            "Reload the page and try again."
        ),
        "not_in_state": gettext_lazy(
            "“%(action)s” is not possible while the topic is “%(state)s”."
        ),
        "not_permitted": gettext_lazy("You may not do “%(action)s” on this topic."),
    },
)


def transition(*, topic_id, action: str, actor, **kwargs) -> Topic:
    return FLOW.transition(pk=topic_id, action=action, actor=actor, **kwargs)
