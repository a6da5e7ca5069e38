"""The monthly reports' pages: the list of the reports a user may read, one report's page
with its main figures and its files, and "make now" for administrators. The rules are
``command.reports``'s; these views parse, call it and render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.errors import ServiceError
from gongzhi.core.scope import scope_for

from .. import reports
from ..reports import COUNTS, LABELS, RATES, TABLES

PER_PAGE = 30
FILES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _readable(request):
    if not reports.may_read(request.user):
        raise PermissionDenied(_("Monthly reports are for leaders and command centres."))
    return reports.visible(user=request.user)


@login_required
@require_GET
def report_list(request):
    found = _readable(request)
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": page.object_list,
        "may_make": scope_for(request.user).everything,
        "regions": reports.report_regions().only("code", "name", "path"),
        "default_month": f"{reports.previous_month(timezone.localdate()):%Y-%m}",
    }
    return render(request, "command/reports/list.html", context)


def _row(row: dict) -> dict:
    return {
        "label": row.get("label"),
        "cells": [{"key": k, "text": reports.shown(row, k)} for k in (*COUNTS, *RATES)],
    }


@login_required
@require_GET
def report_detail(request, pk: int):
    report = get_object_or_404(_readable(request), pk=pk)
    f = report.figures
    keys = (*COUNTS, *RATES)
    compare = f.get("compare") or {}
    changes = compare.get("change") or {}
    summary = [
        {
            "key": k,
            "label": LABELS[k],
            "current": reports.shown(compare.get("current") or {}, k),
            "previous": reports.shown(compare.get("previous") or {}, k),
            "month_on_month": reports.change((changes.get(k) or {}).get("previous")),
            "last_year": reports.shown(compare.get("last_year") or {}, k),
            "year_on_year": reports.change((changes.get(k) or {}).get("last_year")),
        }
        for k in keys
    ]
    tables = [
        {"key": key, "title": title, "column": column, "rows": [_row(r) for r in f.get(key) or []]}
        for key, _by, title, column in TABLES
    ]
    context = {
        "report": report,
        "title": reports.title_of(f),
        "summary": summary,
        "tables": tables,
        "heads": [LABELS[k] for k in keys],
        "may_make": scope_for(request.user).everything,
    }
    return render(request, "command/reports/detail.html", context)


@login_required
@require_GET
def report_file(request, pk: int, kind: str):
    if kind not in FILES:
        raise Http404
    report = get_object_or_404(_readable(request), pk=pk)
    stored = getattr(report, kind)
    if not stored:
        raise Http404
    with stored.open("rb") as file:  # a report is small: read whole, nothing left streaming
        response = HttpResponse(file.read(), content_type=FILES[kind])
    title = reports.title(report.region.name, report.month)
    response["Content-Disposition"] = content_disposition_header(True, f"{title}.{kind}")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def make_now(request):
    try:
        result = reports.do_make_now(
            user=request.user,
            month=request.POST.get("month", ""),
            region_code=request.POST.get("region", "").strip(),
        )
    except ServiceError as error:
        if error.status == 403:
            raise PermissionDenied(error.message) from None
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            ngettext(
                "%(n)d report for %(month)s was made and sent.",
                "%(n)d reports for %(month)s were made and sent.",
                result["made"],
            )
            % {"n": result["made"], "month": result["month"]},
        )
    return redirect("command:reports")


urlpatterns = [
    path("reports/", report_list, name="reports"),
    path("reports/make/", make_now, name="reports_make"),
    path("reports/<int:pk>/", report_detail, name="report"),
    path("reports/<int:pk>/<str:kind>/", report_file, name="report_file"),
]
