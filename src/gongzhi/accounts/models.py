"""Organisations (部门/单位) in a tree and people with memberships and roles."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStampedModel
from gongzhi.core.scope import ScopedQuerySet
from gongzhi.regions.models import Region

from .validators import validate_id_number, validate_mobile


class OrganisationKind(models.TextChoices):
    GOVERNMENT = "government", _("County or city government")
    COMMAND_CENTRE = "command_centre", _("Governance command centre")
    DEPARTMENT = "department", _("Department")
    TOWNSHIP = "township", _("Township government / subdistrict office")
    COMMUNITY = "community", _("Community / village committee")
    JUSTICE_OFFICE = "justice_office", _("Justice office")
    POLICE_STATION = "police_station", _("Police station")
    PROPERTY_COMPANY = "property_company", _("Property management company")
    LAW_FIRM = "law_firm", _("Law firm / legal service")


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    GRID_WORKER = "grid_worker", _("Grid worker")
    HOTLINE_OPERATOR = "hotline_operator", _("Hotline operator")
    DISPATCHER = "dispatcher", _("Dispatcher")
    HANDLER = "handler", _("Department handler")
    MEDIATOR = "mediator", _("Mediator")
    LAWYER = "lawyer", _("Lawyer")
    LEADER = "leader", _("Leader")
    ADMINISTRATOR = "administrator", _("Administrator")


class Organisation(TimeStampedModel):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=255, db_index=True, editable=False)
    regions = models.ManyToManyField(
        Region,
        verbose_name=_("regions served"),
        related_name="organisations",
        blank=True,
        help_text=_("The regions this unit serves; its staff see everything below them."),
    )
    phone = models.CharField(_("duty phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    scope_organisation_path = "path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent_id else "/") + f"{self.code}/"
        super().save(*args, **kwargs)


class User(AbstractUser):
    """A person who signs in. Personal fields are masked wherever they are shown."""

    display_name = models.CharField(_("name"), max_length=50, blank=True)
    mobile = models.CharField(
        _("mobile number"),
        max_length=11,
        blank=True,
        validators=[validate_mobile],
        db_index=True,
    )
    id_number = models.CharField(
        _("resident ID number"),
        max_length=18,
        blank=True,
        validators=[validate_id_number],
    )
    organisations = models.ManyToManyField(
        Organisation,
        through="Membership",
        through_fields=("user", "organisation"),
        related_name="members",
        verbose_name=_("organisations"),
        blank=True,
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def roles(self) -> set[str]:
        roles = {m.role for m in self.memberships.all()}
        if self.is_superuser:
            roles.add(Role.ADMINISTRATOR)
        return roles or {Role.RESIDENT}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))


class Membership(TimeStampedModel):
    """A user's role in an organisation. A leader's membership marks the unit's head."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    title = models.CharField(_("job title"), max_length=50, blank=True)
    is_head = models.BooleanField(_("head of unit"), default=False)

    scope_organisation_path = "organisation__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="unique_membership_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"
