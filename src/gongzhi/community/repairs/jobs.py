"""The repairs room's periodic work, run by community.jobs.tick: escalate the repairs a
company did not sign for in time, and keep last month's and this month's scores current."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def tick(*, now) -> dict:
    from . import services

    escalated = services.escalate_overdue(now=now)
    this_month = services.month_start(timezone.localtime(now).date())
    last_month = services.month_start(this_month - dt.timedelta(days=1))
    scored = 0
    for month in (last_month, this_month):
        scored += len(services.do_score_month(month=month, now=now))
    return {"escalated": escalated, "scored": scored}
