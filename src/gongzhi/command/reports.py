"""The monthly report (月报): on the month's first working day, the previous month's figures
for the city and each county, laid out as a PDF in Chinese and the same tables in a
workbook, stored, listed, and sent to the leaders' inboxes.

Every case figure comes from ``command.figures`` (the rollups), the same functions the
screen and the API read, so a report reconciles with them for its period. The figures are
gathered once into a JSON-able dict, stored with the report, and both files are made from
that dict alone: what a file says can always be checked against what it was made from.

A system job has no user: it reads the figures as a viewer who sees everything
(``SYSTEM``) and names the region explicitly.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from gongzhi.accounts.models import Membership, Role
from gongzhi.core import workdays
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.core.scope import Scope, scope_for
from gongzhi.regions.models import Region, RegionLevel

from .models import MonthlyReport

log = logging.getLogger(__name__)

VERSION = 1  # of the figures' layout stored with each report
LEVELS = (RegionLevel.CITY, RegionLevel.COUNTY)
# Who reads reports: the leaders they are sent to and the command centres' dispatchers
# (administrators see everything).
READER_ROLES = frozenset({Role.LEADER, Role.DISPATCHER})
# A report claimed by a job that then died is claimed again after this long.
CLAIM_TIMEOUT = timedelta(minutes=30)

# The counts a table shows, in order, and the rates after them.
COUNTS = ("reported", "closed", "open", "overdue", "returned")
RATES = ("response_rate", "resolution_rate", "satisfaction_rate")
LABELS = {
    "reported": gettext_lazy("Reported"),
    "closed": gettext_lazy("Closed"),
    "open": gettext_lazy("Still open"),
    "overdue": gettext_lazy("Overdue"),
    "returned": gettext_lazy("Returned"),
    "response_rate": gettext_lazy("Response rate"),
    "resolution_rate": gettext_lazy("Resolution rate"),
    "satisfaction_rate": gettext_lazy("Satisfaction rate"),
}
# The breakdowns a report holds: (key in the figures, the figures' ``by``, title, the
# heading of the label column).
TABLES = (
    ("by_region", "region", gettext_lazy("By area"), gettext_lazy("Area")),
    ("by_unit", "unit", gettext_lazy("By unit"), gettext_lazy("Unit")),
    ("by_category", "category", gettext_lazy("By category"), gettext_lazy("Category")),
    ("by_channel", "channel", gettext_lazy("By channel"), gettext_lazy("Channel")),
)


def number(value) -> str:
    return "—" if value is None else str(value)


def percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def change(value) -> str:
    """A relative change (0.125 → +12.5%)."""
    return "—" if value is None else f"{value * 100:+.1f}%"


def shown(row: dict, key: str) -> str:
    """A figure of a row as the files and pages print it."""
    return percent(row.get(key)) if key in RATES else number(row.get(key))


class ReportError(ServiceError):
    pass


class _System:
    """The viewer a system job reads figures as: sees everything, is nobody."""

    pk = id = None
    is_authenticated = True
    is_active = True
    is_superuser = False
    is_staff = False
    username = "system"
    _gongzhi_scope = Scope(user_id=None, everything=True)

    def __str__(self) -> str:
        return "system"


SYSTEM = _System()


# -- months -------------------------------------------------------------------------------


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def previous_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def first_working_day(month: dt.date) -> dt.date:
    day = month.replace(day=1)
    while not workdays.is_workday(day):
        day += timedelta(days=1)
    return day


def month_label(month: dt.date) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


def parse_month(text) -> dt.date | None:
    """``"2026-11"`` (or a date) as the month's first day; None if it is not one."""
    if isinstance(text, dt.date):
        return text.replace(day=1)
    try:
        year, month = (int(part) for part in str(text).strip().split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        return None


def check_month(*, month, today: dt.date | None = None) -> dt.date:
    """A month that has ended (a report of a month still running would change under its
    readers), from 2000 on."""
    parsed = parse_month(month)
    if parsed is None:
        raise ReportError("month", _("A month is written YYYY-MM, e.g. 2026-11."), "month")
    today = today or timezone.localdate()
    if parsed.year < 2000 or month_end(parsed) >= today:
        raise ReportError("month", _("A report is made only for a month that has ended."), "month")
    return parsed


# -- the figures --------------------------------------------------------------------------


def report_regions():
    """Every city and county, each with a report of its own."""
    return Region.objects.filter(level__in=LEVELS).order_by("path")


def _jsonable(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def gather(*, region: Region, month: dt.date, now=None) -> dict:
    """Everything a report shows, as stored: read from ``command.figures`` for the month."""
    from . import figures

    start, end = month, month_end(month)
    viewer = SYSTEM
    span = {"viewer": viewer, "region": region, "start": start, "end": end}
    out = {
        "version": VERSION,
        "month": f"{month:%Y-%m}",
        "made_at": now or timezone.now(),
        "start": start,
        "end": end,
        "region": {
            "code": region.code,
            "name": region.name,
            "level": region.level,
            "path": region.path,
        },
        "compare": figures.compare(**span),
        "by_day": figures.breakdown(**span, by="day"),
        "durations": figures.durations(**span),
    }
    for key, by, _title, _column in TABLES:
        out[key] = figures.breakdown(**span, by=by)
    out["disputes"] = _disputes(region=region, start=start, end=end)
    return _jsonable(out)


def _disputes(*, region, start, end) -> dict | None:
    """The month's disputes (人民调解) in the region, when there are any."""
    try:
        from gongzhi.mediation import figures as mediation

        rows = mediation.figures(
            user=SYSTEM, region=region, period_start=start, period_end=end, group_by="level"
        )
        total = mediation.total(rows)
    except Exception:  # optional: the case figures are the report; log and go on without
        log.exception("monthly report: the disputes' figures could not be read")
        return None
    if not total.get("found"):
        return None
    keys = ("found", "concluded", "settled", "settle_rate", "repeat_rate")
    return {k: total.get(k) for k in keys if k in total}


# -- making -------------------------------------------------------------------------------


def _files(report_figures: dict) -> tuple[bytes, bytes]:
    from . import report_excel, report_pdf  # reportlab and openpyxl: loaded when one is made

    with translation.override(settings.LANGUAGE_CODE):
        return report_pdf.render(report_figures), report_excel.render(report_figures)


def filename(report: MonthlyReport, ext: str) -> str:
    return f"{report.month:%Y-%m}-{report.region.code}.{ext}"


def title(region_name: str, month: dt.date) -> str:
    return _("%(region)s monthly report, %(month)s") % {
        "region": region_name,
        "month": month_label(month),
    }


def title_of(report_figures: dict) -> str:
    return title(report_figures["region"]["name"], dt.date.fromisoformat(report_figures["start"]))


def do_make(
    *, region: Region, month: dt.date, now=None, spent: dict | None = None
) -> MonthlyReport:
    """Make (or make again, replacing the files) the report of ``region`` for ``month``."""
    now = now or timezone.now()
    spent = spent if spent is not None else {}
    started = time.perf_counter()
    report_figures = gather(region=region, month=month, now=now)
    read = time.perf_counter()
    pdf, xlsx = _files(report_figures)
    spent["figures_s"] = spent.get("figures_s", 0) + read - started
    spent["files_s"] = spent.get("files_s", 0) + time.perf_counter() - read
    report, _created = MonthlyReport.objects.get_or_create(
        month=month, region=region, defaults={"created_at": now}
    )
    old = [f.name for f in (report.pdf, report.xlsx) if f]
    storage = report.pdf.storage
    report.pdf.save(filename(report, "pdf"), ContentFile(pdf), save=False)
    report.xlsx.save(filename(report, "xlsx"), ContentFile(xlsx), save=False)
    stored = [report.pdf.name, report.xlsx.name]
    try:
        with transaction.atomic():
            report.figures = report_figures
            report.created_at = now
            report.sent_at = None
            report.save()
    except Exception:
        for name in stored:
            storage.delete(name)  # the row never pointed at them
        raise
    stale = [name for name in old if name not in stored]
    transaction.on_commit(lambda: [storage.delete(name) for name in stale])
    return report


def readers_of(report: MonthlyReport) -> list[int]:
    """The leaders a report is sent to: those whose leader's post serves its region or an
    area holding it (a county's report goes to the county's and the city's leaders)."""
    path = report.region.path
    posts = Membership.objects.filter(
        role=Role.LEADER, organisation__is_active=True, user__is_active=True
    ).values_list("user_id", "organisation__regions__path")
    return sorted({user for user, served in posts if served and path.startswith(served)})


def do_send(*, reports: list[MonthlyReport], now=None) -> int:
    """One inbox message per leader for a month's reports: the report of their own area
    (the widest they lead), the others listed on the reports page."""
    from gongzhi.notify import services as notify

    now = now or timezone.now()
    widest: dict[int, MonthlyReport] = {}
    also: dict[int, int] = {}
    for report in sorted(reports, key=lambda r: len(r.region.path)):
        for user in readers_of(report):
            if user in widest:
                also[user] = also.get(user, 0) + 1
            else:
                widest[user] = report
    items = []
    with translation.override(settings.LANGUAGE_CODE):
        for user, report in widest.items():
            body = ""
            if also.get(user):
                body = ngettext(
                    "%(n)d more report, of an area within it, is on the reports page.",
                    "%(n)d more reports, of the areas within it, are on the reports page.",
                    also[user],
                ) % {"n": also[user]}
            items.append(
                notify.Item(
                    recipients=[user],
                    kind="command.monthly_report",
                    title=title_of(report.figures),
                    body=body,
                    link=reverse("command:report", args=[report.pk]),
                    data={"report": report.pk, "month": report.figures["month"]},
                )
            )
    if items:
        notify.notify_each(items)
    MonthlyReport.objects.filter(pk__in=[r.pk for r in reports]).update(sent_at=now)
    return len(items)


def produce(*, month=None, region: Region | None = None, now=None) -> dict:
    """Make the month's reports (the previous month by default) for every city and county
    (or one region), replacing any made before, and send them."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    month = check_month(month=month or previous_month(today), today=today)
    regions = [region] if region is not None else list(report_regions())
    return _make_all(regions, month=month, now=now)


def _make_all(regions, *, month, now) -> dict:
    """Make and send, and say where the time went (the figures, the files)."""
    spent: dict = {}
    made = [do_make(region=r, month=month, now=now, spent=spent) for r in regions]
    sent = do_send(reports=made, now=now)
    seconds = {k: round(v, 2) for k, v in spent.items()}
    return {"month": f"{month:%Y-%m}", "made": len(made), "sent": sent, **seconds}


# -- the job ------------------------------------------------------------------------------


def _claim(*, region: Region, month: dt.date, now) -> bool:
    """Take the making of one report, so that two watchers do not both make it: a row
    inserted without files, or one left so by a job that died."""
    try:
        with transaction.atomic():
            MonthlyReport.objects.create(month=month, region=region, created_at=now)
        return True
    except IntegrityError:
        abandoned = MonthlyReport.objects.filter(
            month=month, region=region, pdf="", created_at__lt=now - CLAIM_TIMEOUT
        )
        return abandoned.update(created_at=now) == 1


def tick(*, now=None) -> dict:
    """From the month's first working day on, make the previous month's reports that are
    not made yet (once: a report that exists is not made again)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if today < first_working_day(today):
        return {"made": 0}
    month = previous_month(today)
    done = set(MonthlyReport.objects.filter(month=month).values_list("region_id", flat=True))
    waiting = [r for r in report_regions() if r.pk not in done]
    claimed = [r for r in waiting if _claim(region=r, month=month, now=now)]
    if not claimed:
        return {"made": 0}
    return _make_all(claimed, month=month, now=now)


# -- readers ------------------------------------------------------------------------------


def may_read(user) -> bool:
    scope = scope_for(user)
    return scope.everything or bool(scope.roles & READER_ROLES)


def visible(*, user):
    """The finished reports ``user`` may read: those of regions within their scope."""
    if not may_read(user):
        return MonthlyReport.objects.none()
    return (
        MonthlyReport.objects.visible_to(user)
        .exclude(pdf="")
        .select_related("region")
        .defer("figures", "region__boundary")
        .order_by("-month", "region__path")
    )


def check_make(*, user, month, region_code: str = "") -> tuple[dt.date, Region | None]:
    """An administrator makes a month's reports now (all, or one region's)."""
    if not scope_for(user).everything:
        raise NotAllowed("not_permitted", _("Only administrators may make reports."))
    parsed = check_month(month=month)
    region = None
    if region_code:
        region = Region.objects.filter(code=region_code, level__in=LEVELS).first()
        if region is None:
            raise ReportError("region", _("Reports are made for a city or a county."), "region")
    return parsed, region


def do_make_now(*, user, month, region_code: str = "") -> dict:
    month, region = check_make(user=user, month=month, region_code=region_code)
    return produce(month=month, region=region)
