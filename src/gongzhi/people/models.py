"""The grid's base data (人、地、房) and care for the people who need it.

* ``Building`` (楼栋): a block of flats or a row of shops, with its address, community,
  grid, point and floors. A rural courtyard is a house without a building.
* ``House`` (房屋, 实有房屋): one dwelling or unit: address, community, grid, point, what it
  is used for (lived in by its owner, rented out, vacant, business), its area, and its
  owner (name, ID number and phone masked like all personal data).
* ``Household`` (户): the people who live together in one house, registered here (户籍户)
  or living here from elsewhere (流动户), with its number (户号) and head.
* ``Resident`` (实有人口): a person living in a household: name, ID number (validated,
  unique among current residents; birth date and sex come from it), phone, relation to the
  head, registered or migrant, moved in, moved out. Who moved out stays on record.
* ``Stay``: a migrant's stay in a rented house, which always has an end.
* ``CareLevel`` (reference rows): how often a member is visited (weekly 7 days, …).
* ``CareGroup`` (重点人群 / 关爱对象, reference rows): 留守儿童, 独居老人, 社区矫正对象, …;
  each row says who may see its members (``access``): the local register, or only the
  units whose function it lists.
* ``CareMembership``: a resident in a group at a level, since a day, until a day, with the
  grid worker responsible.

Every model a user sees has ``objects.visible_to(user)`` (rules in ``access``). Region,
grid and region path are copied from the house onto households, residents and memberships,
so that every list filters on its own columns at a million residents.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.accounts import masking
from gongzhi.accounts.models import Role
from gongzhi.core.fields import DigestField, SealedCharField
from gongzhi.core.models import Reference, TimeStampedModel
from gongzhi.core.scope import scope_for
from gongzhi.regions.models import Grid, Region

from .access import ANYTHING, access_for, care_scope_q, paths_q, register_q
from .choices import (
    AlertLevel,
    HouseUse,
    LeftReason,
    OfficeKind,
    Registration,
    Relation,
    Sex,
    VisitState,
)


class CareLevel(Reference):
    visit_days = models.PositiveSmallIntegerField(
        _("visit every (days)"), help_text=_("A member at this level is visited this often.")
    )

    class Meta(Reference.Meta):
        verbose_name = _("care level")
        verbose_name_plural = _("care levels")


class CareGroup(Reference):
    functions = models.CharField(
        _("seen by units with function"),
        max_length=200,
        blank=True,
        help_text=_(
            "Function codes of the units whose staff may see the members in the places they "
            "serve, separated by commas (e.g. SFJ,GAJ: justice and police). A justice office "
            "counts as SFJ, a police station as GAJ."
        ),
    )
    open_to_local = models.BooleanField(
        _("seen by the grid and the local government"),
        default=False,
        help_text=_(
            "The member's grid worker and the staff of their community, township and county "
            "see the members. Leave off for groups only the listed units may see."
        ),
    )
    default_level = models.ForeignKey(
        CareLevel,
        verbose_name=_("default care level"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.TextField(_("who belongs"), blank=True)
    case_category = models.ForeignKey(
        "taxonomy.Category",
        verbose_name=_("case category for needs"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "A need found on a visit to a member becomes a case in this category. Empty, "
            "disabled, or a group only the listed units may see: the general category for "
            "special groups (特殊人群服务), so that a case never tells who is under correction."
        ),
    )

    class Meta(Reference.Meta):
        verbose_name = _("care group")
        verbose_name_plural = _("care groups")


class RegisterQuerySet(models.QuerySet):
    """Buildings, houses and households: the register's rule (``access.register_q``)."""

    def visible_to(self, user):
        if access_for(user).everything:
            return self.all()
        return self.filter(register_q(user))


class Placed(TimeStampedModel):
    """Where a record is: its community or village, its grid, and the community's path
    (copied so that scoping needs no join)."""

    region = models.ForeignKey(
        Region, verbose_name=_("community or village"), on_delete=models.PROTECT, related_name="+"
    )
    grid = models.ForeignKey(
        Grid,
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    region_path = models.CharField(_("region path"), max_length=255, db_index=True)

    class Meta:
        abstract = True

    def place_from(self, other: Placed) -> None:
        self.region_id, self.grid_id, self.region_path = (
            other.region_id,
            other.grid_id,
            other.region_path,
        )


class Building(Placed):
    name = models.CharField(_("name or number"), max_length=100)
    address = models.CharField(_("address"), max_length=200)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["region_path", "name", "id"]

    def __str__(self) -> str:
        return self.name


class House(Placed):
    sensitive_fields = {
        "owner_name": masking.NAME,
        "owner_id_number": masking.ID_NUMBER,
        "owner_phone": masking.MOBILE,
    }

    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="houses",
    )
    address = models.CharField(_("address"), max_length=200)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    use = models.CharField(_("use"), max_length=10, choices=HouseUse.choices, default=HouseUse.OWN)
    area = models.DecimalField(
        _("floor area (m²)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    owner_name = models.CharField(_("owner's name"), max_length=100, blank=True)
    owner_id_number = SealedCharField(_("owner's ID number"), plain_max_length=18, blank=True)
    owner_id_number_digest = DigestField(source="owner_id_number")
    owner_phone = SealedCharField(_("owner's phone"), plain_max_length=20, blank=True)
    owner_phone_digest = DigestField(source="owner_phone")

    objects = RegisterQuerySet.as_manager()

    class Meta:
        verbose_name = _("house")
        verbose_name_plural = _("houses")
        ordering = ["region_path", "address", "id"]
        indexes = [models.Index(fields=["grid", "use"], name="people_house_grid_use")]

    def __str__(self) -> str:
        # The address only: a house is named by where it is, never by its owner.
        return self.address


class Household(Placed):
    house = models.ForeignKey(
        House, verbose_name=_("house"), on_delete=models.PROTECT, related_name="households"
    )
    number = models.CharField(_("household number"), max_length=30, blank=True)
    kind = models.CharField(
        _("registration"),
        max_length=10,
        choices=Registration.choices,
        default=Registration.REGISTERED,
    )
    head = models.ForeignKey(
        "Resident",
        verbose_name=_("head of household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RegisterQuerySet.as_manager()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["region_path", "number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["house", "number"],
                condition=~Q(number=""),
                name="people_household_number_in_house",
            )
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"


class ResidentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The residents in the user's register, and those whose care the user's work needs
        (a justice office sees its township's people under community correction). Which
        groups a resident is in is read only through ``with_care``."""
        access = access_for(user)
        if access.everything:
            return self.all()
        condition = register_q(user)
        if access.functions:
            # Only units with a care function see people outside their register; the others
            # keep a plain filter that the grid and place indexes serve.
            in_care = CareMembership.objects.filter(care_scope_q(user)).values("resident_id")
            condition |= Q(pk__in=in_care)
        return self.filter(condition)

    def current(self):
        return self.filter(moved_out__isnull=True)

    def with_care(self, user, *, on: dt.date | None = None):
        """Each resident's current memberships that ``user`` may see, as ``visible_care``
        (never the others: a grid worker is not told who is under community correction)."""
        memberships = (
            CareMembership.objects.visible_to(user)
            .current(on)
            .select_related("group", "level")
            .order_by("group__order", "group__code")
        )
        return self.prefetch_related(
            Prefetch("care_memberships", queryset=memberships, to_attr="visible_care")
        )

    def in_group(self, user, group, *, on: dt.date | None = None):
        """The residents ``user`` may see as current members of ``group``: empty for a group
        the user may not see."""
        members = (
            CareMembership.objects.visible_to(user)
            .current(on)
            .filter(group=group)
            .values("resident_id")
        )
        return self.filter(pk__in=members)


class Resident(Placed):
    sensitive_fields = {
        "name": masking.NAME,
        "id_number": masking.ID_NUMBER,
        "phone": masking.MOBILE,
    }

    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    id_number = SealedCharField(_("ID number"), plain_max_length=18)
    id_number_digest = DigestField(source="id_number")
    phone = SealedCharField(_("phone"), plain_max_length=20, blank=True)
    phone_digest = DigestField(source="phone")
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"))
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="residents"
    )
    relation = models.CharField(
        _("relation to the head"), max_length=12, choices=Relation.choices, default=Relation.OTHER
    )
    kind = models.CharField(
        _("registration"),
        max_length=10,
        choices=Registration.choices,
        default=Registration.REGISTERED,
    )
    moved_in = models.DateField(_("moved in"))
    moved_out = models.DateField(_("moved out"), null=True, blank=True)
    left_reason = models.CharField(
        _("why they left"), max_length=10, choices=LeftReason.choices, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ResidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["household_id", "id"]
        indexes = [
            # A grid's (and a community's) current residents, the lists and counts' question.
            models.Index(fields=["grid", "moved_out", "kind"], name="people_resident_grid"),
            models.Index(fields=["region_path", "moved_out"], name="people_resident_place"),
            # Anyone ever registered with a number (the unique constraint covers current ones).
            models.Index(fields=["id_number_digest"], name="people_resident_id_number"),
            models.Index(fields=["birth_date"], name="people_resident_birth"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_digest"],
                condition=Q(moved_out__isnull=True),
                name="people_one_current_resident_per_id",
            )
        ]

    def __str__(self) -> str:
        return masking.masked_value(self, "name")

    @property
    def is_current(self) -> bool:
        return self.moved_out is None

    def age_on(self, day: dt.date) -> int:
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class OfficeQuerySet(models.QuerySet):
    def visible_to(self, user):
        if access_for(user).everything:
            return self.all()
        return self.filter(register_q(user))

    def current(self, on: dt.date | None = None):
        on = on or timezone.localdate()
        return self.filter(Q(until__isnull=True) | Q(until__gte=on), since__lte=on)


class Office(Placed):
    """A resident's office or standing in their village or community (a representative, a
    committee member, a Party member …) from a day until a day: what the deliberation
    hall's meetings count for their quorum. Placed like the resident."""

    resident = models.ForeignKey(
        Resident, verbose_name=_("resident"), on_delete=models.CASCADE, related_name="offices"
    )
    kind = models.CharField(_("office"), max_length=20, choices=OfficeKind.choices)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=100, blank=True)

    objects = OfficeQuerySet.as_manager()

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        ordering = ["region_path", "kind", "id"]
        indexes = [models.Index(fields=["region", "kind", "until"], name="people_office_village")]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "kind"],
                condition=Q(until__isnull=True),
                name="people_one_current_office",
            )
        ]

    def __str__(self) -> str:
        return f"{self.resident} · {self.get_kind_display()}"


class StayQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A stay is seen with its resident."""
        return self.filter(resident__in=Resident.objects.visible_to(user).values("pk"))


class Stay(TimeStampedModel):
    """A migrant renting (or lodging in) a house, from a day until a day: every stay ends."""

    resident = models.ForeignKey(
        Resident, verbose_name=_("resident"), on_delete=models.CASCADE, related_name="stays"
    )
    house = models.ForeignKey(
        House, verbose_name=_("house"), on_delete=models.PROTECT, related_name="stays"
    )
    since = models.DateField(_("from"))
    until = models.DateField(_("until"))
    landlord_note = models.CharField(_("landlord and lease"), max_length=200, blank=True)

    objects = StayQuerySet.as_manager()

    class Meta:
        verbose_name = _("stay")
        verbose_name_plural = _("stays")
        ordering = ["-since", "-id"]
        indexes = [models.Index(fields=["house", "until"], name="people_stay_house")]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__gt=models.F("since")), name="people_stay_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.since} – {self.until}"


class CareMembershipQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The memberships ``user`` may see: ``access.care_scope_q``, nothing else."""
        return self.filter(care_scope_q(user))

    def for_figures(self, user):
        """For counts by group and grid only, never for rows or names: the memberships a
        user may see, and for leaders and administrators every membership in the places
        they serve (they see how many, not who)."""
        scope = scope_for(user)
        condition = care_scope_q(user)
        if scope.roles & {Role.LEADER, Role.ADMINISTRATOR}:
            condition |= (
                ANYTHING if scope.everything else paths_q("region_path", scope.region_paths)
            )
        return self.filter(condition)

    def current(self, on: dt.date | None = None):
        on = on or timezone.localdate()
        return self.filter(since__lte=on).filter(Q(until__isnull=True) | Q(until__gt=on))


class CareMembership(TimeStampedModel):
    resident = models.ForeignKey(
        Resident,
        verbose_name=_("resident"),
        on_delete=models.CASCADE,
        related_name="care_memberships",
    )
    group = models.ForeignKey(
        CareGroup, verbose_name=_("group"), on_delete=models.PROTECT, related_name="memberships"
    )
    level = models.ForeignKey(
        CareLevel, verbose_name=_("care level"), on_delete=models.PROTECT, related_name="+"
    )
    since = models.DateField(_("since"))
    until = models.DateField(
        _("until"), null=True, blank=True, help_text=_("The day it ended; empty while it lasts.")
    )
    note = models.TextField(_("note"), blank=True)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible grid worker"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cared_for",
    )
    # The resident's place, copied so that the group rule filters the rows directly.
    grid = models.ForeignKey(
        Grid,
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    region_path = models.CharField(_("region path"), max_length=255, db_index=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enrolled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CareMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("care group membership")
        verbose_name_plural = _("care group memberships")
        ordering = ["since", "id"]
        indexes = [
            models.Index(fields=["group", "grid", "until"], name="people_care_group_grid"),
            models.Index(fields=["grid", "until"], name="people_care_grid"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "group"],
                condition=Q(until__isnull=True),
                name="people_one_open_membership_per_group",
            )
        ]

    def __str__(self) -> str:
        return f"{self.group} · {self.since}"


# --- visits (走访) ------------------------------------------------------------------------


class VisitQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A visit is seen by whoever may see its membership (the group's rule); the group,
        grid and path are copied onto the visit so the rule filters its own columns."""
        return self.filter(care_scope_q(user))


class Visit(TimeStampedModel):
    """One planned visit to a member of a care group, and, once made, what was found.

    The planner keeps one due visit per current membership, due a level's interval after
    the last visit (or the enrolment). A visit far from the house is flagged, not refused:
    the worker may have met the person elsewhere, and says so in the note."""

    membership = models.ForeignKey(
        CareMembership, verbose_name=_("care"), on_delete=models.CASCADE, related_name="visits"
    )
    resident = models.ForeignKey(
        Resident, verbose_name=_("resident"), on_delete=models.CASCADE, related_name="visits"
    )
    group = models.ForeignKey(
        CareGroup, verbose_name=_("group"), on_delete=models.PROTECT, related_name="+"
    )
    grid = models.ForeignKey(
        Grid,
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    region_path = models.CharField(_("region path"), max_length=255)
    state = models.CharField(
        _("state"), max_length=10, choices=VisitState.choices, default=VisitState.DUE
    )
    due_on = models.DateField(_("due on"))
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible grid worker"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # What was found, once made.
    visited_at = models.DateTimeField(_("visited at"), null=True, blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    findings = models.TextField(_("what was found"), blank=True)
    needs = models.TextField(_("needs"), blank=True)
    photo = models.CharField(_("photo"), max_length=200, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    distance_m = models.PositiveIntegerField(_("metres from the house"), null=True, blank=True)
    far = models.BooleanField(_("far from the house"), default=False)
    case_number = models.CharField(_("case raised"), max_length=30, blank=True)
    dispute_number = models.CharField(_("dispute raised"), max_length=30, blank=True)
    # Lateness: the community is told on the first day late, the township once a visit is
    # late by the escalation limit; each is stamped so that it happens once.
    late_noticed_at = models.DateTimeField(_("late notice sent"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated to the township"), null=True, blank=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["due_on", "id"]
        indexes = [
            # The worker's list of visits due, and the scans for late ones.
            models.Index(
                fields=["worker", "due_on"], condition=Q(state="due"), name="people_visit_due"
            ),
            models.Index(
                fields=["grid", "due_on"], condition=Q(state="due"), name="people_visit_due_grid"
            ),
            models.Index(fields=["region_path", "due_on"], name="people_visit_path"),
            # A community's late-visit list filters on a region_path prefix (LIKE '/63/…%'):
            # pattern ops let PostgreSQL use the index whatever the collation (SQLite ignores
            # them and gets a plain index).
            models.Index(
                fields=["region_path"],
                name="people_visit_region",
                opclasses=["varchar_pattern_ops"],
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["membership"], condition=Q(state="due"), name="people_one_due_visit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resident_id} · {self.due_on}"


# --- daily check-in (平安打卡) -------------------------------------------------------------


class CheckInPlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(register_q(user))


class CheckInPlan(TimeStampedModel):
    """An elderly person who checks in each day (or a family member on their behalf), by
    one button on a page reached with a secret link: no password to remember."""

    resident = models.ForeignKey(
        Resident, verbose_name=_("resident"), on_delete=models.CASCADE, related_name="checkin_plans"
    )
    token = models.CharField(_("link key"), max_length=43, unique=True)
    family_name = models.CharField(_("family member"), max_length=50, blank=True)
    family_phone = SealedCharField(_("family member's phone"), plain_max_length=20, blank=True)
    family_phone_digest = DigestField(source="family_phone")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible grid worker"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    grid = models.ForeignKey(
        Grid,
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    region_path = models.CharField(_("region path"), max_length=255, db_index=True)

    objects = CheckInPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("daily check-in")
        verbose_name_plural = _("daily check-ins")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident"],
                condition=Q(ended_on__isnull=True),
                name="people_one_open_checkin_plan",
            )
        ]

    def __str__(self) -> str:
        return f"{self.resident_id} · {self.started_on}"


class CheckIn(models.Model):
    """One day's check-in: the first tap counts, a second the same day changes nothing."""

    plan = models.ForeignKey(
        CheckInPlan, verbose_name=_("check-in"), on_delete=models.CASCADE, related_name="checkins"
    )
    day = models.DateField(_("day"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    by_family = models.BooleanField(_("by a family member"), default=False)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "day"], name="people_one_checkin_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} · {self.day}"


class CheckInAlert(models.Model):
    """A missed day told to someone: unique per plan, day and level, so that however many
    watchers scan, each is sent once."""

    plan = models.ForeignKey(
        CheckInPlan, verbose_name=_("check-in"), on_delete=models.CASCADE, related_name="alerts"
    )
    day = models.DateField(_("day missed"))
    level = models.CharField(_("told"), max_length=10, choices=AlertLevel.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("missed check-in alert")
        verbose_name_plural = _("missed check-in alerts")
        ordering = ["-day", "level"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "day", "level"], name="people_one_alert_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} · {self.day} · {self.level}"
