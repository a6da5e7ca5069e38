"""The community home (each person's cards), the figures page and its Excel download."""

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

from . import excel, queries
from . import figures as figures_query

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def home(request):
    return render(request, "community/home.html", queries.home(request.user))


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
    if not form.is_valid():
        return form, None
    chosen = form.cleaned_data
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


def _chart(data: dict) -> dict:
    """What the page's chart draws: each place's repairs finished in time, notices read and
    patrol completion (percent)."""

    def pct(v):
        return None if v is None else round(v * 100, 1)

    places = data["places"]
    return {
        "places": [p["label"] for p in places],
        "series": [
            {
                "name": str(_("Finished in time")),
                "data": [pct(p["finished_in_time_share"]) for p in places],
            },
            {"name": str(_("Read")), "data": [pct(p["read_share"]) for p in places]},
            {
                "name": str(_("Patrol completion")),
                "data": [pct(p["patrol_completion"]) for p in places],
            },
        ],
    }


@login_required
@require_GET
def figures(request):
    form, data = _figures(request)
    paths = figures_query.viewer_paths(request.user)
    return render(
        request,
        "community/public/figures.html",
        {
            "form": form,
            "data": data,
            "columns": excel.columns(),
            "total": _table([data["total"]])[0] if data else None,
            "places": _table(data["places"]) if data else [],
            "chart": _chart(data) if data else None,
            "crumbs": figures_query.crumbs(data["region"], paths) if data else [],
            "areas": figures_query.areas(request.user),
        },
        status=200 if data is not None else 400,
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
        reason=f"community figures: {request.GET.urlencode()}",
        request=request,
    )
    name = f"{_('Community figures')}-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(excel.workbook(data), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
