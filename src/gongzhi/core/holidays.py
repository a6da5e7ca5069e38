"""The platform's working-day calendar rows, installed into ``workdays`` (which stays free of
the database so that its arithmetic can be used and tested anywhere)."""

from __future__ import annotations

import datetime as dt

from . import workdays
from .models import CalendarDay


def load() -> None:
    """Count deadlines in this process on the calendar rows as they are now."""
    workdays.use_calendar(dict(CalendarDay.objects.values_list("date", "is_workday")))


NOTICE_MONTH = 10  # the State Council publishes next year's holidays in the autumn


def missing_years(today: dt.date) -> list[int]:
    """This year, and from October next year, when neither the platform's rows nor the
    package know their holidays (deadlines there fall back to Monday to Friday)."""
    load()
    years = [today.year] + ([today.year + 1] if today.month >= NOTICE_MONTH else [])
    return [y for y in years if workdays.calendar_source(y) == "weekdays"]
