"""The case's states and kinds, as choice sets (``gongzhi.core.choices``).

A state's colour is shared by its badge, the map's points and legend, and the API; its order
is the order a case lives through them, in which the queue's chips and the legend list them.
The declaration order is the model field's (and its migrations'), so it stays as it was.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core.choices import ChoiceSet, Look


class State(ChoiceSet):
    REPORTED = "reported", _("Reported"), Look("#6366f1", order=10)
    ACCEPTED = "accepted", _("Accepted"), Look("#0ea5e9", order=20)
    DISPATCHED = "dispatched", _("Dispatched"), Look("#d97706", order=30)
    IN_PROGRESS = "in_progress", _("In progress"), Look("#2563eb", order=40)
    RESOLVED = "resolved", _("Resolved, awaiting verification"), Look("#059669", order=50)
    CLOSED = "closed", _("Closed"), Look("#6b7280", order=90)
    REJECTED = "rejected", _("Rejected"), Look("#9ca3af", order=100)
    MERGED = "merged", _("Merged"), Look("#9ca3af", order=110)
    # Brown: apart from the purples of reported and escalated.
    RETURNED = "returned", _("Returned"), Look("#78350f", order=60)
    ESCALATED = "escalated", _("Escalated"), Look("#db2777", order=70)
    REOPENED = "reopened", _("Reopened"), Look("#ea580c", order=80)
    # Closed by the reporter before it was resolved (撤销): apart from cases solved.
    WITHDRAWN = "withdrawn", _("Withdrawn by the reporter"), Look("#a8a29e", order=105)
    # 直接答复: a consultation the operator answered on the phone; closed, never dispatched.
    ANSWERED = "answered", _("Answered directly"), Look("#0d9488", order=95)
    # 挂起: handling paused with the command centre's approval; its clocks are stopped.
    SUSPENDED = "suspended", _("Suspended"), Look("#7c3aed", order=45)


# An overdue case is ringed in this red, whatever its state's colour.
OVERDUE_COLOUR = "#dc2626"


# States in which a case still needs work (and so can be overdue).
OPEN_STATES = frozenset(
    {
        State.REPORTED,
        State.ACCEPTED,
        State.DISPATCHED,
        State.IN_PROGRESS,
        State.RESOLVED,
        State.RETURNED,
        State.ESCALATED,
        State.REOPENED,
        State.SUSPENDED,
    }
)
FINAL_STATES = frozenset(
    {State.CLOSED, State.REJECTED, State.MERGED, State.WITHDRAWN, State.ANSWERED}
)


class Channel(ChoiceSet):
    QUICK_REPORT = "quick_report", _("Quick report (photo)")
    GRID_WORKER = "grid_worker", _("Grid worker patrol")
    HOTLINE = "hotline", _("12345 hotline")
    OPEN311 = "open311", _("Open311 client")
    API = "api", _("Platform API")
    SENSOR = "sensor", _("Camera or sensor alert")
    VIDEO = "video", _("Video patrol")
    REPAIR = "repair", _("Repair request to the property company")
    PATROL = "patrol", _("Volunteer patrol")


class Satisfaction(ChoiceSet):
    SATISFIED = "satisfied", _("Satisfied")
    BASIC = "basic", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


class HandlingLevel(ChoiceSet):
    COMMUNITY = "community", _("Community / grid")
    TOWNSHIP = "township", _("Township")
    COUNTY_DEPARTMENT = "county_department", _("County department serving the place")
    CITY_DEPARTMENT = "city_department", _("City department")


class SuspensionStatus(ChoiceSet):
    PENDING = "pending", pgettext_lazy("suspension status", "Pending")
    REFUSED = "refused", pgettext_lazy("suspension status", "Refused")
    ACTIVE = "active", pgettext_lazy("suspension status", "Suspended")
    ENDED = "ended", pgettext_lazy("suspension status", "Resumed")
    # Not decided before the case left the unit's hands (resolved, returned, transferred,
    # withdrawn): there is nothing left to suspend.
    LAPSED = "lapsed", pgettext_lazy("suspension status", "Lapsed")


class ExtensionStatus(ChoiceSet):
    PENDING = "pending", pgettext_lazy("extension status", "Pending")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")
