"""Kinds of houses, households and residents (人、地、房)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core.choices import ChoiceSet, Look


class HouseUse(ChoiceSet):
    OWN = "own", _("Lived in by its owner"), Look("#2563eb", order=10)
    RENTED = "rented", _("Rented out"), Look("#d97706", order=20)
    VACANT = "vacant", _("Vacant"), Look("#9ca3af", order=30)
    BUSINESS = "business", _("Used for business"), Look("#7c3aed", order=40)


class Registration(ChoiceSet):
    """户籍人口 or 流动人口: registered here, or living here with their 户口 elsewhere."""

    REGISTERED = "registered", _("Registered resident"), Look("#059669", order=10)
    MIGRANT = "migrant", _("Migrant"), Look("#f59e0b", order=20)


class Relation(ChoiceSet):
    """A resident's relation to the head of their household (与户主关系)."""

    HEAD = "head", _("Head of household"), Look(order=10)
    SPOUSE = "spouse", _("Spouse"), Look(order=20)
    CHILD = "child", _("Child"), Look(order=30)
    PARENT = "parent", _("Parent"), Look(order=40)
    GRANDCHILD = "grandchild", _("Grandchild"), Look(order=50)
    SIBLING = "sibling", _("Brother or sister"), Look(order=60)
    OTHER = "other", _("Other relative"), Look(order=70)
    TENANT = "tenant", _("Tenant or lodger"), Look(order=80)


class Sex(ChoiceSet):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class LeftReason(ChoiceSet):
    """Why a resident is no longer living here; the record stays."""

    MOVED = "moved", _("Moved away")
    DIED = "died", _("Died")
    OTHER = "other", _("Other")


class VisitState(ChoiceSet):
    """A planned visit (走访): due until it is made; dropped when the care ends first."""

    DUE = "due", pgettext_lazy("visit", "Due"), Look("#2563eb", order=10)
    DONE = "done", _("Visited"), Look("#059669", order=20)
    DROPPED = "dropped", _("No longer needed"), Look("#9ca3af", order=30)


class AlertLevel(ChoiceSet):
    """Who hears of a missed daily check-in (平安打卡): after one day the grid worker and
    the family, after two the community."""

    WORKER = "worker", _("Grid worker and family"), Look("#d97706", order=10)
    COMMUNITY = "community", _("Community"), Look("#dc2626", order=20)


class OfficeKind(ChoiceSet):
    """A resident's standing in their village or community that its meetings count: a
    representative (村民代表 / 居民代表), a member of the committee or the Party branch, a
    Party member (党员大会), the clerk."""

    REPRESENTATIVE = "representative", _("Representative (村民代表/居民代表)"), Look(order=10)
    DIRECTOR = "director", _("Committee director (主任)"), Look(order=20)
    COMMITTEE = "committee", _("Committee member (村/居委会委员)"), Look(order=30)
    PARTY_SECRETARY = "party_secretary", _("Party branch secretary (书记)"), Look(order=40)
    PARTY_COMMITTEE = "party_committee", _("Party branch committee member (支委)"), Look(order=50)
    PARTY_MEMBER = "party_member", _("Party member (党员)"), Look(order=60)
    CLERK = "clerk", _("Clerk (文书)"), Look(order=70)
