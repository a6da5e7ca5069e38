"""The volunteers' forms: registering, a new shift, a new team (fields only; the rules
are the services')."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.regions.models import Region, RegionLevel

from ..choices import ShiftKind
from ..models import Team


class RegisterForm(forms.Form):
    region = forms.ModelChoiceField(
        queryset=Region.objects.filter(level=RegionLevel.COMMUNITY).order_by("path"),
        label=_("Community or village"),
        required=False,
    )
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    skills = forms.CharField(
        label=_("Skills (first aid, driving, medicine …)"), max_length=200, required=False
    )


class ShiftForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), label=_("Team"), required=False)
    region = forms.ModelChoiceField(
        queryset=Region.objects.none(), label=_("Community or village"), required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ShiftKind.choices)
    title = forms.CharField(label=_("Title"), max_length=120)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    lng = forms.FloatField(widget=forms.HiddenInput, required=False)
    lat = forms.FloatField(widget=forms.HiddenInput, required=False)
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=500)

    def __init__(self, *args, teams, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["region"].queryset = regions


class TeamForm(forms.Form):
    region = forms.ModelChoiceField(queryset=Region.objects.none(), label=_("Community or village"))
    name = forms.CharField(label=_("Team name"), max_length=100)
    leader = forms.IntegerField(
        label=_("Leader (a volunteer's number)"), required=False, min_value=1
    )

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
