"""The meetings' forms: calling a meeting (the places the user's committee serves, the
kinds of meeting held there), and the inputs of the meeting page's steps."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.scope import scope_for
from gongzhi.regions.models import Region, RegionLevel

from .. import members
from ..choices import MeetingKind


def places_for(user):
    """The villages and communities whose committee the user is on."""
    scope = scope_for(user)
    places = Region.objects.filter(level=RegionLevel.COMMUNITY).order_by("path")
    if scope.everything:
        return places
    q = None
    for path in members.committee_paths(scope):
        part = Q(path__startswith=path)
        q = part if q is None else q | part
    return places.filter(q) if q is not None else places.none()


class ScheduleForm(forms.Form):
    region = forms.ModelChoiceField(label=_("Village or community"), queryset=Region.objects.none())
    kind = forms.ChoiceField(label=_("Kind of meeting"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("Meeting title"), max_length=100)
    place = forms.CharField(label=_("Meeting place"), max_length=100)
    starts_at = forms.DateTimeField(
        label=_("Starts at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = places_for(user)
        self.fields["region"].error_messages["invalid_choice"] = _(
            "Choose one of the villages or communities your committee serves."
        )
        only = self.fields["region"].queryset[:2]
        if len(only) == 1:
            self.fields["region"].initial = only[0].pk
