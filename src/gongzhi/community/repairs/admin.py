"""The repairs room's models in the admin: estates (with their buildings and company),
the companies' service promises, the complaint categories, repair requests and scores
(read-only: they come from the case engine and the monthly job)."""

from django.contrib import admin

from ..models import CompanyScore, ComplaintCategory, Estate, RepairRequest, ServicePromise


@admin.register(Estate)
class EstateAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "company", "enabled")
    list_filter = ("enabled",)
    search_fields = ("name", "address", "company__name")
    autocomplete_fields = ("region",)
    filter_horizontal = ("buildings",)
    raw_id_fields = ("company",)


@admin.register(ServicePromise)
class ServicePromiseAdmin(admin.ModelAdmin):
    list_display = (
        "company",
        "category",
        "respond_value",
        "respond_unit",
        "repair_value",
        "repair_unit",
        "enabled",
    )
    list_filter = ("enabled",)
    raw_id_fields = ("company", "category")


@admin.register(ComplaintCategory)
class ComplaintCategoryAdmin(admin.ModelAdmin):
    list_display = ("category", "enabled")
    raw_id_fields = ("category",)


@admin.register(RepairRequest)
class RepairRequestAdmin(admin.ModelAdmin):
    list_display = ("case", "estate", "company", "created_at", "escalated_at")
    readonly_fields = (
        "case",
        "estate",
        "company",
        "household",
        "requested_by",
        "region",
        "escalated_at",
    )
    exclude = ("region_path",)

    def has_add_permission(self, request):
        return False


@admin.register(CompanyScore)
class CompanyScoreAdmin(admin.ModelAdmin):
    list_display = ("company", "month", "score", "rank", "repairs", "complaints")
    list_filter = ("month",)
    readonly_fields = [f.name for f in CompanyScore._meta.fields if f.name != "id"]

    def has_add_permission(self, request):
        return False
