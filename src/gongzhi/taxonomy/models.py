"""Reference data an administrator edits: the category taxonomy and SLA policies."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Organisation
from gongzhi.core.models import TimeStampedModel


class TimeUnit(models.TextChoices):
    HOURS = "hours", _("hours")
    WORKDAYS = "workdays", _("working days")


class SlaPolicy(TimeStampedModel):
    """How long a unit has to sign for a case, and to resolve it."""

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

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unique_category_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        parent = self.parent
        self.level = parent.level + 1 if parent else 1
        self.path = (parent.path if parent else "/") + f"{self.code}/"
        super().save(*args, **kwargs)
