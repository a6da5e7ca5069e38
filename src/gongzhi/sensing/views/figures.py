"""The sensing figures page: working rates per grid and owner against the target, events by
rule and the share confirmed, alarms by device type, the time from an event to its case,
and how many cameras and devices work now (``queries.figures``), as tables and charts."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongzhi.core.errors import ServiceError

from .. import events, queries


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _chart(data: dict) -> dict:
    grids = data["camera_rates"]["grid"]["rows"][:30]  # the worst first
    return {
        "target": round(data["target"] * 100, 1),
        "grids": {
            "labels": [r["name"] for r in grids],
            "rates": [None if r["rate"] is None else round(r["rate"] * 100, 1) for r in grids],
        },
        "rules": {
            "labels": [r["rule"] for r in data["events"]["by_rule"]],
            "series": [
                {
                    "name": _("Confirmed"),
                    "data": [r["confirmed"] for r in data["events"]["by_rule"]],
                },
                {
                    "name": _("Dismissed"),
                    "data": [r["dismissed"] for r in data["events"]["by_rule"]],
                },
                {
                    "name": _("Waiting"),
                    "data": [
                        r["total"] - r["confirmed"] - r["dismissed"]
                        for r in data["events"]["by_rule"]
                    ],
                },
            ],
        },
        "alarms": [
            {"name": r["type"], "value": r["total"], "itemStyle": {"color": r["colour"]}}
            for r in data["alarms"]["by_type"]
        ],
    }


@login_required
@require_GET
def figures_page(request):
    if not queries.sees_sensing(request.user):
        raise PermissionDenied
    error, data = None, None
    try:
        days = int(request.GET.get("days") or queries.FIGURE_DAYS)
        data = queries.figures(request.user, days=days)
    except ValueError:
        error = ServiceError("invalid", _("Give the number of days as a whole number."), "days")
    except ServiceError as refused:
        error = refused
    context = {
        "error": error,
        "days": request.GET.get("days") or queries.FIGURE_DAYS,
        "tab": "figures",
    }
    if data is not None:
        for table in (*data["camera_rates"].values(), *data["device_rates"].values()):
            for row in (*table["rows"], table["overall"]):
                row["shown"] = _pct(row["rate"])
        # Which rule on which camera is mostly dismissed: the zones to draw again.
        since = timezone.now() - dt.timedelta(days=days)
        false_alarms = events.false_alarm_rates(request.user, since=since)[: queries.PER_PAGE]
        for row in false_alarms:
            row["shown"] = _pct(row["rate"])
        context.update(
            false_alarms=false_alarms,
            data=data,
            target_shown=_pct(data["target"]),
            confirmed_shown=_pct(data["events"]["confirmed_share"]),
            chart=_chart(data),
        )
    return render(request, "sensing/figures.html", context, status=error.status if error else 200)


urlpatterns = [path("figures/", figures_page, name="figures")]
