"""The legal-aid room's choice sets: states, hardship flags, documents, progress, endings."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    AWAITING_DOCUMENTS = "awaiting_documents", _("Awaiting documents")
    UNDER_REVIEW = "under_review", _("Under review")
    GRANTED = "granted", _("Aid granted")
    REFUSED = "refused", _("Refused")
    OBJECTED = "objected", _("Objection lodged")
    ASSIGNED = "assigned", _("Lawyer assigned")
    TERMINATED = "terminated", _("Aid terminated")
    CONCLUDED = "concluded", _("Concluded")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Not yet decided: the applicant may still withdraw; the decision clock runs (except while
# awaiting documents, when it is paused).
UNDECIDED = frozenset({State.SUBMITTED, State.AWAITING_DOCUMENTS, State.UNDER_REVIEW})
IN_AID = frozenset({State.GRANTED, State.ASSIGNED})
FINISHED = frozenset({State.TERMINATED, State.CONCLUDED, State.CLOSED, State.WITHDRAWN})


class Flag(models.TextChoices):
    """What an applicant ticks about themselves: the facts the exemption rules read."""

    HERO_KIN = (
        "hero_kin",
        _("Close relative of a hero or martyr, defending their personality rights"),
    )
    RETRIAL_ACQUITTED = "retrial_acquitted", _("Acquitted on retrial, claiming state compensation")
    ABUSE_VICTIM = "abuse_victim", _("Victim of abuse, abandonment or domestic violence")
    NO_FIXED_INCOME = "no_fixed_income", _("No fixed source of income")
    DISABLED = "disabled", _("Person with a disability")
    SOCIAL_ASSISTANCE = (
        "social_assistance",
        _("Receives social assistance, judicial assistance or special care"),
    )
    MIGRANT_WORKER = "migrant_worker", _("Migrant worker")


class Hardship(models.TextChoices):
    """What the check of the applicant's means found."""

    EXEMPT = "exempt", _("Not examined (exempt)")
    MEETS = "meets", _("Within the county's standard")
    EXCEEDS = "exceeds", _("Above the county's standard")
    UNKNOWN = "unknown", _("No standard for the county")


class DeadlineKind(models.TextChoices):
    LIMITATION = "limitation", _("Limitation period ends")
    HEARING = "hearing", _("Hearing date")
    OTHER = "other", _("Other deadline")


class DocumentKind(models.TextChoices):
    IDENTITY = "identity", _("Identity document")
    HARDSHIP = "hardship", _("Proof of hardship")
    EVIDENCE = "evidence", _("Evidence about the matter")
    SUPPLEMENT = "supplement", _("Supplied on request")
    CLOSING = "closing", _("Closing file")
    OTHER = "other", _("Other")


class ProgressKind(models.TextChoices):
    HEARING = "hearing", _("Hearing")
    DOCUMENT = "document", _("Document")
    OUTCOME = "outcome", _("Outcome")
    OTHER = "other", _("Other")


class Termination(models.TextChoices):
    """法律援助法 art. 48: why aid ends before the matter does."""

    NO_LONGER_ELIGIBLE = "no_longer_eligible", _("The aided person no longer meets the conditions")
    PROCEEDINGS_ENDED = "proceedings_ended", _("The case was terminated or its hearing ended")
    OWN_LAWYER = "own_lawyer", _("The aided person instructed another lawyer")
    ASKED_TO_END = "asked_to_end", _("The aided person asked to end the aid")
    FALSE_INFORMATION = "false_information", _("Aid was obtained by false information")
    ABUSE = "abuse", _("The aided person used aid for an unlawful purpose")
    OTHER = "other", _("Another reason the law provides")


class AdvanceReview(models.TextChoices):
    """Aid given first in an urgent matter (art. 44): the review that follows."""

    PENDING = "pending", _("Review pending")
    CONFIRMED = "confirmed", _("Review confirmed the aid")
    REVOKED = "revoked", _("Review revoked the aid")


class RuleTrigger(models.TextChoices):
    """Which article an exemption rule comes from."""

    ART32 = "32", _("Art. 32: no hardship examination")
    ART42 = "42", _("Art. 42: hardship deemed proven")
