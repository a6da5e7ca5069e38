"""Organisations (部门/单位) in a tree and people with memberships and roles."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import DigestField, SealedCharField
from gongzhi.core.models import TimeStampedModel
from gongzhi.regions.models import Region

from . import masking
from .querysets import MembershipQuerySet, OrganisationQuerySet, UserManager
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
    LEGAL_AID_CENTRE = "legal_aid_centre", _("Legal aid centre")
    NOTARY_OFFICE = "notary_office", _("Notary office")


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    GRID_WORKER = "grid_worker", _("Grid worker")
    HOTLINE_OPERATOR = "hotline_operator", _("Hotline operator")
    DISPATCHER = "dispatcher", _("Dispatcher")
    HANDLER = "handler", _("Department handler")
    MEDIATOR = "mediator", _("Mediator")
    LAWYER = "lawyer", _("Lawyer")
    LEADER = "leader", _("Leader")
    # 三员分立 (等保 2.0): the administrator is the system administrator (configuration and
    # reference data); accounts, roles and two-factor resets are the security
    # administrator's; the audit log is the audit administrator's (see ``duties``).
    ADMINISTRATOR = "administrator", _("Administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


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
    function = models.CharField(
        _("function"),
        max_length=20,
        blank=True,
        db_index=True,
        help_text=_(
            "What a department does, the same code at every level (e.g. CGJ for urban "
            "management), so that routing can find the county's unit for a city's category."
        ),
    )
    phone = models.CharField(_("duty phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    def clean(self):
        super().clean()
        if "/" in (self.code or ""):
            raise ValidationError({"code": _("A code cannot contain “/”.")})
        if self.parent_id and self.pk:
            if self.parent_id == self.pk or (self.path and self.parent.path.startswith(self.path)):
                raise ValidationError(
                    {"parent": _("An organisation cannot sit below itself or its own units.")}
                )

    def save(self, *args, **kwargs):
        old_path = self.path
        self.path = (self.parent.path if self.parent_id else "/") + f"{self.code}/"
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            # Moved or renamed: the units below follow.
            for child in Organisation.objects.filter(parent=self):
                child.save()


class User(AbstractUser):
    """A person who signs in. Personal fields are masked wherever they are shown.

    ``str(user)`` is the user name, never the real name, so that admin titles, breadcrumbs
    and audit entries do not show personal data; use ``masked_name`` for display.
    """

    display_name = models.CharField(_("name"), max_length=50, blank=True)
    mobile = SealedCharField(
        _("mobile number"),
        plain_max_length=11,
        blank=True,
        validators=[validate_mobile],
    )
    mobile_digest = DigestField(source="mobile", db_index=True)
    id_number = SealedCharField(
        _("resident ID number"),
        plain_max_length=18,
        blank=True,
        validators=[validate_id_number],
    )
    id_number_digest = DigestField(source="id_number", db_index=True)
    # Bumped whenever what decides the user's second sign-in step changes (roles, an
    # exemption, a device): a session let in without one is asked again at once.
    access_stamp = models.PositiveIntegerField(_("access stamp"), default=0, editable=False)
    organisations = models.ManyToManyField(
        Organisation,
        through="Membership",
        through_fields=("user", "organisation"),
        related_name="members",
        verbose_name=_("organisations"),
        blank=True,
    )

    objects = UserManager()

    sensitive_fields = {
        "display_name": masking.NAME,
        "mobile": masking.MOBILE,
        "id_number": masking.ID_NUMBER,
    }

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.username

    def clean(self):
        super().clean()
        self.normalise_personal_data()

    def save(self, *args, **kwargs):
        self.normalise_personal_data()
        super().save(*args, **kwargs)

    def normalise_personal_data(self) -> None:
        self.display_name = (self.display_name or "").strip()
        self.mobile = (self.mobile or "").strip()
        self.id_number = (self.id_number or "").strip().upper()

    def get_full_name(self) -> str:
        return self.display_name or super().get_full_name()

    def get_short_name(self) -> str:
        return self.display_name or super().get_short_name()

    @property
    def masked_name(self) -> str:
        return masking.mask_name(self.display_name) or self.username

    @property
    def masked_mobile(self) -> str:
        return masking.mask_mobile(self.mobile)

    @property
    def masked_id_number(self) -> str:
        return masking.mask_id_number(self.id_number)

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

    objects = MembershipQuerySet.as_manager()

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


class ApiToken(models.Model):
    """A bearer token for an app or integration, acting as one user with exactly that
    user's scope. Only a hash is stored: the token itself is shown once, when issued."""

    name = models.CharField(_("name"), max_length=100)
    user = models.ForeignKey(
        User, verbose_name=_("acts as"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    key_hash = models.CharField(_("hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class TwoFactorExemption(models.Model):
    """A user who signs in without a second step although their role asks for one (see
    ``accounts.otp``). The demo marks its logins so (they share a published password and
    must never exist outside a demo); anyone else is exempted by the security administrator,
    with a reason, and every exemption made in the admin is in the audit log."""

    user = models.OneToOneField(
        User,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="two_factor_exemption",
    )
    reason = models.CharField(_("reason"), max_length=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("two-factor exemption")
        verbose_name_plural = _("two-factor exemptions")

    def __str__(self) -> str:
        return str(self.user)
