"""Sensing in the admin: the camera and device types (reference rows administrators edit),
and the cameras and devices themselves.

A camera or device saved here goes through the same checks as everywhere else
(``services.check_camera`` / ``check_device``: the national code, the place found from the
point, the owner, the actor's right to register it), so the admin cannot write what the
pages would refuse. A camera's video rules are rows of their own (the zone as a list of
``[x, y]`` points, 0 to 1 of the picture), on the cameras the user sees. Status (last heard from, offline since, alarm state, last reading) is
written by heartbeats and readings only: read-only here. Lists are scoped like the pages.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.admin_mixins import ScopedAdminMixin
from gongzhi.core.errors import ServiceError

from . import services
from .models import Camera, CameraType, Device, DeviceType, Rule


@admin.register(CameraType)
class CameraTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "pans", "order", "colour", "enabled")
    list_editable = ("order", "enabled")
    list_filter = ("enabled",)
    search_fields = ("code", "name")


class DeviceTypeForm(forms.ModelForm):
    class Meta:
        model = DeviceType
        fields = (
            "code",
            "name",
            "quantity",
            "unit",
            "comparison",
            "threshold",
            "valid_min",
            "valid_max",
            "heartbeat_seconds",
            "debounce",
            "urgent",
            "category_code",
            "order",
            "colour",
            "enabled",
        )

    def clean_category_code(self):
        from gongzhi.taxonomy.models import Category

        code = self.cleaned_data["category_code"].strip()
        if not Category.objects.filter(code=code).exists():
            raise forms.ValidationError(_("There is no case category with this code."))
        return code

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("valid_min"), cleaned.get("valid_max")
        if low is not None and high is not None and low >= high:
            self.add_error("valid_max", _("The highest reading must be above the lowest."))
        threshold = cleaned.get("threshold")
        if threshold is not None and (
            (low is not None and threshold < low) or (high is not None and threshold > high)
        ):
            self.add_error("threshold", _("The threshold must be a possible reading."))
        return cleaned


@admin.register(DeviceType)
class DeviceTypeAdmin(admin.ModelAdmin):
    form = DeviceTypeForm
    list_display = (
        "name",
        "code",
        "quantity",
        "comparison",
        "threshold",
        "unit",
        "heartbeat_seconds",
        "debounce",
        "urgent",
        "category_code",
        "enabled",
    )
    list_editable = ("enabled",)
    list_filter = ("enabled", "urgent")
    search_fields = ("code", "name")


class ServiceCheckedForm(forms.ModelForm):
    """A model form whose clean() is the service's check, run as the admin's user."""

    actor = None
    input_class = None
    check = None
    # The services' field names that are not the form's own.
    field_map = {"point": "lng"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The service finds the community from the grid or the point.
        if "region" in self.fields:
            self.fields["region"].required = False

    def service_input(self, cleaned):
        names = self.input_class.__dataclass_fields__
        values = {name: cleaned.get(name) for name in names if name in cleaned}
        for name in ("type", "owner", "grid", "region"):
            if f"{name}_id" in names:
                values[f"{name}_id"] = cleaned[name].pk if cleaned.get(name) else None
        return self.input_class(**{name: values.get(name) for name in names})

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        record = self.instance if self.instance.pk else None
        try:
            checked = type(self).check(
                data=self.service_input(cleaned),
                actor=self.actor,
                **{self._meta.model._meta.model_name: record},
            )
        except ServiceError as error:
            for problem in error.all:
                field = self.field_map.get(problem.field, problem.field)
                self.add_error(field if field in self.fields else None, problem.message)
            return cleaned
        for name, value in checked.items():
            if name in self.fields:
                cleaned[name] = value
            else:
                setattr(self.instance, name, value)
        return cleaned


class CameraForm(ServiceCheckedForm):
    input_class = services.CameraIn
    check = services.check_camera

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The analysis settings are the model's own fields (no service input): a form
        # without the rate keeps the default.
        self.fields["analysis_fps"].required = False

    def clean_analysis_fps(self):
        value = self.cleaned_data.get("analysis_fps")
        return Camera._meta.get_field("analysis_fps").default if value is None else value

    class Meta:
        model = Camera
        fields = (
            "code",
            "name",
            "type",
            "owner",
            "lng",
            "lat",
            "grid",
            "region",
            "direction",
            "field_of_view",
            "range_m",
            "social",
            "stream_url",
            "enabled",
            "detect_people",
            "detect_motion",
            "analysis_fps",
        )


class DeviceForm(ServiceCheckedForm):
    input_class = services.DeviceIn
    check = services.check_device

    class Meta:
        model = Device
        fields = (
            "code",
            "name",
            "type",
            "owner",
            "lng",
            "lat",
            "grid",
            "region",
            "address",
            "threshold",
            "enabled",
        )


class PlacedAdmin(ScopedAdminMixin, admin.ModelAdmin):
    autocomplete_fields = ("owner", "grid", "region")
    list_filter = ("enabled", "type")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def get_fields(self, request, obj=None):
        return [*self.form._meta.fields, *self.readonly_fields]


class RuleForm(forms.ModelForm):
    class Meta:
        model = Rule
        fields = (
            "code",
            "name",
            "kind",
            "zone",
            "people",
            "seconds",
            "dedup_seconds",
            "creates_case_directly",
            "category_code",
            "urgent",
            "enabled",
        )

    def clean_zone(self):
        zone = self.cleaned_data.get("zone") or []
        try:
            points = [[float(x), float(y)] for x, y in zone]
        except (TypeError, ValueError):
            points = None
        if points is None or not all(0 <= v <= 1 for p in points for v in p):
            raise forms.ValidationError(
                _("Give the zone as [x, y] points, each from 0 to 1 of the picture.")
            )
        if points and len(points) < 3:
            raise forms.ValidationError(_("A zone needs at least three points."))
        return points

    def clean_category_code(self):
        from gongzhi.taxonomy.models import Category

        code = self.cleaned_data["category_code"].strip()
        if not Category.objects.filter(code=code).exists():
            raise forms.ValidationError(_("There is no case category with this code."))
        return code


@admin.register(Rule)
class RuleAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = RuleForm
    list_display = ("code", "name", "camera", "kind", "dedup_seconds", "enabled")
    list_filter = ("enabled", "kind")
    search_fields = ("code", "name", "camera__code", "camera__name")
    autocomplete_fields = ("camera",)
    list_select_related = ("camera",)

    def get_fields(self, request, obj=None):
        return ["camera", *self.form._meta.fields]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Rules only on the cameras the user sees.
        if db_field.name == "camera":
            kwargs["queryset"] = Camera.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Camera)
class CameraAdmin(PlacedAdmin):
    form = CameraForm
    list_display = (
        "name",
        "code",
        "type",
        "owner",
        "social",
        "enabled",
        "last_seen_at",
        "offline_since",
    )
    list_filter = ("enabled", "social", "type")
    search_fields = ("code", "name")
    readonly_fields = ("region_path", "last_seen_at", "offline_since")


@admin.register(Device)
class DeviceAdmin(PlacedAdmin):
    form = DeviceForm
    list_display = (
        "name",
        "code",
        "type",
        "owner",
        "state",
        "last_value",
        "enabled",
        "last_seen_at",
        "offline_since",
    )
    list_filter = ("enabled", "state", "type")
    search_fields = ("code", "name", "address")
    readonly_fields = (
        "region_path",
        "state",
        "last_value",
        "last_reading_at",
        "last_seen_at",
        "offline_since",
    )
