from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Category, SlaPolicy


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "sign_for_value",
        "sign_for_unit",
        "resolve_value",
        "resolve_unit",
        "enabled",
        "order",
    )
    list_editable = ("enabled", "order")
    list_filter = ("enabled", "sign_for_unit", "resolve_unit")
    search_fields = ("code", "name")
    ordering = ("order", "code")


class ChildInline(admin.TabularInline):
    model = Category
    fk_name = "parent"
    fields = ("code", "name", "sla", "enabled", "order")
    extra = 0
    show_change_link = True
    verbose_name = _("sub-category")
    verbose_name_plural = _("sub-categories")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = (
        "tree_name",
        "code",
        "level",
        "parent",
        "owner",
        "sla",
        "effective_sla_display",
        "enabled",
        "order",
        "colour_swatch",
    )
    list_filter = ("level", "enabled", "sla", ("owner", admin.RelatedOnlyFieldListFilter))
    search_fields = ("code", "name", "full_name", "keywords")
    autocomplete_fields = ("parent", "owner")
    list_select_related = ("parent", "owner", "sla", "parent__sla", "parent__parent__sla")
    readonly_fields = ("level", "path", "full_name")
    ordering = ("path",)
    list_per_page = 100
    inlines = (ChildInline,)
    fieldsets = (
        (None, {"fields": ("code", "name", "parent", "level", "full_name", "path")}),
        (_("Handling"), {"fields": ("owner", "sla", "keywords")}),
        (_("Display"), {"fields": ("color", "enabled", "order")}),
    )

    @admin.display(description=_("name"), ordering="path")
    def tree_name(self, obj):
        return format_html(
            '<span style="padding-left:{}em">{}</span>', (obj.level - 1) * 1.5, obj.name
        )

    @admin.display(description=_("effective SLA"))
    def effective_sla_display(self, obj):
        return obj.effective_sla() or "—"

    @admin.display(description=_("colour"))
    def colour_swatch(self, obj):
        return format_html(
            '<span style="display:inline-block;width:1em;height:1em;background:{};'
            'border-radius:2px" title="{}"></span>',
            obj.color,
            obj.color,
        )
