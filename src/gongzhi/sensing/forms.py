"""The sensing pages' forms: the lists' filters and the camera and device forms.

The forms only parse; ``services.check_camera`` / ``check_device`` decide what is valid,
and their errors are shown beside the fields they name (``show``).
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import ServiceError

from . import queries
from .choices import DeviceState
from .services import CameraIn, DeviceIn


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Name or code"), required=False, max_length=64)
    grid = forms.ModelChoiceField(queryset=None, label=_("Grid"), required=False)
    owner = forms.ModelChoiceField(queryset=None, label=_("Owner unit"), required=False)
    type = forms.ModelChoiceField(queryset=None, label=_("Type"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", "—"), *queries.Status.choices]
    )
    state = forms.ChoiceField(
        label=_("Alarm state"), required=False, choices=[("", "—"), *DeviceState.choices]
    )

    def __init__(self, data, *, user, kind: str):
        super().__init__(data)
        self.fields["grid"].queryset = queries.grids_for(user)
        self.fields["owner"].queryset = queries.owners_for(user)
        self.fields["type"].queryset = (
            queries.camera_types() if kind == "camera" else queries.device_types()
        )
        if kind == "camera":
            del self.fields["state"]

    def filters(self) -> queries.Filters:
        if not self.is_valid():
            return queries.Filters()
        d = self.cleaned_data
        return queries.Filters(
            q=d["q"].strip(),
            grid_id=d["grid"].pk if d["grid"] else None,
            owner_id=d["owner"].pk if d["owner"] else None,
            type_id=d["type"].pk if d["type"] else None,
            status=d["status"],
            state=d.get("state") or "",
        )


class _PlacedForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=100)
    type = forms.ModelChoiceField(queryset=None, label=_("Type"))
    owner = forms.ModelChoiceField(queryset=None, label=_("Owner unit"))
    grid = forms.ModelChoiceField(
        queryset=None,
        label=_("Grid"),
        required=False,
        help_text=_("Empty: the grid holding its position."),
    )
    lng = forms.CharField(label=_("Longitude"), required=False, max_length=20)
    lat = forms.CharField(label=_("Latitude"), required=False, max_length=20)
    enabled = forms.BooleanField(label=_("In service"), required=False, initial=True)

    def __init__(self, data=None, *, user, initial=None):
        super().__init__(data, initial=initial)
        self.fields["owner"].queryset = queries.owners_for(user)
        self.fields["grid"].queryset = queries.grids_for(user)
        # The service checks every field and names all problems at once; the form only
        # parses (a missing code and a missing owner are shown together).
        for name in ("code", "name", "type", "owner"):
            self.fields[name].required = False

    def _common(self) -> dict:
        d = self.cleaned_data
        return {
            "code": d.get("code", ""),
            "name": d.get("name", ""),
            "type_id": d["type"].pk if d.get("type") else None,
            "owner_id": d["owner"].pk if d.get("owner") else None,
            "lng": d.get("lng") or None,
            "lat": d.get("lat") or None,
            "grid_id": d["grid"].pk if d.get("grid") else None,
            "enabled": bool(d.get("enabled")),
        }

    def show(self, error: ServiceError) -> None:
        """Each problem the service found, beside its field (the point beside longitude)."""
        aliases = {"point": "lng", "region": "grid"}
        for e in error.all:
            name = aliases.get(e.field, e.field)
            self.add_error(name if name in self.fields else None, e.message)


class CameraForm(_PlacedForm):
    direction = forms.CharField(
        label=_("Direction (°)"),
        required=False,
        max_length=4,
        help_text=_("Clockwise from north; empty for a camera that sees all round."),
    )
    field_of_view = forms.CharField(label=_("Field of view (°)"), required=False, max_length=4)
    range_m = forms.CharField(label=_("Range (m)"), required=False, max_length=5)
    social = forms.BooleanField(label=_("Social (社会面) camera"), required=False)
    stream_url = forms.CharField(label=_("Stream address"), required=False, max_length=500)

    def __init__(self, data=None, *, user, initial=None, shows_stream: bool = False):
        super().__init__(data, user=user, initial=initial)
        self.fields["code"].help_text = _("The 20-digit code of GB/T 28181.")
        self.fields["type"].queryset = queries.camera_types()
        if not shows_stream:
            del self.fields["stream_url"]

    def to_input(self, *, keep_stream: str = "") -> CameraIn:
        d = self.cleaned_data
        return CameraIn(
            **self._common(),
            direction=d.get("direction") or None,
            field_of_view=d.get("field_of_view") or None,
            range_m=d.get("range_m") or None,
            social=bool(d.get("social")),
            # Those not shown the stream keep it as it was.
            stream_url=d.get("stream_url", keep_stream)
            if "stream_url" in self.fields
            else keep_stream,
        )

    @staticmethod
    def initial_of(camera) -> dict:
        return {
            "code": camera.code,
            "name": camera.name,
            "type": camera.type_id,
            "owner": camera.owner_id,
            "grid": camera.grid_id,
            "lng": camera.lng,
            "lat": camera.lat,
            "enabled": camera.enabled,
            "direction": "" if camera.direction is None else camera.direction,
            "field_of_view": camera.field_of_view,
            "range_m": camera.range_m,
            "social": camera.social,
            "stream_url": camera.stream_url,
        }


class DeviceForm(_PlacedForm):
    address = forms.CharField(label=_("Where"), required=False, max_length=200)
    threshold = forms.CharField(
        label=_("Own threshold"),
        required=False,
        max_length=20,
        help_text=_("Empty: the type's."),
    )

    def __init__(self, data=None, *, user, initial=None):
        super().__init__(data, user=user, initial=initial)
        self.fields["code"].help_text = _("The code the device reports under.")
        self.fields["type"].queryset = queries.device_types()

    def to_input(self) -> DeviceIn:
        d = self.cleaned_data
        return DeviceIn(
            **self._common(), address=d.get("address", ""), threshold=d.get("threshold") or None
        )

    @staticmethod
    def initial_of(device) -> dict:
        return {
            "code": device.code,
            "name": device.name,
            "type": device.type_id,
            "owner": device.owner_id,
            "grid": device.grid_id,
            "lng": device.lng,
            "lat": device.lat,
            "enabled": device.enabled,
            "address": device.address,
            "threshold": "" if device.threshold is None else device.threshold,
        }
