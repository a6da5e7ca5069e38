"""What the register's pages read from a request: the lists' filters and the forms a grid
worker fills on the phone.

The forms only parse: whether an ID number is valid, a number already registered or a place
in the user's area is for ``services`` to say, so a page, the import and the API refuse the
same things with the same words (shown beside the field they name).
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from gongzhi.accounts import masking

from . import services
from .choices import HouseUse, LeftReason, Registration, Relation
from .idnumbers import valid_id_number
from .queries import CURRENT, EVERYONE, MOVED_OUT, Filters

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEL = forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"})


def _blank(label):
    return [("", label)]


class RegisterFilterForm(forms.Form):
    """The filters of the houses, households and residents lists (each list shows those it
    uses)."""

    q = forms.CharField(
        label=gettext_lazy("Address or household number"), max_length=100, required=False
    )
    grid = forms.TypedChoiceField(label=gettext_lazy("Grid"), coerce=int, required=False)
    community = forms.TypedChoiceField(
        label=gettext_lazy("Community or village"), coerce=int, required=False
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Registration"),
        choices=_blank(gettext_lazy("Registered and migrant")) + Registration.choices,
        required=False,
    )
    group = forms.ChoiceField(label=gettext_lazy("Care group"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Living here"),
        choices=[
            (CURRENT, gettext_lazy("Living here now")),
            (MOVED_OUT, gettext_lazy("Moved out")),
            (EVERYONE, gettext_lazy("Everyone on record")),
        ],
        required=False,
    )

    def __init__(self, data=None, *, grids, communities, groups=()):
        super().__init__(data or None)
        self.groups = {g.code: g for g in groups}
        self.fields["grid"].choices = _blank(_("All grids")) + [(g.pk, g.name) for g in grids]
        self.fields["community"].choices = _blank(_("All communities")) + [
            (r.pk, r.name) for r in communities
        ]
        self.fields["group"].choices = _blank(_("Anyone")) + [
            (g.code, g.name) for g in self.groups.values()
        ]
        self.show_communities = len(communities) > 1

    def filters(self) -> Filters:
        """The filters as parsed; a value that does not parse is left out, not refused."""
        if not self.is_bound:
            return Filters()
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return Filters(
            grid_id=data.get("grid") or None,
            community_id=data.get("community") or None,
            kind=data.get("kind") or "",
            group=self.groups.get(data.get("group") or ""),
            status=data.get("status") or CURRENT,
            q=" ".join((data.get("q") or "").split()),
        )


# -- the register's records ----------------------------------------------------------------------


class BuildingSelect(forms.Select):
    """A choice of buildings, each option marked with its grid (``data-grid``) so that the
    page offers only the buildings of the grid chosen."""

    grid_of: dict[int, int | None] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        grid = self.grid_of.get(int(value)) if str(value).isdigit() else None
        if grid:
            option["attrs"]["data-grid"] = grid
        return option


class BuildingForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name or number"), max_length=100, required=False)
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False)
    grid = forms.TypedChoiceField(label=gettext_lazy("Grid"), coerce=int, required=False)
    floors = forms.IntegerField(
        label=gettext_lazy("Floors"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].choices = [(g.pk, g.name) for g in grids]

    def building_in(self) -> services.BuildingIn:
        d = self.cleaned_data
        return services.BuildingIn(
            name=d.get("name") or "",
            address=d.get("address") or "",
            grid_id=d.get("grid") or None,
            floors=d.get("floors"),
            lng=d.get("lng"),
            lat=d.get("lat"),
        )


class HouseForm(forms.Form):
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False)
    building = forms.TypedChoiceField(
        label=gettext_lazy("Building"), coerce=int, required=False, widget=BuildingSelect
    )
    grid = forms.TypedChoiceField(label=gettext_lazy("Grid"), coerce=int, required=False)
    use = forms.ChoiceField(
        label=gettext_lazy("Use"), choices=HouseUse.choices, initial=HouseUse.OWN
    )
    area = forms.CharField(
        label=gettext_lazy("Floor area (m²)"),
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    owner_name = forms.CharField(label=gettext_lazy("Owner's name"), max_length=100, required=False)
    owner_id_number = forms.CharField(
        label=gettext_lazy("Owner's ID number"), max_length=22, required=False
    )
    owner_phone = forms.CharField(
        label=gettext_lazy("Owner's phone"), max_length=20, required=False, widget=TEL
    )
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)

    OWNER = ("owner_name", "owner_id_number", "owner_phone")

    def __init__(self, *args, grids, buildings=(), editing=None, **kwargs):
        """``editing``: the house corrected. Its owner's data is never shown unmasked: the
        fields are left empty and keep their value unless typed again. ``buildings``: those
        the house may be put in; a house in a building is in the building's grid, so the
        grid may then be left empty."""
        super().__init__(*args, **kwargs)
        self.editing = editing
        grid_choices = [(g.pk, g.name) for g in grids]
        if buildings:
            grid_choices = _blank(_("The building's grid")) + grid_choices
        self.fields["grid"].choices = grid_choices
        building = self.fields["building"]
        building.choices = _blank(_("None: a house on its own")) + [
            (b.pk, f"{b.name} · {b.address}") for b in buildings
        ]
        building.widget.grid_of = {b.pk: b.grid_id for b in buildings}
        if not buildings:
            del self.fields["building"]
        if editing is not None:
            for name in self.OWNER:
                self.fields[name].widget.attrs["placeholder"] = _("unchanged: %(masked)s") % {
                    "masked": masking.masked_value(editing, name) or "—"
                }

    def house_in(self) -> services.HouseIn:
        d, old = self.cleaned_data, self.editing
        kept = {name: d.get(name) or (getattr(old, name) if old else "") for name in self.OWNER}
        return services.HouseIn(
            address=d.get("address") or "",
            # No building on the form (none to choose from) keeps the house's own.
            building_id=d.get("building")
            if "building" in self.fields
            else (old.building_id if old else None),
            grid_id=d.get("grid") or None,
            use=d.get("use") or HouseUse.OWN,
            area=d.get("area") or None,
            lng=d.get("lng"),
            lat=d.get("lat"),
            **kept,
        )


class HouseholdForm(forms.Form):
    house = forms.IntegerField(required=False, widget=forms.HiddenInput)
    number = forms.CharField(label=gettext_lazy("Household number"), max_length=30, required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("Registration"),
        choices=Registration.choices,
        initial=Registration.REGISTERED,
    )

    def household_in(self) -> services.HouseholdIn:
        d = self.cleaned_data
        return services.HouseholdIn(
            house_id=d.get("house"), number=d.get("number") or "", kind=d.get("kind") or ""
        )


class ResidentForm(forms.Form):
    """A new resident, or changes to one. When changing, the masked fields (name, ID
    number, phone) are left empty and keep their value unless typed again: the form never
    shows them unmasked."""

    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50, required=False)
    id_number = forms.CharField(
        label=gettext_lazy("ID number"),
        max_length=22,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-id-number": ""}),
    )
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, required=False, widget=TEL)
    relation = forms.ChoiceField(
        label=gettext_lazy("Relation to the head"), choices=Relation.choices
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Registration"),
        choices=Registration.choices,
        initial=Registration.REGISTERED,
    )
    moved_in = forms.DateField(label=gettext_lazy("Moved in"), required=False, widget=DATE)
    stay_until = forms.DateField(label=gettext_lazy("Stay ends on"), required=False, widget=DATE)
    landlord_note = forms.CharField(
        label=gettext_lazy("Landlord and lease"), max_length=200, required=False
    )

    def __init__(self, *args, household=None, editing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.household, self.editing = household, editing
        if editing is not None:
            for name in ("name", "id_number", "phone"):
                self.fields[name].widget.attrs["placeholder"] = _("unchanged: %(masked)s") % {
                    "masked": masking.masked_value(editing, name) or "—"
                }

    def derived(self):
        """The date of birth and sex read from the ID number as typed (shown beside it)."""
        number = self.data.get(self.add_prefix("id_number")) if self.is_bound else ""
        return valid_id_number(number) if number else None

    def resident_in(self) -> services.ResidentIn:
        d, old = self.cleaned_data, self.editing
        stay = None
        if d.get("stay_until") or d.get("relation") == Relation.TENANT:
            stay = services.StayIn(
                until=d.get("stay_until"), landlord_note=d.get("landlord_note") or ""
            )
        return services.ResidentIn(
            name=d.get("name") or (old.name if old else ""),
            id_number=d.get("id_number") or (old.id_number if old else ""),
            phone=d.get("phone") or (old.phone if old else ""),
            household_id=self.household.pk if self.household else None,
            relation=d.get("relation") or Relation.OTHER,
            kind=d.get("kind") or Registration.REGISTERED,
            moved_in=d.get("moved_in"),
            # A change keeps the tenant's stays; a new one is added on its own form.
            stay=None if old else stay,
        )


def resident_as_is(resident, **changes) -> services.ResidentIn:
    """A resident's data unchanged (to add a stay through ``do_update_resident``)."""
    return services.ResidentIn(
        name=resident.name,
        id_number=resident.id_number,
        phone=resident.phone,
        household_id=resident.household_id,
        relation=resident.relation,
        kind=resident.kind,
        moved_in=resident.moved_in,
        **changes,
    )


class MoveOutForm(forms.Form):
    moved_out = forms.DateField(label=gettext_lazy("Left on"), required=False, widget=DATE)
    left_reason = forms.ChoiceField(
        label=gettext_lazy("Why they left"), choices=LeftReason.choices, initial=LeftReason.MOVED
    )


class StayForm(forms.Form):
    since = forms.DateField(label=gettext_lazy("From"), required=False, widget=DATE)
    until = forms.DateField(label=gettext_lazy("Until"), required=False, widget=DATE)
    landlord_note = forms.CharField(
        label=gettext_lazy("Landlord and lease"), max_length=200, required=False
    )

    def stay_in(self) -> services.StayIn:
        d = self.cleaned_data
        return services.StayIn(
            since=d.get("since"), until=d.get("until"), landlord_note=d.get("landlord_note") or ""
        )


class EnrolForm(forms.Form):
    group = forms.ChoiceField(label=gettext_lazy("Care group"))
    level = forms.ChoiceField(label=gettext_lazy("Care level"), required=False)
    since = forms.DateField(label=gettext_lazy("Since"), required=False, widget=DATE)
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, groups, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = {g.code: g for g in groups}
        self.levels = {lv.code: lv for lv in levels}
        self.fields["group"].choices = [(g.code, g.name) for g in groups]
        self.fields["level"].choices = _blank(_("The group's usual level")) + [
            (lv.code, f"{lv.name}") for lv in levels
        ]


class EndCareForm(forms.Form):
    until = forms.DateField(label=gettext_lazy("Ended on"), required=False, widget=DATE)
    note = forms.CharField(label=gettext_lazy("Why"), max_length=500, required=False)
