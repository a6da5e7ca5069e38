"""States, levels, risks and sources of a dispute (矛盾纠纷)."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.choices import ChoiceSet, Look


class State(ChoiceSet):
    REGISTERED = "registered", _("Registered"), Look("#6366f1", order=10)
    ACCEPTED = "accepted", _("Accepted"), Look("#0ea5e9", order=20)
    MEDIATING = "mediating", _("Being mediated"), Look("#2563eb", order=30)
    SETTLED = "settled", _("Settled: performance followed"), Look("#059669", order=40)
    PERFORMED = "performed", _("Performed"), Look("#16a34a", order=50)
    NOT_PERFORMED = "not_performed", _("Not performed"), Look("#d97706", order=60)
    FAILED = "failed", _("Mediation failed"), Look("#dc2626", order=70)
    WITHDRAWN = "withdrawn", _("Withdrawn"), Look("#9ca3af", order=80)
    DECLINED = "declined", _("Declined"), Look("#78350f", order=85)
    CLOSED = "closed", _("Closed"), Look("#6b7280", order=90)


# A dispute is open until it is closed; it is concluded once its mediation has an outcome.
OPEN_STATES = frozenset(State.values) - {State.CLOSED}
IN_HAND = frozenset({State.REGISTERED, State.ACCEPTED, State.MEDIATING})
CONCLUDED = frozenset(
    {
        State.SETTLED,
        State.PERFORMED,
        State.NOT_PERFORMED,
        State.FAILED,
        State.WITHDRAWN,
    }
)
SETTLED_STATES = frozenset({State.SETTLED, State.PERFORMED, State.NOT_PERFORMED})


class Level(ChoiceSet):
    """小事不出村、大事不出镇、矛盾不上交: the lowest level that serves the place first."""

    VILLAGE = "village", _("Village / community committee"), Look("#10b981", order=10)
    TOWNSHIP = "township", _("Township / street"), Look("#3b82f6", order=20)
    COUNTY = "county", _("County mediation centre"), Look("#8b5cf6", order=30)
    COURT = "court", _("Court"), Look("#6b7280", order=40)


LEVEL_RANK = {level.value: i for i, level in enumerate(Level.ordered())}


class Risk(ChoiceSet):
    GENERAL = "general", _("Ordinary"), Look("#6b7280", order=30)
    SERIOUS = "serious", _("Serious"), Look("#d97706", order=20)
    MAJOR = "major", _("Major"), Look("#dc2626", order=10)


RISK_RANK = {Risk.GENERAL: 0, Risk.SERIOUS: 1, Risk.MAJOR: 2}


class Source(ChoiceSet):
    SCREENING = "screening", _("Found in screening (排查)")
    CASE = "case", _("Converted from a case")
    WALK_IN = "walk_in", _("Walk-in request")
    PHONE = "phone", _("Phone request")
    COURT = "court", _("Court referral (pre-litigation)")
    POLICE = "police", _("Police referral")
    # A need a grid worker found on a care visit (people.visits), raised with one tap.
    VISIT = "visit", _("Found on a care visit")
    # A quarrel raised in a village's 百姓议事厅 (deliberation topics); source_ref: its number.
    TOPIC = "topic", _("Deliberation hall")


class PartyKind(ChoiceSet):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


class Side(ChoiceSet):
    APPLICANT = "applicant", _("Applicant")
    RESPONDENT = "respondent", _("Respondent")


class AgreementForm(ChoiceSet):
    WRITTEN = "written", _("Written agreement")
    ORAL = "oral", _("Oral agreement")


class Confirmation(ChoiceSet):
    """人民调解法 art. 33: judicial confirmation asked of a court within 30 days."""

    NONE = "", _("Not applied for")
    APPLIED = "applied", _("Applied for")
    CONFIRMED = "confirmed", _("Confirmed by the court")
    REFUSED = "refused", _("Not confirmed")


class RiskCondition(ChoiceSet):
    """What a risk rule looks at (the rule's rows say the threshold and the level)."""

    WORDS = "words", _("Words in the facts or claims")
    GROUP = "group", _("Many people on one side")
    REPEAT = "repeat", _("A repeat dispute")
    VULNERABLE = "vulnerable", _("A vulnerable party")
    PETITION = "petition", _("Petitions to higher levels")
    AMOUNT = "amount", _("Amount at stake")
