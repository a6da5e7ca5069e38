"""Open311 statuses and the case lifecycle, in one place.

``status`` is open or closed. The mySociety extended status is read from the case's
state; an update posted with an extended status is the workflow action in ``ACTIONS``
that the case's current state allows (the first that applies), taken through
``workflow.transition`` as the client's bound user. A status that names no action the
case can take now is refused, unless the case already has that status: then the update
is a comment.
"""

from gongzhi.cases.choices import FINAL_STATES
from gongzhi.cases.choices import State as S

EXTENDED = (
    "open",
    "closed",
    "fixed",
    "in_progress",
    "action_scheduled",
    "investigating",
    "duplicate",
    "not_councils_responsibility",
    "no_further_action",
    "internal_referral",
    "reopen",
    "for_triage",
)

# The extended status a case in each state shows.
OF_STATE = {
    S.REPORTED: "open",
    S.ACCEPTED: "investigating",
    S.DISPATCHED: "action_scheduled",
    S.IN_PROGRESS: "in_progress",
    S.RESOLVED: "fixed",
    S.CLOSED: "closed",
    S.REJECTED: "no_further_action",
    S.MERGED: "duplicate",
    S.RETURNED: "internal_referral",
    S.ESCALATED: "internal_referral",
    S.REOPENED: "reopen",
    S.WITHDRAWN: "no_further_action",  # withdrawn by the reporter
    S.ANSWERED: "closed",  # answered on the phone: closed with the answer
    S.SUSPENDED: "action_scheduled",  # paused until its expected resume date
}

# The workflow actions an update with each extended status asks for, tried in order.
# The text of the update is the action's note, reason or result. Missing on purpose:
# open, for_triage (a case is triaged on arrival) and duplicate (merging needs the case
# it duplicates, which an update does not name).
ACTIONS = {
    "investigating": ("accept",),
    "action_scheduled": ("sign_for", "dispatch"),
    "in_progress": ("sign_for",),
    "fixed": ("resolve",),
    "closed": ("verify_pass",),
    "reopen": ("verify_fail",),
    "not_councils_responsibility": ("return", "reject"),
    "no_further_action": ("reject",),
    "internal_referral": ("escalate",),
}
SAME_STATUS_ACTION = "comment"


def status(state: str) -> str:
    return "closed" if state in FINAL_STATES else "open"


def extended(state: str) -> str:
    return OF_STATE.get(state, "open")
