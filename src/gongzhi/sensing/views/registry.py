"""The registry's pages: the lists of cameras and devices with their filters, a camera's
and a device's page, the add and edit forms, the Excel download and the Excel import.

Every page reads through ``queries`` (the models' ``visible_to``) and writes through
``services``; a ``ServiceError`` is shown beside the field it names. A camera's stream
address is shown, edited and exported by administrators only.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core import audit
from gongzhi.core.errors import ServiceError

from .. import exports, imports, queries, samples, services
from ..choices import EventState
from ..forms import CameraForm, DeviceForm, FilterForm

STATUS_LABELS = dict(queries.Status.choices)


def _reader(request) -> None:
    if not queries.sees_sensing(request.user):
        raise PermissionDenied


def _kind(kind: str) -> None:
    if kind not in ("camera", "device"):
        raise Http404


def _annotate(rows) -> None:
    for r in rows:
        r.status = queries.status_of(r)
        r.status_label = STATUS_LABELS[r.status]
        r.status_colour = queries.Status.colour_of(r.status)


# -- lists -------------------------------------------------------------------------------------


def _list(request, kind: str):
    _reader(request)
    form = FilterForm(request.GET, user=request.user, kind=kind)
    rows = (queries.cameras if kind == "camera" else queries.devices)(request.user, form.filters())
    page = Paginator(rows, queries.PER_PAGE).get_page(request.GET.get("page"))
    _annotate(page.object_list)
    return render(
        request,
        f"sensing/{kind}s.html",
        {"form": form, "page": page, "tab": f"{kind}s", "kind": kind},
    )


@login_required
@require_GET
def cameras(request):
    return _list(request, "camera")


@login_required
@require_GET
def devices(request):
    return _list(request, "device")


# -- a record's page ---------------------------------------------------------------------------


@login_required
@require_GET
def camera(request, pk):
    _reader(request)
    found = queries.camera_for(request.user, pk)
    if found is None:
        raise Http404
    _annotate([found])
    events = list(queries.events(request.user).filter(camera=found)[: queries.RECENT])
    counts = {
        row["rule_code"]: row
        for row in found.events.values("rule_code")
        .annotate(total=Count("pk"), confirmed=Count("pk", filter=Q(state=EventState.CONFIRMED)))
        .order_by()
    }
    rules = list(found.rules.all())
    for rule in rules:
        rule.counts = counts.get(rule.code, {"total": 0, "confirmed": 0})
    return render(
        request,
        "sensing/camera.html",
        {
            "camera": found,
            "events": events,
            "rules": rules,
            "shows_stream": queries.shows_streams(request.user),
            "credit": samples.credit(found),
            "tab": "cameras",
        },
    )


@login_required
@require_GET
def device(request, pk):
    _reader(request)
    found = queries.device_for(request.user, pk)
    if found is None:
        raise Http404
    _annotate([found])
    series = queries.readings(found)
    chart = {
        "name": found.type.quantity,
        "unit": found.type.unit,
        "limit": found.limit,
        "points": [[timezone.localtime(at).isoformat(), value] for at, value in series],
    }
    return render(
        request,
        "sensing/device.html",
        {
            "device": found,
            "alarms": list(queries.alarms(request.user).filter(device=found)[: queries.RECENT]),
            "chart": chart,
            "tab": "devices",
        },
    )


# -- add and edit ------------------------------------------------------------------------------


def _form_page(request, *, kind: str, record=None):
    _reader(request)
    shows_stream = queries.shows_streams(request.user)
    Form = CameraForm if kind == "camera" else DeviceForm
    extra = {"shows_stream": shows_stream} if kind == "camera" else {}
    if request.method == "POST":
        form = Form(request.POST, user=request.user, **extra)
        if form.is_valid():
            data = (
                form.to_input(keep_stream=record.stream_url if record else "")
                if kind == "camera"
                else form.to_input()
            )
            try:
                saved = _save(kind, record, data, request.user)
            except ServiceError as error:
                form.show(error)
            else:
                messages.success(request, _("Saved."))
                return redirect(f"sensing:{kind}", saved.pk)
        status = 400
    else:
        initial = Form.initial_of(record) if record else {"enabled": True}
        form = Form(user=request.user, initial=initial, **extra)
        status = 200
    return render(
        request,
        "sensing/form.html",
        {"form": form, "kind": kind, "editing": record, "tab": f"{kind}s"},
        status=status,
    )


def _save(kind, record, data, user):
    if kind == "camera":
        if record is None:
            return services.do_add_camera(data=data, actor=user)
        return services.do_update_camera(camera=record, data=data, actor=user)
    if record is None:
        return services.do_add_device(data=data, actor=user)
    return services.do_update_device(device=record, data=data, actor=user)


@login_required
@require_http_methods(["GET", "POST"])
def camera_new(request):
    return _form_page(request, kind="camera")


@login_required
@require_http_methods(["GET", "POST"])
def camera_edit(request, pk):
    _reader(request)
    found = queries.camera_for(request.user, pk)
    if found is None:
        raise Http404
    return _form_page(request, kind="camera", record=found)


@login_required
@require_http_methods(["GET", "POST"])
def device_new(request):
    return _form_page(request, kind="device")


@login_required
@require_http_methods(["GET", "POST"])
def device_edit(request, pk):
    _reader(request)
    found = queries.device_for(request.user, pk)
    if found is None:
        raise Http404
    return _form_page(request, kind="device", record=found)


# -- Excel -------------------------------------------------------------------------------------


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, name)
    add_never_cache_headers(response)
    return response


def _export(request, kind: str):
    _reader(request)
    form = FilterForm(request.GET, user=request.user, kind=kind)
    rows = (queries.cameras if kind == "camera" else queries.devices)(request.user, form.filters())
    count = rows.count()
    if count > queries.MAX_EXPORT_ROWS:
        messages.error(
            request,
            _("%(count)d match: narrow the filters to at most %(max)d to export them.")
            % {"count": count, "max": queries.MAX_EXPORT_ROWS},
        )
        return redirect(f"{reverse(f'sensing:{kind}s')}?{request.GET.urlencode()}")
    streams = kind == "camera" and queries.shows_streams(request.user)
    content = (
        exports.cameras_workbook(rows.iterator(chunk_size=2000), streams=streams)
        if kind == "camera"
        else exports.devices_workbook(rows.iterator(chunk_size=2000))
    )
    audit.record(
        actor=request.user,
        action="export",
        fields=["stream_url"] if streams else [],
        reason=f"sensing {kind}s ({count}): {request.GET.urlencode()}"[:200],
        request=request,
    )
    name = _("Cameras") if kind == "camera" else _("Devices")
    return _xlsx(content, f"{name}-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
@require_GET
def cameras_export(request):
    return _export(request, "camera")


@login_required
@require_GET
def devices_export(request):
    return _export(request, "device")


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel workbook (.xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an Excel workbook (.xlsx), as the template."))
        if upload.size > imports.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB: split it."))
        return upload


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request, kind: str):
    """Upload a workbook: every row is checked; any problem and nothing is written, the
    problems listed by row and column; otherwise every row is registered at once."""
    _reader(request)
    _kind(kind)
    result, status = None, 200
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                result = imports.do_import(
                    kind=kind, content=form.cleaned_data["file"].read(), actor=request.user
                )
            except imports.ImportRefused as refused:
                result = refused
            except ServiceError as error:
                form.add_error("file", error.message)
            else:
                status = 200
                messages.success(
                    request,
                    _("%(n)d rows imported.") % {"n": result.count},
                )
                return redirect(f"sensing:{kind}s")
    return render(
        request,
        "sensing/import.html",
        {"form": form, "kind": kind, "refused": result, "tab": f"{kind}s"},
        status=status,
    )


@login_required
@require_GET
def import_template(request, kind: str):
    _reader(request)
    _kind(kind)
    name = _("Cameras template") if kind == "camera" else _("Devices template")
    return _xlsx(imports.template_workbook(kind), f"{name}.xlsx")


urlpatterns = [
    path("cameras/", cameras, name="cameras"),
    path("cameras/new/", camera_new, name="camera_new"),
    path("cameras/export.xlsx", cameras_export, name="cameras_export"),
    path("cameras/<int:pk>/", camera, name="camera"),
    path("cameras/<int:pk>/edit/", camera_edit, name="camera_edit"),
    path("devices/", devices, name="devices"),
    path("devices/new/", device_new, name="device_new"),
    path("devices/export.xlsx", devices_export, name="devices_export"),
    path("devices/<int:pk>/", device, name="device"),
    path("devices/<int:pk>/edit/", device_edit, name="device_edit"),
    path("import/<str:kind>/", import_page, name="import"),
    path("import/<str:kind>/template.xlsx", import_template, name="import_template"),
]
