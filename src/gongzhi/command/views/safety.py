"""Public-safety figures' pages: the figures by township and month with their trend beside
the platform's own reports, the police workbook's upload and its template."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core.errors import ServiceError

from .. import safety

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _month(text: str | None, default: dt.date) -> dt.date:
    """A month from the page (2026-11, or a day): its first day; ``default`` when empty."""
    if not text:
        return default
    try:
        return safety.parse_month(text)
    except (ValueError, OverflowError) as error:
        raise safety.SafetyError(
            "invalid", _("“%(value)s” is not a month: write it as 2026-11.") % {"value": text}
        ) from error


def _last_day(month: dt.date) -> dt.date:
    return safety.add_months(month, 1) - dt.timedelta(days=1)


@login_required
@require_GET
def figures(request):
    if not safety.may_view(request.user):
        raise PermissionDenied
    start, end = safety.default_period()
    error, data = None, None
    choice = {"region": request.GET.get("region", ""), "start": "", "end": ""}
    try:
        region = safety.region_for(viewer=request.user, code=choice["region"])
        start = _month(request.GET.get("start"), start.replace(day=1))
        end = _last_day(_month(request.GET.get("end"), end.replace(day=1)))
        data = safety.figures_for(viewer=request.user, region=region, start=start, end=end)
    except ServiceError as problem:
        error = problem
    choice["start"], choice["end"] = f"{start:%Y-%m}", f"{end:%Y-%m}"
    chart = None
    if data:
        chart = {
            "months": data["months"],
            "criminal": [t["criminal"] for t in data["totals"]],
            "public_order": [t["public_order"] for t in data["totals"]],
            "platform": [t["platform_reported"] for t in data["totals"]]
            if data["platform_available"]
            else None,
            "names": {
                "criminal": _("Criminal cases"),
                "public_order": _("Public-order cases"),
                "platform": _("Platform reports"),
            },
        }
    return render(
        request,
        "command/safety/figures.html",
        {
            "data": data,
            "error": error,
            "choice": choice,
            "regions": safety.regions_to_choose(request.user),
            "chart": chart,
            "may_import": safety.may_import(request.user),
        },
        status=400 if error else 200,
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel workbook (.xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an Excel workbook (.xlsx), as the template."))
        if upload.size > safety.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB: split it."))
        return upload


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request):
    """Upload the police's workbook: any bad row and nothing is imported, every bad row
    listed; otherwise every row is, replacing the months it names."""
    if not safety.may_import(request.user):
        raise PermissionDenied
    refused, status = None, 200
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = safety.do_import(
                    content=upload.read(), actor=request.user, source_name=upload.name
                )
            except safety.ImportRefused as error:
                refused = error
            except ServiceError as error:
                form.add_error("file", error.message)
            else:
                message = _("%(n)d rows imported (%(replaced)d replaced): %(months)s.") % {
                    "n": result.rows,
                    "replaced": result.replaced,
                    "months": "、".join(result.months),
                }
                messages.success(request, message)
                return redirect("command:safety")
    return render(
        request,
        "command/safety/import.html",
        {"form": form, "refused": refused},
        status=status,
    )


@login_required
@require_GET
def template(request):
    if not safety.may_import(request.user):
        raise PermissionDenied
    response = HttpResponse(safety.template_workbook(), content_type=XLSX)
    name = _("Public-safety figures template")
    response["Content-Disposition"] = content_disposition_header(True, f"{name}.xlsx")
    add_never_cache_headers(response)
    return response


urlpatterns = [
    path("safety/", figures, name="safety"),
    path("safety/import/", import_page, name="safety_import"),
    path("safety/template.xlsx", template, name="safety_template"),
]
