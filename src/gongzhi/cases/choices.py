from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class State(models.TextChoices):
    REPORTED = "reported", _("Reported")
    ACCEPTED = "accepted", _("Accepted")
    DISPATCHED = "dispatched", _("Dispatched")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved, awaiting verification")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged")
    RETURNED = "returned", _("Returned")
    ESCALATED = "escalated", _("Escalated")
    REOPENED = "reopened", _("Reopened")


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
    }
)
FINAL_STATES = frozenset({State.CLOSED, State.REJECTED, State.MERGED})


class Channel(models.TextChoices):
    QUICK_REPORT = "quick_report", _("Quick report (photo)")
    GRID_WORKER = "grid_worker", _("Grid worker patrol")
    HOTLINE = "hotline", _("12345 hotline")
    OPEN311 = "open311", _("Open311 client")
    API = "api", _("Platform API")
    SENSOR = "sensor", _("Camera or sensor alert")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASIC = "basic", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


class HandlingLevel(models.TextChoices):
    COMMUNITY = "community", _("Community / grid")
    TOWNSHIP = "township", _("Township")
    COUNTY_DEPARTMENT = "county_department", _("County department serving the place")
    CITY_DEPARTMENT = "city_department", _("City department")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("extension status", "Pending")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")
