from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Category, CategoryAttribute, CategoryAttributeValue, SlaPolicy, StageClock


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


@admin.register(StageClock)
class StageClockAdmin(admin.ModelAdmin):
    list_display = ("stage", "channel", "urgency", "value", "unit", "enabled")
    list_editable = ("value", "unit", "enabled")
    list_filter = ("stage", "channel", "urgency", "enabled")
    ordering = ("stage", "channel", "urgency")


class ChildInline(admin.TabularInline):
    model = Category
    fk_name = "parent"
    fields = ("code", "name", "sla", "enabled", "order")
    extra = 0
    show_change_link = True
    verbose_name = _("sub-category")
    verbose_name_plural = _("sub-categories")


class AttributeInline(admin.TabularInline):
    model = CategoryAttribute
    fields = ("code", "description", "datatype", "required", "variable", "enabled", "order")
    extra = 0
    show_change_link = True  # the allowed answers of a list question are edited there
    verbose_name = _("extra question")
    verbose_name_plural = _("extra questions (Open311 attributes)")


class AttributeValueInline(admin.TabularInline):
    model = CategoryAttributeValue
    fields = ("key", "name", "order")
    extra = 0


@admin.register(CategoryAttribute)
class CategoryAttributeAdmin(admin.ModelAdmin):
    list_display = ("description", "code", "category", "datatype", "required", "enabled", "order")
    list_filter = ("datatype", "required", "enabled")
    search_fields = ("code", "description", "category__name", "category__code")
    autocomplete_fields = ("category",)
    list_select_related = ("category",)
    inlines = (AttributeValueInline,)


@admin.register(CategoryAttributeValue)
class CategoryAttributeValueAdmin(admin.ModelAdmin):
    """Usually edited inline on their question; listed too, to find a label across questions."""

    list_display = ("name", "key", "attribute", "order")
    search_fields = ("key", "name", "attribute__code", "attribute__description")
    autocomplete_fields = ("attribute",)
    list_select_related = ("attribute",)


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
    inlines = (AttributeInline, ChildInline)
    fieldsets = (
        (None, {"fields": ("code", "name", "parent", "level", "full_name", "path")}),
        (_("Handling"), {"fields": ("owner", "sla", "keywords")}),
        (_("Display"), {"fields": ("color", "enabled", "order", "is_public")}),
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
