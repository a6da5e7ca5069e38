"""The points room's models in the admin: rules and the shelf are edited there; the ledger
(accounts, entries, redemptions) is read-only, changed only through the services."""

from django.contrib import admin

from ..models import Goods, PointAccount, PointEntry, PointRule, Redemption, Shop


@admin.register(PointRule)
class PointRuleAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "points", "per_hour", "source", "region", "enabled")
    list_filter = ("enabled", "per_hour")
    search_fields = ("code", "name")


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PointAccount)
class PointAccountAdmin(ReadOnly):
    list_display = ("household", "region", "balance", "earned", "spent")
    search_fields = ("region_path",)


@admin.register(PointEntry)
class PointEntryAdmin(ReadOnly):
    list_display = ("created_at", "account", "points", "balance_after", "reason", "source")
    search_fields = ("reason", "source")


@admin.register(Redemption)
class RedemptionAdmin(ReadOnly):
    list_display = ("created_at", "household", "goods", "quantity", "points", "by")


class GoodsInline(admin.TabularInline):
    model = Goods
    extra = 0


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "enabled")
    inlines = [GoodsInline]
