"""States and kinds of the community app (智慧社区/智慧乡村), as choice sets with colours."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core.choices import ChoiceSet, Look


class NoticeState(ChoiceSet):
    DRAFT = "draft", pgettext_lazy("notice", "Draft"), Look("#9ca3af", order=10)
    SCHEDULED = "scheduled", _("Scheduled"), Look("#7c3aed", order=20)
    PUBLISHED = "published", pgettext_lazy("notice", "Published"), Look("#059669", order=30)
    EXPIRED = "expired", pgettext_lazy("notice", "Expired"), Look("#6b7280", order=40)
    WITHDRAWN = "withdrawn", pgettext_lazy("notice", "Withdrawn"), Look("#dc2626", order=50)


class AnswerKind(ChoiceSet):
    """What a notice asks of each household, if anything."""

    NONE = "none", _("No answer needed"), Look(order=10)
    YES_NO = "yes_no", _("Yes or no"), Look(order=20)
    CHOICE = "choice", _("One of several choices"), Look(order=30)
    NUMBER = "number", _("A number"), Look(order=40)


class VolunteerState(ChoiceSet):
    PENDING = "pending", _("Awaiting the community's check"), Look("#d97706", order=10)
    APPROVED = "approved", _("Registered"), Look("#059669", order=20)
    REJECTED = "rejected", pgettext_lazy("volunteer", "Not accepted"), Look("#dc2626", order=30)
    LEFT = "left", _("Left"), Look("#9ca3af", order=40)


class ShiftKind(ChoiceSet):
    PATROL = "patrol", _("Patrol (群防群治)"), Look("#2563eb", order=10)
    FESTIVAL = "festival", _("Neighbourhood festival (邻里节)"), Look("#db2777", order=20)
    CLINIC = "clinic", _("Free clinic (义诊)"), Look("#059669", order=30)
    SERVICE = "service", _("Other service"), Look("#6b7280", order=40)


class ShiftState(ChoiceSet):
    OPEN = "open", pgettext_lazy("shift", "Open"), Look("#2563eb", order=10)
    DONE = "done", pgettext_lazy("shift", "Done"), Look("#059669", order=20)
    CANCELLED = "cancelled", pgettext_lazy("shift", "Cancelled"), Look("#9ca3af", order=30)


class SignUpState(ChoiceSet):
    SIGNED_UP = "signed_up", _("Signed up"), Look("#2563eb", order=10)
    ATTENDED = "attended", _("Attended"), Look("#059669", order=20)
    ABSENT = "absent", _("Absent"), Look("#dc2626", order=30)
    CANCELLED = "cancelled", pgettext_lazy("sign-up", "Cancelled"), Look("#9ca3af", order=40)


class CheckInMethod(ChoiceSet):
    QR = "qr", _("QR code"), Look(order=10)
    LEADER = "leader", _("By the team leader"), Look(order=20)


class PatrolState(ChoiceSet):
    WALKING = "walking", _("Under way"), Look("#2563eb", order=10)
    FINISHED = "finished", pgettext_lazy("patrol", "Finished"), Look("#059669", order=20)
    ABANDONED = "abandoned", _("Abandoned"), Look("#dc2626", order=30)


class CeremonyKind(ChoiceSet):
    WEDDING = "wedding", _("Wedding (红事)"), Look("#dc2626", order=10)
    FUNERAL = "funeral", _("Funeral (白事)"), Look("#374151", order=20)


class CeremonyState(ChoiceSet):
    REGISTERED = "registered", _("Registered"), Look("#2563eb", order=10)
    ACKNOWLEDGED = "acknowledged", _("Seen by the council (红白理事会)"), Look("#059669", order=20)
    HELD = "held", _("Held"), Look("#6b7280", order=30)
    CANCELLED = "cancelled", pgettext_lazy("ceremony", "Cancelled"), Look("#9ca3af", order=40)
