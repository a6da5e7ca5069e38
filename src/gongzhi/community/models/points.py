"""Points (积分制): rules as rows, a household's account whose balance never goes below
zero, every entry explained (and a reversal an entry of its own), a village's points shop
(积分超市) with goods and the redemptions at its counter."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Reference, TimeStampedModel

from ._base import InPlace, InPlaceQuerySet


class HouseholdQuerySet(InPlaceQuerySet):
    """A household's points are its own business: staff see their area's (as every community
    record), a resident only their own household's, never the neighbours'."""

    household_field = "household_id"

    def visible_to(self, user):
        from gongzhi.core.scope import scope_for
        from gongzhi.people.members import staff_paths, villager

        scope = scope_for(user)
        if scope.everything:
            return self.all()
        q = Q()
        for path in staff_paths(scope):
            q |= Q(region_path__startswith=path)
        me = villager(user)
        if me is not None:
            q |= Q(**{self.household_field: me.household_id})
        return self.filter(q) if q else self.none()


class AccountQuerySet(HouseholdQuerySet):
    household_field = "household_id"


class EntryQuerySet(HouseholdQuerySet):
    household_field = "account__household_id"


__all__ = ["Goods", "PointAccount", "PointEntry", "PointRule", "Redemption", "Shop"]


class PointRule(Reference):
    """What earns points (or, negative, costs them): per occurrence, or per hour where the
    source counts hours (volunteering). ``source`` names the event that awards it
    automatically; empty: awarded by staff by hand."""

    points = models.IntegerField(_("points"))
    per_hour = models.BooleanField(_("per hour"), default=False)
    source = models.CharField(_("awarded on"), max_length=40, blank=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("only in"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta(Reference.Meta):
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")


class PointAccount(InPlace, TimeStampedModel):
    household = models.OneToOneField(
        "people.Household",
        verbose_name=_("household"),
        on_delete=models.CASCADE,
        related_name="points_account",
    )
    balance = models.IntegerField(_("balance"), default=0)
    earned = models.IntegerField(_("earned"), default=0)
    spent = models.IntegerField(_("spent"), default=0)

    objects = AccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="community_balance_positive")
        ]

    def __str__(self) -> str:
        return f"{self.household_id}: {self.balance}"


class PointEntry(InPlace, TimeStampedModel):
    account = models.ForeignKey(
        PointAccount, verbose_name=_("account"), on_delete=models.CASCADE, related_name="entries"
    )
    rule = models.ForeignKey(
        PointRule,
        verbose_name=_("rule"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    points = models.IntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=200)
    # What gave the entry ("signup:12", "repair:34", "redemption:5"): one entry per source.
    source = models.CharField(_("source"), max_length=60, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    balance_after = models.IntegerField(_("balance after"))

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source"], condition=~Q(source=""), name="community_entry_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.points:+d}"


class Shop(InPlace, TimeStampedModel):
    name = models.CharField(_("name"), max_length=100)
    counter = models.CharField(_("counter (where to redeem)"), max_length=200, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)

    objects = InPlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("points shop")
        verbose_name_plural = _("points shops")
        ordering = ["region_path", "name"]

    def __str__(self) -> str:
        return self.name


class Goods(TimeStampedModel):
    shop = models.ForeignKey(
        Shop, verbose_name=_("shop"), on_delete=models.CASCADE, related_name="goods"
    )
    name = models.CharField(_("name"), max_length=100)
    price = models.PositiveIntegerField(_("price in points"))
    stock = models.IntegerField(_("in stock"), default=0)
    enabled = models.BooleanField(_("enabled"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("goods")
        verbose_name_plural = _("goods")
        ordering = ["shop", "order", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="community_stock_positive")
        ]

    def __str__(self) -> str:
        return self.name


class Redemption(InPlace, TimeStampedModel):
    shop = models.ForeignKey(
        Shop, verbose_name=_("shop"), on_delete=models.PROTECT, related_name="redemptions"
    )
    goods = models.ForeignKey(
        Goods, verbose_name=_("goods"), on_delete=models.PROTECT, related_name="redemptions"
    )
    household = models.ForeignKey(
        "people.Household", verbose_name=_("household"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    points = models.PositiveIntegerField(_("points"))
    entry = models.OneToOneField(
        PointEntry, verbose_name=_("entry"), on_delete=models.PROTECT, related_name="redemption"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("at the counter"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The resident's phone code is good for one redemption.
    code_nonce = models.CharField(_("code"), max_length=40, unique=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-created_at", "-id"]
