"""The resident's "my village and groups" form, and the points list's filters."""

from __future__ import annotations

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from gongzhi.regions.models import Region, RegionLevel

from ..choices import PointLevel, Service
from ..models import AudienceGroup


class _GroupedPlaces(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups: dict[str, list] = {}
        for region in self.queryset:
            township = region.parent
            county = township.parent if township else None
            key = " · ".join(x.name for x in (county, township) if x)
            groups.setdefault(key, []).append((region.pk, region.name))
        yield from groups.items()

    def __len__(self):
        return self.queryset.count() + (1 if self.field.empty_label is not None else 0)


class PlaceChoice(forms.ModelChoiceField):
    """Villages and communities grouped under their county and township (a native picker
    on a phone)."""

    iterator = _GroupedPlaces

    def __init__(self, **kwargs):
        super().__init__(
            queryset=Region.objects.filter(level=RegionLevel.COMMUNITY)
            .select_related("parent", "parent__parent")
            .order_by("path"),
            **kwargs,
        )


class ProfileForm(forms.Form):
    region = PlaceChoice(label=_("My village or community"), empty_label=_("Choose…"))
    groups = forms.ModelMultipleChoiceField(
        label=_("I am one of"),
        queryset=AudienceGroup.objects.filter(enabled=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Optional: the articles and notices written for these groups are sent to you."),
    )


class PointFilter(forms.Form):
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("All levels")), *PointLevel.choices]
    )
    service = forms.ChoiceField(
        label=_("Service"), required=False, choices=[("", _("All services")), *Service.choices]
    )
    q = forms.CharField(label=_("Name or address"), required=False, max_length=50)

    def apply(self, qs):
        if not self.is_valid():
            return qs
        d = self.cleaned_data
        if d["level"]:
            qs = qs.filter(level=d["level"])
        if d["q"]:
            from django.db.models import Q

            qs = qs.filter(Q(name__icontains=d["q"]) | Q(address__icontains=d["q"]))
        if d["service"]:
            # JSON list membership, portable across SQLite and PostgreSQL.
            ids = [p.pk for p in qs.only("pk", "services") if d["service"] in (p.services or [])]
            qs = qs.filter(pk__in=ids)
        return qs
