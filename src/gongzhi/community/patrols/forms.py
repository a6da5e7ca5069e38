"""The patrols room's forms: they parse; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core import media


class RouteForm(forms.Form):
    name = forms.CharField(label=_("Route name"), max_length=100)
    region = forms.TypedChoiceField(label=_("Community or village"), coerce=int)
    team = forms.TypedChoiceField(
        label=_("Volunteer team"), coerce=int, required=False, empty_value=None
    )
    in_order = forms.BooleanField(
        label=_("Checkpoints must be scanned in order"), required=False, initial=True
    )
    radius_m = forms.IntegerField(
        label=_("Allowed distance (m)"), initial=100, min_value=5, max_value=5000
    )

    def __init__(self, *args, regions=(), teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.pk, r.name) for r in regions]
        self.fields["team"].choices = [("", "—"), *((t.pk, t.name) for t in teams)]


class CheckpointForm(forms.Form):
    name = forms.CharField(label=_("Checkpoint name"), max_length=100)
    lng = forms.FloatField(label=_("Longitude"), widget=forms.HiddenInput)
    lat = forms.FloatField(label=_("Latitude"), widget=forms.HiddenInput)


class ScanForm(forms.Form):
    code = forms.CharField(label=_("Checkpoint code"), max_length=600)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    accuracy = forms.FloatField(required=False, widget=forms.HiddenInput)


class ProblemForm(forms.Form):
    description = forms.CharField(
        label=_("What did you see?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    category = forms.TypedChoiceField(label=_("Kind of problem"), coerce=int)
    key = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(c.pk, c.full_name) for c in categories]

    @staticmethod
    def photos(files):
        return files.getlist("photos")[: media.MAX_PHOTOS + 1]
