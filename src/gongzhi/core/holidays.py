"""The platform's working-day calendar rows: installed into ``workdays`` (which stays free of
the database so that its arithmetic can be used and tested anywhere), imported from the CSV
an administrator writes from the year's holiday notice, and listed by year.

chinese-calendar learns a year's holidays only in a release after the State Council's notice
(published each autumn); until then the year is entered here, one row per holiday or make-up
working day, or per run of them, as the notice gives them (here 2026's Spring Festival)::

    date,kind,name
    2026-02-15..2026-02-23,holiday,春节
    2026-02-14,workday,春节调休
    2026-02-28,workday,春节调休
"""

from __future__ import annotations

import csv
import datetime as dt

import chinese_calendar
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from . import workdays
from .models import CalendarDay


class CalendarError(ValueError):
    """A calendar file that cannot be imported; the message says where and why."""


def load() -> None:
    """Count deadlines in this process on the calendar rows as they are now."""
    workdays.use_calendar(dict(CalendarDay.objects.values_list("date", "is_workday")))


NOTICE_MONTH = 10  # the State Council publishes next year's holidays in the autumn


# Days off by law each year (元旦 1, 春节 4, 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3, since
# 2025), and the holidays whose date is fixed: a year entered by hand needs at least these.
STATUTORY_DAYS_OFF = 13
FIXED_HOLIDAYS = ((1, 1), (5, 1), (10, 1))


def missing_years(today: dt.date) -> list[int]:
    """This year, and from October next year, when neither the platform's rows nor the
    package know their holidays (deadlines there fall back to Monday to Friday)."""
    return [y for y, complete in notice_years(today) if not complete]


def notice_years(today: dt.date) -> list[tuple[int, bool]]:
    """The years the admin should hear about, as (year, partly entered): this year and,
    from October, next year, where the package does not know the holidays and the
    platform's rows are absent or plainly incomplete (fewer days off than the law gives, or
    none on 1 January, 1 May or 1 October) — a half-entered year would otherwise count its
    missing holidays as working days without a word."""
    load()
    years = [today.year] + ([today.year + 1] if today.month >= NOTICE_MONTH else [])
    out = []
    for year in years:
        source = workdays.calendar_source(year)
        if source == "weekdays":
            out.append((year, False))
        elif source == "platform" and not looks_complete(year):
            out.append((year, True))
    return out


def looks_complete(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 30))
        return True  # the package knows the year: rows only correct it
    except NotImplementedError:
        pass
    off = set(
        CalendarDay.objects.filter(date__year=year, is_workday=False).values_list("date", flat=True)
    )
    fixed = all(dt.date(year, m, d) in off for m, d in FIXED_HOLIDAYS)
    return fixed and len(off) >= STATUTORY_DAYS_OFF


KINDS = {"holiday": False, "放假": False, "休": False, "workday": True, "上班": True, "班": True}
RANGE_SEPARATORS = ("..", "~", "至")
LONGEST_RUN = 31  # days: no holiday is longer; a longer range is a typing error


def parse_days(text: str) -> list[dt.date]:
    """One date, or a run of dates written FIRST..LAST (both included)."""
    text = text.strip()
    parts = [text]
    for sep in RANGE_SEPARATORS:
        if sep in text:
            parts = text.split(sep, 1)
            break
    try:
        first, last = (dt.date.fromisoformat(p.strip()) for p in (parts[0], parts[-1]))
    except ValueError:
        raise ValueError(_("not a date (YYYY-MM-DD) or a run of dates (FIRST..LAST)")) from None
    length = (last - first).days + 1
    if not 1 <= length <= LONGEST_RUN:
        raise ValueError(_("not a run of days going forward, at most %d days long") % LONGEST_RUN)
    return [first + dt.timedelta(days=i) for i in range(length)]


MAX_FILE_BYTES = 200_000  # a year's notice is a few dozen rows


def decode_csv(raw: bytes) -> str:
    """The text of an uploaded CSV: UTF-8 (with or without Excel's BOM) or, as Excel on a
    Chinese Windows saves it, GB18030."""
    if len(raw) > MAX_FILE_BYTES:
        raise CalendarError(_("The file is too large for a holiday calendar."))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CalendarError(_("The file is not text in UTF-8 or GB18030."))


def check_csv(text: str) -> dict[dt.date, tuple[bool, str]]:
    """A CSV file's days (date → (is a working day, name)), or CalendarError naming the
    first bad row: nothing is imported from a file with one."""
    reader = csv.DictReader(text.splitlines())
    if not reader.fieldnames or not {"date", "kind"} <= set(reader.fieldnames):
        raise CalendarError(_("The file needs a header row with the columns date, kind and name."))
    days: dict[dt.date, tuple[bool, str]] = {}
    for line, row in enumerate(reader, start=2):
        kind = (row.get("kind") or "").strip().lower()
        if kind not in KINDS:
            raise CalendarError(
                _("Line %(line)d: the kind must be holiday or workday, not “%(kind)s”.")
                % {"line": line, "kind": row.get("kind") or ""}
            )
        try:
            dates = parse_days(row.get("date") or "")
        except ValueError as error:
            raise CalendarError(
                _("Line %(line)d: “%(date)s” is %(error)s.")
                % {"line": line, "date": row.get("date") or "", "error": error}
            ) from error
        name = (row.get("name") or "").strip()[:50]
        for day in dates:
            if day in days and days[day][0] != KINDS[kind]:
                raise CalendarError(
                    _("Line %(line)d: %(day)s is both a holiday and a working day in this file.")
                    % {"line": line, "day": day}
                )
            days[day] = (KINDS[kind], name)
    if not days:
        raise CalendarError(_("The file holds no days."))
    return days


def _package_name(day: dt.date) -> str:
    """The holiday chinese-calendar says ``day`` belongs to, in the user's language."""
    try:
        _on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return ""
    holiday = next((h for h in chinese_calendar.Holiday if h.value == name), None)
    if holiday is None:
        return ""
    return holiday.chinese if get_language().startswith("zh") else holiday.value


def do_import(days: dict[dt.date, tuple[bool, str]]) -> dict:
    """Store checked days (``check_csv``) in one transaction; a day already there is replaced."""
    existing = set(CalendarDay.objects.filter(date__in=days).values_list("date", flat=True))
    with transaction.atomic():
        for day, (is_workday, name) in sorted(days.items()):
            CalendarDay.objects.update_or_create(
                date=day, defaults={"is_workday": is_workday, "name": name}
            )
    load()
    return {
        "created": len(days) - len(existing),
        "updated": len(existing),
        "years": sorted({d.year for d in days}),
    }


def year_days(year: int) -> list[tuple[dt.date, bool, str]]:
    """The days of ``year`` that differ from a plain Monday-to-Friday week, or that the
    platform's rows name: (date, is a working day, the holiday's name)."""
    load()
    rows = {d.date: d.name for d in CalendarDay.objects.filter(date__year=year)}
    out = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        working = workdays.is_workday(day)
        if working != (day.weekday() < 5) or day in rows:
            out.append((day, working, rows[day] if day in rows else _package_name(day)))
        day += dt.timedelta(days=1)
    return out
