"""The hall's home (a villager's village, a committee's desk), the township's overview,
each village's public page (no sign-in) and the figures with their Excel download."""

from __future__ import annotations

import mimetypes

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from gongzhi.core import audit
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.core.scope import scope_for

from .. import members
from . import excel, queries
from . import figures as figures_query

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The public page may be kept by a proxy or the phone for this long (seconds).
PUBLIC_MAX_AGE = 300


@login_required
@require_GET
def home(request):
    user = request.user
    village = queries.my_village(user)
    scope = scope_for(user)
    oversees = scope.everything or bool(members.oversight_paths(scope))
    return render(
        request,
        "deliberation/home.html",
        {
            "village": village,
            "hall": queries.village_summary(village) if village is not None else None,
            "desk": queries.desk(user),
            "oversees": oversees,
            "proposes": scope.everything or bool(members.secretary_paths(scope)),
            "reads_figures": scope.everything or bool(members.staff_paths(scope)),
            "links": {
                name: queries.link(name)
                for name in (
                    "topics",
                    "topic_new",
                    "meetings",
                    "meeting_new",
                    "matters",
                    "matter_new",
                    "implementations",
                )
            },  # fmt: skip
        },
    )


@login_required
@require_GET
def overview(request):
    paths = queries.overview_paths(request.user)
    if paths is not None and not paths:
        raise PermissionDenied(_("Only township, county and city staff oversee the villages."))
    region = queries.find_region(paths, request.GET.get("region"))
    data = queries.overview(paths=paths, region=region)
    return render(
        request,
        "deliberation/public/overview.html",
        {"data": data, "crumbs": queries.crumbs(data["region"], paths)},
    )


@require_GET
def village(request, code: str):
    region = queries.public_region(code)
    if region is None:
        raise Http404(_("There is no village or community with this code."))
    response = render(
        request, "deliberation/public/village.html", {"page": queries.public_page(region)}
    )
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, max_age=0)
    else:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    patch_vary_headers(response, ["Accept-Language"])
    return response


@require_GET
def village_photo(request, code: str, number: str, index: int):
    """A photo of a topic the public page shows (no sign-in); stored without metadata."""
    photo = queries.public_topic_photo(code, number, index)
    if not isinstance(photo, dict):
        raise Http404
    name = photo.get("thumb" if request.GET.get("thumb") else "file") or photo.get("file")
    try:
        handle = default_storage.open(name, "rb")
    except (OSError, TypeError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type=mimetypes.guess_type(name)[0] or "image/jpeg")
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response


class FiguresForm(forms.Form):
    region = forms.CharField(label=gettext_lazy("Area"), required=False, max_length=12)
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def _figures(request) -> tuple[FiguresForm, dict | None]:
    try:
        figures_query.viewer_paths(request.user)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from None
    form = FiguresForm(request.GET)
    form.is_valid()
    chosen = getattr(form, "cleaned_data", {})
    try:
        region = figures_query.find_region(request.user, chosen.get("region"))
        data = figures_query.figures(
            user=request.user, region=region, start=chosen.get("start"), end=chosen.get("end")
        )
    except ServiceError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return form, None
    return form, data


def _shown(value, fmt) -> str:
    if value is None:
        return "—"
    if fmt == excel.PERCENT:
        return f"{round(value * 100, 1)}%"
    return str(value)


def _table(rows) -> list[dict]:
    cols = excel.columns()
    return [
        {"row": row, "cells": [(key, _shown(row[key], fmt)) for key, _h, fmt in cols]}
        for row in rows
    ]


@login_required
@require_GET
def figures(request):
    form, data = _figures(request)
    paths = figures_query.viewer_paths(request.user)
    return render(
        request,
        "deliberation/public/figures.html",
        {
            "form": form,
            "data": data,
            "columns": excel.columns(),
            "total": _table([data["total"]])[0] if data else None,
            "places": _table(data["places"]) if data else [],
            "crumbs": queries.crumbs(data["region"], paths) if data else [],
            "areas": figures_query.areas(request.user),
        },
    )


@login_required
@require_GET
def figures_export(request):
    form, data = _figures(request)
    if data is None:
        return HttpResponse(
            " ".join(str(e) for errs in form.errors.values() for e in errs), status=400
        )
    audit.record(
        actor=request.user,
        action="export",
        reason=f"deliberation figures: {request.GET.urlencode()}",
        request=request,
    )
    name = f"{_('Deliberation hall figures')}-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(excel.workbook(data), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
