"""The surveys app's states and kinds, as choice sets with a colour and an order."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.choices import ChoiceSet, Look


class QuestionnaireKind(ChoiceSet):
    SAFETY = "safety", _("Sense of safety"), Look("#2563eb", order=10)
    SATISFACTION = "satisfaction", _("Satisfaction"), Look("#16a34a", order=20)
    BOTH = "both", _("Safety and satisfaction"), Look("#7c3aed", order=30)


class Measure(ChoiceSet):
    """The figure a question feeds: each is estimated on its own."""

    SAFETY = "safety", _("Sense of safety"), Look("#2563eb", order=10)
    SATISFACTION = "satisfaction", _("Satisfaction"), Look("#16a34a", order=20)


class WaveState(ChoiceSet):
    DRAFT = "draft", _("Draft"), Look("#6b7280", order=10)
    FIELDING = "fielding", _("In the field"), Look("#2563eb", order=20)
    CLOSED = "closed", _("Closed"), Look("#111827", order=30)


class Allocation(ChoiceSet):
    """How the sample is shared among the townships (the strata)."""

    EQUAL = "equal", _("Equal: the same number in every township")
    PROPORTIONAL = "proportional", _("Proportional to the population")


class Source(ChoiceSet):
    REGISTER = "register", _("Resident register"), Look("#0891b2", order=10)
    CALLER = "caller", _("Hotline caller"), Look("#d97706", order=20)


class MemberState(ChoiceSet):
    TO_CALL = "to_call", _("To call"), Look("#6b7280", order=10)
    CALL_BACK = "call_back", _("Call back"), Look("#d97706", order=20)
    NO_ANSWER = "no_answer", _("No answer"), Look("#9ca3af", order=30)
    REFUSED = "refused", _("Refused"), Look("#dc2626", order=40)
    ANSWERED = "answered", _("Answered by phone"), Look("#16a34a", order=50)
    BY_LINK = "by_link", _("Completed by link"), Look("#059669", order=60)


COMPLETED = frozenset({MemberState.ANSWERED, MemberState.BY_LINK})
# Outcomes that may be tried again while the member has attempts left.
RETRIED = frozenset({MemberState.NO_ANSWER, MemberState.REFUSED})


class Outcome(ChoiceSet):
    """What an operator's call came to (the calling form's choice)."""

    ANSWERED = "answered", _("Answered the survey"), Look("#16a34a", order=10)
    REFUSED = "refused", _("Refused"), Look("#dc2626", order=20)
    NO_ANSWER = "no_answer", _("No answer"), Look("#9ca3af", order=30)
    CALL_BACK = "call_back", _("Call back later"), Look("#d97706", order=40)


class Channel(ChoiceSet):
    PHONE = "phone", _("Phone interview"), Look("#2563eb", order=10)
    LINK = "link", _("Link or QR code"), Look("#059669", order=20)
