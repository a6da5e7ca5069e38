"""The command centre in the admin: the assessment weights and penalties
(考核). Weights are edited together on their list (the enabled ones must add up to 100, so
changing one alone would rarely pass); one row's page checks the sum with the others as
stored."""

from django import forms
from django.contrib import admin
from django.forms.models import BaseModelFormSet

from . import assessment
from .models import (
    AssessmentPenalty,
    AssessmentWeight,
    CaseDay,
    CaseMonth,
    DurationDay,
    DurationMonth,
    EarlyWarning,
    EarlyWarningRun,
    GridDay,
    GridMonth,
    MonthlyReport,
    PublicSafetyFigure,
    ReturnDay,
    ReturnMonth,
    RollupClock,
    StaleDay,
    TownDay,
    TownMonth,
)


def _check(rows):
    try:
        assessment.check_weights(rows=rows)
    except assessment.AssessmentError as error:
        raise forms.ValidationError(error.message, code=error.code) from None


class WeightForm(forms.ModelForm):
    class Meta:
        model = AssessmentWeight
        fields = ["code", "name", "weight", "enabled", "order", "colour"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        others = AssessmentWeight.objects.exclude(pk=self.instance.pk).exclude(
            code=data.get("code")
        )
        rows = [(w.code, w.enabled, w.weight) for w in others]
        rows.append((data.get("code"), data.get("enabled"), data.get("weight")))
        _check(rows)
        return data


class WeightFormSet(BaseModelFormSet):
    """The list's edits, checked together with the rows not on the page."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        edited = {f.instance.pk: f.cleaned_data for f in self.forms if f.cleaned_data}
        rows = []
        for w in AssessmentWeight.objects.all():
            data = edited.get(w.pk, {})
            rows.append((w.code, data.get("enabled", w.enabled), data.get("weight", w.weight)))
        _check(rows)


@admin.register(AssessmentWeight)
class AssessmentWeightAdmin(admin.ModelAdmin):
    form = WeightForm
    list_display = ["code", "name", "weight", "enabled", "order", "colour"]
    list_editable = ["weight", "enabled", "order"]
    ordering = ["order", "code"]

    def get_changelist_formset(self, request, **kwargs):
        kwargs["formset"] = WeightFormSet
        return super().get_changelist_formset(request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False  # a rate is switched off (enabled), so the sum stays checked


@admin.register(AssessmentPenalty)
class AssessmentPenaltyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "points", "cap", "enabled", "order", "colour"]
    list_editable = ["points", "cap", "enabled", "order"]
    ordering = ["order", "code"]


# -- what the jobs made: read in the admin, made by the platform -------------------------------


@admin.register(EarlyWarning)
class EarlyWarningAdmin(admin.ModelAdmin):
    list_display = ["day", "township", "category", "count", "expected_low", "expected_high"]
    list_display += ["state"]
    list_filter = ["state"]
    raw_id_fields = ["township", "category", "decided_by", "case"]

    def has_add_permission(self, request):
        return False


@admin.register(EarlyWarningRun)
class EarlyWarningRunAdmin(admin.ModelAdmin):
    list_display = ["day", "started_at", "finished_at"]

    def has_add_permission(self, request):
        return False


@admin.register(MonthlyReport)
class MonthlyReportAdmin(admin.ModelAdmin):
    list_display = ["month", "region", "created_at", "sent_at"]
    list_filter = ["month"]
    raw_id_fields = ["region"]

    def has_add_permission(self, request):
        return False


@admin.register(PublicSafetyFigure)
class PublicSafetyFigureAdmin(admin.ModelAdmin):
    list_display = ["month", "township", "criminal", "public_order", "fraud", "theft"]
    list_display += ["source_name", "imported_at"]
    list_filter = ["month"]
    raw_id_fields = ["township", "imported_by"]


class _Counted(admin.ModelAdmin):
    """The rollups: counted from the records (``rollups``), read here, never edited (a
    wrong row is recounted with ``gongzhi command rollup --rebuild``)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for _model in (TownDay, TownMonth, CaseDay, CaseMonth, GridDay, GridMonth):
    admin.site.register(
        _model, _Counted, list_display=["day", "region_path", "unit", "reported", "closed"]
    )
for _model in (DurationDay, DurationMonth):
    admin.site.register(
        _model, _Counted, list_display=["day", "region_path", "kind", "bucket", "count"]
    )
for _model in (ReturnDay, ReturnMonth):
    admin.site.register(
        _model, _Counted, list_display=["day", "region_path", "unit", "grid", "returned"]
    )
admin.site.register(StaleDay, _Counted, list_display=["day", "region_path", "marked_at"])
admin.site.register(RollupClock, _Counted, list_display=["name", "at"])
