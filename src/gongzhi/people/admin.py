"""People in the admin: the reference rows only (care groups and care levels), which
administrators edit. The register itself (houses, households, residents, memberships) is
personal data, changed through ``services`` on the scoped, masked and audited pages, never
here."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .access import parse_functions
from .models import CareGroup, CareLevel


@admin.register(CareLevel)
class CareLevelAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "visit_days", "order", "colour", "enabled")
    list_editable = ("visit_days", "order", "enabled")
    list_filter = ("enabled",)
    search_fields = ("code", "name")


class CareGroupForm(forms.ModelForm):
    class Meta:
        model = CareGroup
        fields = (
            "code",
            "name",
            "functions",
            "open_to_local",
            "default_level",
            "case_category",
            "description",
            "order",
            "colour",
            "enabled",
        )

    def clean_case_category(self):
        category = self.cleaned_data["case_category"]
        if category is not None and not category.enabled:
            # A disabled category takes no new cases: the need would quietly go elsewhere.
            raise forms.ValidationError(_("Choose an enabled category."))
        return category

    def clean_functions(self):
        codes = sorted(parse_functions(self.cleaned_data["functions"]))
        if any(not (code.isascii() and code.isalnum()) or len(code) > 20 for code in codes):
            raise forms.ValidationError(
                _("Give function codes of letters and digits, separated by commas.")
            )
        return ",".join(codes)


@admin.register(CareGroup)
class CareGroupAdmin(admin.ModelAdmin):
    form = CareGroupForm
    list_display = (
        "name",
        "code",
        "functions",
        "open_to_local",
        "default_level",
        "case_category",
        "order",
        "enabled",
    )
    list_select_related = ("default_level", "case_category")
    list_editable = ("order", "enabled")
    list_filter = ("enabled", "open_to_local")
    search_fields = ("code", "name")
    fields = (
        "code",
        "name",
        "functions",
        "open_to_local",
        "default_level",
        "case_category",
        "description",
        "order",
        "colour",
        "enabled",
    )
    autocomplete_fields = ("case_category",)
