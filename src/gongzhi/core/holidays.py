"""The platform's working-day calendar rows, installed into ``workdays`` (which stays free of
the database so that its arithmetic can be used and tested anywhere)."""

from __future__ import annotations

from . import workdays
from .models import CalendarDay


def load() -> None:
    """Count deadlines in this process on the calendar rows as they are now."""
    workdays.use_calendar(dict(CalendarDay.objects.values_list("date", "is_workday")))
