"""Working days on the Chinese calendar, and SLA deadlines (ARCHITECTURE.md, rule 5).

Statutory holidays and 调休 make-up working days (a Saturday or Sunday that is worked to
make a holiday longer) come from the ``chinese-calendar`` package, overridden day by day by
the platform's own calendar rows (``CalendarDay``, installed here by ``use_calendar``): the
package learns a year's holidays only from a release after the notice is published, and a
deadline into that year must not wait for an upgrade. For a year neither knows, the rule
falls back to "Monday to Friday" and logs one warning per year.

Everything is counted on the calendar of Asia/Shanghai: a date is a local date, whatever
time zone the datetime passed in carries. Functions take and return *aware* datetimes; a
result is expressed in Asia/Shanghai and can be stored as is (Django stores UTC).

Definitions, used consistently:

``add_working_days(t, n)``
    The same local time of day on the n-th working day after t's local date. Day 1 is the
    first working day *after* t's date, whether or not t's own date is a working day, so a
    report made on a Friday or during a holiday gets the full n working days.
    ``n = 0`` returns t; a negative n counts backwards.

``working_days_between(a, b)``
    The number of working days d with a's date < d <= b's date (negative when b is before
    a). It is the inverse of the above: ``working_days_between(t, add_working_days(t, n))
    == n``.

``deadline(t, value, unit)``
    For ``minutes`` and ``hours``: elapsed time, round the clock (an urgent case such as a
    missing manhole cover is worked on at night and on holidays too).
    For ``workdays``: the *end* (23:59:59 local) of the value-th working day after t's date,
    i.e. "办结时限 N 个工作日" means the unit has the whole of N working days following the
    day of the report. ``value = 0`` working days means the end of t's own date.
    For ``workhours``: office time only (``WORKING_HOURS`` on working days).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Mapping
from zoneinfo import ZoneInfo

import chinese_calendar

logger = logging.getLogger(__name__)

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
END_OF_DAY = dt.time(23, 59, 59)

MINUTES = "minutes"
HOURS = "hours"
WORKDAYS = "workdays"
WORKHOURS = "workhours"
UNITS = (MINUTES, HOURS, WORKDAYS, WORKHOURS)

# Office hours on a working day, local time: a clock in working hours runs only within them.
WORKING_HOURS = ((dt.time(8, 30), dt.time(12, 0)), (dt.time(13, 30), dt.time(17, 30)))

# Years for which the weekday fallback has already been announced (per process; the
# warning is advice, not state that other processes need).
_warned_years: set[int] = set()

# The platform's calendar rows (date → is a working day), and the years they cover. A
# per-process copy, rebuilt from the database (cases.reference installs it).
_days: dict[dt.date, bool] = {}
_years: frozenset[int] = frozenset()


def use_calendar(days: Mapping[dt.date, bool]) -> None:
    """Count on these days as given (True: a working day), whatever the package says."""
    global _days, _years
    _days = dict(days)
    _years = frozenset(d.year for d in _days)


def calendar_source(year: int) -> str:
    """Where ``year``'s holidays come from: "platform", "package" or "weekdays" (neither)."""
    if year in _years:
        return "platform"
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 30))
    except NotImplementedError:
        return "weekdays"
    return "package"


@functools.lru_cache(maxsize=4096)
def _package_is_workday(day: dt.date) -> bool:
    # The package validates and looks up every call; a deadline walks up to a month of days.
    return chinese_calendar.is_workday(day)


def is_workday(day: dt.date) -> bool:
    """Is this local date a working day (statutory calendar, including 调休)?"""
    found = _days.get(day)
    if found is not None:
        return found
    try:
        return _package_is_workday(day)
    except NotImplementedError:
        if day.year not in _warned_years and day.year not in _years:
            _warned_years.add(day.year)
            logger.warning(
                "No holiday calendar for %s: counting Monday to Friday as working days. Enter "
                "that year's holidays and make-up working days in the admin (or with "
                "`gongzhi calendar import`), or upgrade chinese-calendar.",
                day.year,
            )
        return day.weekday() < 5


def _local(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("working-day arithmetic needs an aware datetime")
    return moment.astimezone(LOCAL_TZ)


def nth_working_day_after(day: dt.date, n: int) -> dt.date:
    """The n-th working day after ``day`` (before it when n < 0); ``day`` itself for 0."""
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    current = day
    while remaining:
        current += dt.timedelta(days=step)
        if is_workday(current):
            remaining -= 1
    return current


def add_working_days(start: dt.datetime, n: int) -> dt.datetime:
    """Same local time of day on the n-th working day after ``start``'s local date."""
    local = _local(start)
    if n == 0:
        return local
    day = nth_working_day_after(local.date(), n)
    return dt.datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=LOCAL_TZ)


def working_days_between(a: dt.datetime, b: dt.datetime) -> int:
    """Working days d with a's local date < d <= b's local date (negative if b < a)."""
    first, last = _local(a).date(), _local(b).date()
    sign = 1
    if last < first:
        first, last, sign = last, first, -1
    count = 0
    day = first + dt.timedelta(days=1)
    while day <= last:
        count += is_workday(day)
        day += dt.timedelta(days=1)
    return sign * count


def add_hours(start: dt.datetime, hours: float) -> dt.datetime:
    """Elapsed hours, round the clock, in local time."""
    return _local(start) + dt.timedelta(hours=hours)


def end_of_working_days(start: dt.datetime, n: int) -> dt.datetime:
    """23:59:59 local on the n-th working day after ``start``'s local date."""
    if n < 0:
        raise ValueError("a deadline cannot lie a negative number of working days ahead")
    day = nth_working_day_after(_local(start).date(), n)
    return dt.datetime.combine(day, END_OF_DAY, tzinfo=LOCAL_TZ)


def add_working_hours(start: dt.datetime, hours: float) -> dt.datetime:
    """When ``hours`` of office time (``WORKING_HOURS`` on working days) have passed since
    ``start``: a clock started in the evening or on a holiday runs from the next opening."""
    remaining = dt.timedelta(hours=hours)
    cursor = _local(start)
    if not remaining:
        return cursor
    while True:
        day = cursor.date()
        if is_workday(day):
            for opens, closes in WORKING_HOURS:
                begin = max(cursor, dt.datetime.combine(day, opens, tzinfo=LOCAL_TZ))
                end = dt.datetime.combine(day, closes, tzinfo=LOCAL_TZ)
                if begin >= end:
                    continue
                if remaining <= end - begin:
                    return begin + remaining
                remaining -= end - begin
        cursor = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=LOCAL_TZ)


def deadline(start: dt.datetime, value: int, unit: str) -> dt.datetime:
    """When something that starts at ``start`` is due, for an SLA of ``value`` ``unit``."""
    if value < 0:
        raise ValueError("an SLA value cannot be negative")
    if unit == MINUTES:
        return _local(start) + dt.timedelta(minutes=value)
    if unit == HOURS:
        return add_hours(start, value)
    if unit == WORKDAYS:
        return end_of_working_days(start, value)
    if unit == WORKHOURS:
        return add_working_hours(start, value)
    raise ValueError(f"unknown SLA unit {unit!r}; expected one of {', '.join(UNITS)}")
