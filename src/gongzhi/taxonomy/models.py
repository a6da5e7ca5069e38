"""Reference data an administrator edits: the category taxonomy and SLA policies."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Organisation
from gongzhi.core import workdays
from gongzhi.core.models import TimeStampedModel

PATH_NAME_SEPARATOR = " / "


class TimeUnit(models.TextChoices):
    MINUTES = workdays.MINUTES, _("minutes")
    HOURS = workdays.HOURS, _("hours")
    WORKDAYS = workdays.WORKDAYS, _("working days")
    WORKHOURS = workdays.WORKHOURS, _("working hours")


class SlaPolicy(TimeStampedModel):
    """How long a unit has to sign for a case, and to resolve it.

    Minutes and hours run round the clock; working days follow the Chinese statutory
    calendar and end at the close of the last working day (see ``gongzhi.core.workdays``).
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    sign_for_value = models.PositiveIntegerField(_("time to sign for"))
    sign_for_unit = models.CharField(
        _("unit"), max_length=10, choices=TimeUnit.choices, default=TimeUnit.HOURS
    )
    resolve_value = models.PositiveIntegerField(_("time to resolve"))
    resolve_unit = models.CharField(
        _("unit"), max_length=10, choices=TimeUnit.choices, default=TimeUnit.WORKDAYS
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    def sign_for_deadline(self, start):
        """When a case reported at ``start`` must be signed for (aware datetime)."""
        return workdays.deadline(start, self.sign_for_value, self.sign_for_unit)

    def resolve_deadline(self, start):
        """When a case reported at ``start`` must be resolved (aware datetime)."""
        return workdays.deadline(start, self.resolve_value, self.resolve_unit)


class ClockStage(models.TextChoices):
    """The command centre's own steps, before a unit has the case."""

    ACCEPT = "accept", _("acceptance")
    DISPATCH = "dispatch", _("dispatch")


class ClockUrgency(models.TextChoices):
    ANY = "", _("any")
    URGENT = "urgent", _("urgent")
    NORMAL = "normal", _("not urgent")


# The channels a case comes by, as (code, name): the cases app registers its own when it
# starts (``register_channels``; this app sits below it and cannot import them).
CHANNELS: dict[str, object] = {}


def register_channels(choices) -> None:
    CHANNELS.update(dict(choices))


def channel_choices() -> list[tuple[str, object]]:
    """A time limit's channel: any, or one of the known channels."""
    return [("", _("any channel")), *CHANNELS.items()]


class StageClock(TimeStampedModel):
    """How long the command centre has to accept a report (from when it is reported) and to
    dispatch it (from when it is accepted), by channel and urgency.

    The most specific enabled row wins: a row naming the channel before one for any
    channel, then a row naming the urgency before one for any. A case no row fits runs
    no clock for that step.
    """

    stage = models.CharField(_("step"), max_length=10, choices=ClockStage.choices)
    channel = models.CharField(
        _("channel"),
        max_length=20,
        blank=True,
        default="",
        choices=channel_choices,
        help_text=_("The channel the time limit is for; “any channel” where none fits better."),
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=ClockUrgency.choices, blank=True, default=""
    )
    value = models.PositiveIntegerField(_("time allowed"))
    unit = models.CharField(
        _("unit"), max_length=10, choices=TimeUnit.choices, default=TimeUnit.WORKHOURS
    )
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("acceptance and dispatch time limit")
        verbose_name_plural = _("acceptance and dispatch time limits")
        ordering = ["stage", "channel", "urgency"]
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "channel", "urgency"], name="unique_stage_clock"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} · {self.get_channel_display()} · " + (
            f"{self.get_urgency_display()}: {self.value} {self.get_unit_display()}"
        )

    def fits(self, *, stage: str, channel: str, is_urgent: bool) -> bool:
        urgency = ClockUrgency.URGENT if is_urgent else ClockUrgency.NORMAL
        return (
            self.enabled
            and self.stage == stage
            and self.channel in ("", channel)
            and self.urgency in ("", urgency)
        )

    def specificity(self) -> tuple[int, int]:
        return (bool(self.channel), bool(self.urgency))

    def deadline(self, start):
        return workdays.deadline(start, self.value, self.unit)

    @staticmethod
    def choose(clocks, *, stage: str, channel: str, is_urgent: bool) -> "StageClock | None":
        """The row that sets this step's deadline for a case of this channel and urgency."""
        fitting = [c for c in clocks if c.fits(stage=stage, channel=channel, is_urgent=is_urgent)]
        return max(fitting, key=StageClock.specificity, default=None)


class Category(TimeStampedModel):
    """One node of the three-level category taxonomy (一级/二级/三级分类)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.PositiveSmallIntegerField(_("level"), editable=False, default=1)
    path = models.CharField(_("path"), max_length=255, db_index=True, editable=False)
    full_name = models.CharField(
        _("full name"),
        max_length=255,
        editable=False,
        blank=True,
        help_text=_("The names from the first level down, e.g. “城乡建设 / 安全生产 / 安全隐患”."),
    )
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("owning organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_categories",
        help_text=_(
            "The unit that handles this kind of case unless a routing rule says otherwise."
        ),
    )
    sla = models.ForeignKey(
        SlaPolicy,
        verbose_name=_("SLA policy"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="categories",
        help_text=_("Empty: inherit from the parent category."),
    )
    keywords = models.CharField(
        _("keywords"),
        max_length=300,
        blank=True,
        help_text=_("Extra words that help people find this category."),
    )
    color = models.CharField(_("colour"), max_length=7, default="#2563eb")
    enabled = models.BooleanField(_("enabled"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_public = models.BooleanField(
        _("cases listed publicly"),
        default=True,
        help_text=_(
            "Off: cases of this category and of every category below it never appear in "
            "public feeds such as Open311 (tip-offs, disputes, people in need of care)."
        ),
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unique_category_name"),
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(parent__isnull=True),
                name="unique_root_category_name",
            ),
        ]

    @staticmethod
    def unlisted_paths() -> list[str]:
        """Paths of the categories kept out of public feeds; every category below one of
        them is kept out too."""
        return list(Category.objects.filter(is_public=False).values_list("path", flat=True))

    def is_listed_publicly(self) -> bool:
        """Off when this category or any above it is kept out of public feeds."""
        return not any(self.path.startswith(p) for p in Category.unlisted_paths())

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if "/" in (self.code or ""):
            raise ValidationError({"code": _("A code cannot contain “/”.")})
        if self.parent_id and self.pk:
            if self.parent_id == self.pk or (self.path and self.parent.path.startswith(self.path)):
                raise ValidationError(
                    {"parent": _("A category cannot sit below itself or its own children.")}
                )

    def save(self, *args, **kwargs):
        old = (self.path, self.full_name)
        parent = self.parent
        self.level = parent.level + 1 if parent else 1
        self.path = (parent.path if parent else "/") + f"{self.code}/"
        self.full_name = (parent.full_name + PATH_NAME_SEPARATOR if parent else "") + self.name
        super().save(*args, **kwargs)
        if old[0] and old != (self.path, self.full_name):
            for child in Category.objects.filter(parent=self):
                child.save()

    def ancestors(self) -> list["Category"]:
        """From the first level down to the parent."""
        chain = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain[::-1]

    def effective_sla(self) -> SlaPolicy | None:
        """This category's SLA policy, or the nearest ancestor's when it has none."""
        node = self
        while node is not None:
            if node.sla_id:
                return node.sla
            node = node.parent
        return None

    def effective_owner(self) -> Organisation | None:
        """This category's owning unit, or the nearest ancestor's when it has none."""
        node = self
        while node is not None:
            if node.owner_id:
                return node.owner
            node = node.parent
        return None


class AttributeDatatype(models.TextChoices):
    """The datatypes of Open311 GeoReport v2 service attributes."""

    STRING = "string", _("Short text")
    NUMBER = "number", _("Number")
    DATETIME = "datetime", _("Date and time")
    TEXT = "text", _("Long text")
    SINGLE = "singlevaluelist", _("One choice from a list")
    MULTI = "multivaluelist", _("Several choices from a list")


LIST_DATATYPES = frozenset({AttributeDatatype.SINGLE, AttributeDatatype.MULTI})


class CategoryAttribute(TimeStampedModel):
    """An extra question asked when reporting a case of one category (Open311: an attribute
    of the service definition). Answers are kept by ``code`` in ``Case.attributes``."""

    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        related_name="attributes",
    )
    code = models.SlugField(_("code"), max_length=40)
    description = models.CharField(
        _("question"), max_length=200, help_text=_("What the reporter is asked.")
    )
    datatype = models.CharField(
        _("answer type"),
        max_length=20,
        choices=AttributeDatatype.choices,
        default=AttributeDatatype.STRING,
    )
    datatype_description = models.CharField(
        _("answer hint"),
        max_length=200,
        blank=True,
        help_text=_("How to answer, e.g. the unit of a number."),
    )
    required = models.BooleanField(_("required"), default=False)
    variable = models.BooleanField(
        _("asks for an answer"),
        default=True,
        help_text=_("Off: the text is only shown to the reporter and nothing is asked."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        verbose_name = _("extra question")
        verbose_name_plural = _("extra questions")
        ordering = ["category", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "code"], name="unique_category_attribute_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category.name}: {self.description}"


class CategoryAttributeValue(models.Model):
    """One allowed answer of a list question."""

    attribute = models.ForeignKey(
        CategoryAttribute,
        verbose_name=_("extra question"),
        on_delete=models.CASCADE,
        related_name="values",
    )
    key = models.SlugField(_("key"), max_length=40)
    name = models.CharField(_("label"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        verbose_name = _("allowed answer")
        verbose_name_plural = _("allowed answers")
        ordering = ["attribute", "order", "key"]
        constraints = [
            models.UniqueConstraint(fields=["attribute", "key"], name="unique_attribute_value_key")
        ]

    def __str__(self) -> str:
        return self.name
