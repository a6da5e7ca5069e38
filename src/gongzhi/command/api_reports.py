"""The monthly reports in the JSON API (under /api/v1/command):

GET /reports        the reports the caller may read, newest month first (pages)
GET /reports/{id}   one report with the figures its files were made from

A report outside the caller's scope is "not found", as a missing one.
"""

import datetime as dt
from typing import Annotated

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from gongzhi.core.api import ERRORS, Pages
from gongzhi.core.db import MAX_ID
from gongzhi.core.errors import NotAllowed, NotFound

from . import reports

router = Router()

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class MonthlyReportOut(Schema):
    id: int
    month: str = Field(description="YYYY-MM")
    region: str = Field(description="region code (a city or a county)")
    region_name: str
    title: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    pdf_url: str
    xlsx_url: str
    page_url: str

    @staticmethod
    def resolve_month(report) -> str:
        return f"{report.month:%Y-%m}"

    @staticmethod
    def resolve_region(report) -> str:
        return report.region.code

    @staticmethod
    def resolve_region_name(report) -> str:
        return report.region.name

    @staticmethod
    def resolve_title(report) -> str:
        return reports.title(report.region.name, report.month)

    @staticmethod
    def resolve_pdf_url(report) -> str:
        return reverse("command:report_file", args=[report.pk, "pdf"])

    @staticmethod
    def resolve_xlsx_url(report) -> str:
        return reverse("command:report_file", args=[report.pk, "xlsx"])

    @staticmethod
    def resolve_page_url(report) -> str:
        return reverse("command:report", args=[report.pk])


class MonthlyReportDetailOut(MonthlyReportOut):
    figures: dict = Field(description="what the files were made from (command.figures)")


def _readable(request):
    if not reports.may_read(request.user):
        raise NotAllowed("not_permitted", _("Monthly reports are for leaders and command centres."))
    return reports.visible(user=request.user)


@router.get("/reports", response={200: list[MonthlyReportOut], **ERRORS})
@paginate(Pages)
def report_list(request):
    return _readable(request)


@router.get("/reports/{report_id}", response={200: MonthlyReportDetailOut, **ERRORS})
def report_detail(request, report_id: Id):
    report = _readable(request).filter(pk=report_id).first()
    if report is None:
        raise NotFound("not_found", _("There is no such report."))
    return report
