"""The legal services' figures page and its Excel download (``queries.figures``)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from gongzhi.core import audit
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.regions import areas as area

from . import excel, queries

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class FiguresForm(forms.Form):
    region = forms.CharField(label=gettext_lazy("Area"), required=False, max_length=12)
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def _data(request) -> tuple[FiguresForm, dict | None]:
    """The form as sent and the figures it asks for (None, with the reason on the form,
    when the area or the period is refused). Refused outright (403) for a user with no
    area."""
    try:
        queries.viewer_paths(request.user)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from None
    form = FiguresForm(request.GET)
    form.is_valid()
    chosen = getattr(form, "cleaned_data", {})
    try:
        region = queries.find_region(request.user, chosen.get("region"))
        data = queries.figures(
            user=request.user, region=region, start=chosen.get("start"), end=chosen.get("end")
        )
    except ServiceError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return form, None
    return form, data


@login_required
@require_GET
def figures_page(request):
    form, data = _data(request)
    paths = queries.viewer_paths(request.user)
    columns = excel.columns(data) if data else []
    crumbs = area.crumbs(data["region"], paths) if data else []
    return render(
        request,
        "legal/figures/figures.html",
        {
            "form": form,
            "data": data,
            "columns": columns,
            "places": _table(data["places"], columns) if data else [],
            "types": _table(data["types"], columns) if data else [],
            "total": _table([data["total"]], columns)[0] if data else None,
            "crumbs": crumbs,
            "areas": queries.areas(request.user),
        },
    )


@login_required
@require_GET
def figures_export(request):
    form, data = _data(request)
    if data is None:
        return HttpResponse(
            " ".join(str(e) for errs in form.errors.values() for e in errs), status=400
        )
    audit.record(
        actor=request.user,
        action="export",
        reason=f"legal figures: {request.GET.urlencode()}",
        request=request,
    )
    name = f"{_('Legal service figures')}-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(excel.workbook(data), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _shown(value, fmt) -> str:
    if value is None:
        return "—"
    if fmt == excel.PERCENT:
        return f"{round(value * 100, 1)}%"
    return str(value)


def _table(rows, columns) -> list[dict]:
    return [
        {"row": row, "cells": [(key, _shown(row[key], fmt)) for key, _h, fmt in columns]}
        for row in rows
    ]
