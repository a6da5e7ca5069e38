"""States and kinds of the deliberation hall (百姓议事厅), as choice sets with colours."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core.choices import ChoiceSet, Look


class TopicState(ChoiceSet):
    """A topic (议题) raised by a resident: open for support; once its village's threshold is
    reached it must be put on an agenda or answered with a reason by its due date."""

    OPEN = "open", pgettext_lazy("topic", "Open"), Look("#2563eb", order=10)
    DUE = "due", _("Threshold reached: awaiting an answer"), Look("#d97706", order=20)
    ON_AGENDA = "on_agenda", _("On a meeting's agenda"), Look("#7c3aed", order=30)
    ANSWERED = "answered", _("Answered with a reason"), Look("#0891b2", order=40)
    DECIDED = "decided", pgettext_lazy("topic", "Decided"), Look("#059669", order=50)
    REFERRED = "referred", _("Turned into a case or dispute"), Look("#0d9488", order=60)
    WITHDRAWN = "withdrawn", pgettext_lazy("topic", "Withdrawn"), Look("#9ca3af", order=70)


class MeetingKind(ChoiceSet):
    """The meetings of a village (村民委员会组织法) and an urban community (城市居民委员会组织法)."""

    COMMITTEES = "committees", _("Joint meeting of the two committees (两委会)"), Look(order=10)
    PARTY = "party", _("Party members' meeting (党员大会)"), Look(order=20)
    VILLAGE_ASSEMBLY = "village_assembly", _("Villagers' assembly (村民会议)"), Look(order=30)
    VILLAGE_REPRESENTATIVES = (
        "village_reps",
        _("Villagers' representatives' meeting (村民代表会议)"),
        Look(order=40),
    )
    RESIDENT_ASSEMBLY = "resident_assembly", _("Residents' assembly (居民会议)"), Look(order=50)
    RESIDENT_REPRESENTATIVES = (
        "resident_reps",
        _("Residents' representatives' meeting (居民代表会议)"),
        Look(order=60),
    )
    HALL = "hall", _("Deliberation hall session (议事会)"), Look(order=70)


class QuorumBasis(ChoiceSet):
    """Whom a meeting's quorum counts."""

    ADULTS = "adults", _("Adult residents")
    HOUSEHOLDS = "households", _("Households (one representative each)")
    REPRESENTATIVES = "representatives", _("Representatives")
    PARTY_MEMBERS = "party_members", _("Party members")
    COMMITTEE = "committee", _("Committee members")
    NONE = "none", _("No quorum")


class VotePer(ChoiceSet):
    PERSON = "person", _("One vote per person")
    HOUSEHOLD = "household", _("One vote per household")


class MeetingState(ChoiceSet):
    SCHEDULED = "scheduled", _("Scheduled"), Look("#2563eb", order=10)
    NOTIFIED = "notified", _("Notice sent"), Look("#0891b2", order=20)
    IN_SESSION = "in_session", _("In session"), Look("#d97706", order=30)
    VOTING = "voting", _("Voting open"), Look("#dc2626", order=40)
    CLOSED = "closed", pgettext_lazy("meeting", "Closed"), Look("#059669", order=50)
    INQUORATE = "inquorate", _("No quorum"), Look("#9f1239", order=60)
    CANCELLED = "cancelled", pgettext_lazy("meeting", "Cancelled"), Look("#9ca3af", order=70)


class SignInMethod(ChoiceSet):
    CLERK = "clerk", _("Signed in by the clerk")
    QR = "qr", _("Scanned the meeting's QR code")


class VoteChoice(ChoiceSet):
    FOR = "for", _("For"), Look("#059669", order=10)
    AGAINST = "against", _("Against"), Look("#dc2626", order=20)
    ABSTAIN = "abstain", _("Abstain"), Look("#9ca3af", order=30)


class ItemOutcome(ChoiceSet):
    """What a meeting decided on one item of its agenda."""

    PENDING = "pending", pgettext_lazy("agenda item", "Not yet decided"), Look("#9ca3af", order=10)
    PASSED = "passed", _("Passed"), Look("#059669", order=20)
    REJECTED = "rejected", _("Rejected"), Look("#dc2626", order=30)
    NO_QUORUM = "no_quorum", _("Not decided: no quorum"), Look("#9f1239", order=40)
    DISCUSSED = "discussed", _("Discussed, no vote"), Look("#0891b2", order=50)


class MatterState(ChoiceSet):
    """A major matter (重大事项) through 四议两公开: 党组织提议 → 两委会商议 → 党员大会审议 →
    村民(代表)会议决议 → 决议公开 → 实施 → 实施结果公开. A step that fails ends it."""

    PROPOSED = "proposed", _("Proposed by the Party branch"), Look("#6366f1", order=10)
    DELIBERATED = "deliberated", _("Agreed by the two committees"), Look("#2563eb", order=20)
    REVIEWED = "reviewed", _("Reviewed by the Party members"), Look("#0891b2", order=30)
    RESOLVED = "resolved", _("Resolved by the villagers"), Look("#7c3aed", order=40)
    PUBLISHED = "published", _("Resolution published (公示)"), Look("#d97706", order=50)
    IMPLEMENTING = "implementing", _("Being implemented"), Look("#ea580c", order=60)
    DONE = "done", _("Implemented; result published"), Look("#059669", order=70)
    FAILED = "failed", _("Not adopted"), Look("#dc2626", order=80)
    WITHDRAWN = "withdrawn", pgettext_lazy("matter", "Withdrawn"), Look("#9ca3af", order=90)


class MatterStepKind(ChoiceSet):
    """The six steps of 四议两公开, in order."""

    PROPOSE = "propose", _("Party branch proposes (党组织提议)"), Look(order=10)
    DELIBERATE = "deliberate", _("Two committees deliberate (两委会商议)"), Look(order=20)
    REVIEW = "review", _("Party members review (党员大会审议)"), Look(order=30)
    RESOLVE = "resolve", _("Villagers resolve (村民会议或村民代表会议决议)"), Look(order=40)
    PUBLISH = "publish", _("Resolution made public (决议公开)"), Look(order=50)
    RESULT = "result", _("Result made public (实施结果公开)"), Look(order=60)


class PublicationKind(ChoiceSet):
    RESOLUTION = "resolution", _("Resolution (决议公开)")
    RESULT = "result", _("Implementation result (实施结果公开)")


class ObjectionState(ChoiceSet):
    OPEN = "open", pgettext_lazy("objection", "Awaiting an answer"), Look("#d97706", order=10)
    ANSWERED = "answered", pgettext_lazy("objection", "Answered"), Look("#059669", order=20)


class ImplementationState(ChoiceSet):
    PLANNED = "planned", pgettext_lazy("implementation", "Planned"), Look("#6366f1", order=10)
    UNDER_WAY = "under_way", _("Under way"), Look("#d97706", order=20)
    COMPLETED = "completed", _("Completed"), Look("#059669", order=30)
    STOPPED = "stopped", pgettext_lazy("implementation", "Stopped"), Look("#9ca3af", order=40)
