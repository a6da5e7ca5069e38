"""The notices pages' forms: they only parse; the services check and write."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.people.models import CareGroup, Household
from gongzhi.regions.models import Region

from ..choices import AnswerKind
from ..models import Estate
from . import services

WHEN = {"type": "datetime-local"}
WHEN_FORMAT = "%Y-%m-%dT%H:%M"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


def _within(paths, field="path"):
    q = Q()
    for p in paths:
        q |= Q(**{f"{field}__startswith": p})
    return q


class NoticeForm(forms.Form):
    region = forms.ModelChoiceField(label=_("Sent by (area)"), queryset=Region.objects.none())
    title = forms.CharField(label=_("Title"), max_length=120)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}))
    regions = forms.ModelMultipleChoiceField(
        label=_("To regions"), queryset=Region.objects.none(), required=False
    )
    estates = forms.ModelMultipleChoiceField(
        label=_("To estates"), queryset=Estate.objects.none(), required=False
    )
    groups = forms.ModelMultipleChoiceField(
        label=_("To care groups"),
        queryset=CareGroup.objects.filter(enabled=True),
        required=False,
    )
    household_numbers = forms.CharField(
        label=_("To households (household numbers, one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    publish_at = forms.DateTimeField(
        label=_("Publish at (empty: when sent)"),
        required=False,
        widget=forms.DateTimeInput(attrs=WHEN, format=WHEN_FORMAT),
    )
    expires_at = forms.DateTimeField(
        label=_("Expires at"),
        required=False,
        widget=forms.DateTimeInput(attrs=WHEN, format=WHEN_FORMAT),
    )
    by_sms = forms.BooleanField(label=_("Also by SMS"), required=False)
    answer_kind = forms.ChoiceField(
        label=_("Answer asked"), choices=AnswerKind.choices, initial=AnswerKind.NONE
    )
    answer_choices = forms.CharField(
        label=_("Choices (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    answer_min = forms.DecimalField(label=_("Lowest number"), required=False)
    answer_max = forms.DecimalField(label=_("Highest number"), required=False)
    files = forms.FileField(
        label=_("Photos and attachments"),
        required=False,
        widget=MultipleFileInput(attrs={"multiple": True}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        everything, paths = services.staff_paths(user)
        regions = Region.objects.all() if everything else Region.objects.filter(_within(paths))
        self.fields["region"].queryset = regions.order_by("path")
        self.fields["regions"].queryset = regions.order_by("path")
        estates = Estate.objects.filter(enabled=True)
        if not everything:
            estates = estates.filter(_within(paths, "region_path"))
        self.fields["estates"].queryset = estates.order_by("name")

    def households(self) -> list:
        numbers = [
            n.strip() for n in self.cleaned_data.get("household_numbers", "").split() if n.strip()
        ]
        region = self.cleaned_data.get("region")
        if not numbers or region is None:
            return []
        found = list(
            Household.objects.filter(number__in=numbers, region_path__startswith=region.path)
        )
        if len({h.number for h in found}) != len(set(numbers)):
            self.add_error("household_numbers", _("Some household numbers were not found."))
        return found

    def answer_choices_list(self) -> list:
        data = self.cleaned_data
        if data["answer_kind"] == AnswerKind.NUMBER:
            return [data.get("answer_min"), data.get("answer_max")]
        return [
            line.strip() for line in data.get("answer_choices", "").splitlines() if line.strip()
        ]
