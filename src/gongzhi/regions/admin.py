from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Grid, GridAssignment, Region, Street

GEOMETRY_FIELDS = ("min_lng", "min_lat", "max_lng", "max_lat", "area_km2")


class ScopedAdmin(admin.ModelAdmin):
    """Staff see and edit only their own subtree (the same rule as every other page)."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(Region)
class RegionAdmin(ScopedAdmin):
    list_display = ("code", "name", "level", "parent", "area_km2", "is_synthetic")
    list_filter = ("level", "is_synthetic")
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)
    readonly_fields = ("path", *GEOMETRY_FIELDS)
    ordering = ("path",)
    list_per_page = 100
    fieldsets = (
        (None, {"fields": ("code", "name", "level", "parent", "path")}),
        (
            _("Boundary"),
            {
                "classes": ("collapse",),
                "fields": ("boundary", ("centre_lng", "centre_lat"), *GEOMETRY_FIELDS),
            },
        ),
        (_("Provenance"), {"fields": ("is_synthetic", "source")}),
    )


class GridAssignmentInline(admin.TabularInline):
    model = GridAssignment
    extra = 0
    autocomplete_fields = ("user",)
    fields = ("user", "duty", "since")


@admin.register(Grid)
class GridAdmin(ScopedAdmin):
    list_display = (
        "code",
        "name",
        "community",
        "households",
        "population",
        "is_active",
        "is_synthetic",
    )
    list_filter = ("is_active", "is_synthetic")
    search_fields = ("code", "name", "community__name", "community__code")
    list_select_related = ("community",)
    autocomplete_fields = ("community",)
    readonly_fields = ("region_path", *GEOMETRY_FIELDS)
    inlines = (GridAssignmentInline,)
    list_per_page = 100
    fieldsets = (
        (None, {"fields": ("code", "name", "community", "region_path", "is_active")}),
        (_("Households"), {"fields": ("households", "population")}),
        (
            _("Boundary"),
            {
                "classes": ("collapse",),
                "fields": ("boundary", ("centre_lng", "centre_lat"), *GEOMETRY_FIELDS),
            },
        ),
        (_("Provenance"), {"fields": ("is_synthetic", "source")}),
    )


@admin.register(GridAssignment)
class GridAssignmentAdmin(ScopedAdmin):
    list_display = ("grid", "user", "duty", "since")
    list_filter = ("duty",)
    search_fields = ("grid__code", "grid__name", "user__username", "user__display_name")
    list_select_related = ("grid", "user")
    autocomplete_fields = ("grid", "user")


@admin.register(Street)
class StreetAdmin(ScopedAdmin):
    """The street gazetteer, one street at a time (``gongzhi import_streets FILE`` for many)."""

    list_display = ("name", "aliases", "region", "number_from", "number_to", "enabled")
    list_filter = ("enabled", "is_synthetic")
    search_fields = ("name", "aliases", "region__name", "region__code")
    list_select_related = ("region",)
    autocomplete_fields = ("region",)
    list_per_page = 100
    fieldsets = (
        (None, {"fields": ("name", "aliases", "region", "enabled")}),
        (_("Where it runs"), {"fields": ("geometry", ("number_from", "number_to"))}),
        (_("Provenance"), {"fields": ("is_synthetic", "source")}),
    )
