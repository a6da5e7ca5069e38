"""统计分析: the figures of a region and period for leaders and command-centre staff — the
summary with 环比/同比, the units' assessment scores, places, categories, channels, time to
sign and to resolve, a grid choropleth — and an Excel download of every table.

``?region=<code>&start=YYYY-MM-DD&end=YYYY-MM-DD`` (both ends inclusive; default this month,
everything the viewer may see). The tables come from ``command.exports`` (which reads
``command.figures``), so the page and its downloads hold the same numbers.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import shapely
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from shapely.geometry import mapping, shape

from gongzhi.core.errors import ServiceError
from gongzhi.core.scope import scope_for
from gongzhi.regions.models import Grid, Region, RegionLevel

from .. import assessment, exports, figures

PICKED_LEVELS = (RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP)
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
MAP_DECIMALS = 5  # ~1 m: plenty for a choropleth, and a third smaller than full precision


def _day(value: str, field: str) -> date:
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise ServiceError(
            "bad_date", _("This date cannot be read: give it as YYYY-MM-DD."), field
        ) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ServiceError("bad_date", _("Give a date between 2000 and 2099."), field)
    return day


def chosen(request) -> tuple[Region | None, date, date]:
    """The region and period asked for (this month so far, everything the viewer sees, by
    default).
    Raises ``ServiceError`` (or ``figures.FigureError``) with a message for the user."""
    exports.check_viewer(viewer=request.user)
    start, end = timezone.localdate().replace(day=1), timezone.localdate()  # this month so far
    if request.GET.get("start", "").strip():
        start = _day(request.GET["start"], "start")
    if request.GET.get("end", "").strip():
        end = _day(request.GET["end"], "end")
    if end < start:
        raise ServiceError("bad_period", _("The period ends before it starts."), "end")
    code = request.GET.get("region", "").strip() or None
    region = figures.region_for(viewer=request.user, code=code)
    return region, start, end


def presets(today: date) -> list[tuple[str, date, date]]:
    month = exports.month_of(today)
    last_month = exports.month_of(month[0] - timedelta(days=1))
    quarter = exports.quarter_of(today)
    last_quarter = exports.quarter_of(quarter[0] - timedelta(days=1))
    # A period that has not ended runs to today: compared with the same number of days
    # before it (环比), not with a whole month that ended, which would read as a fall.
    return [
        (_("This month"), month[0], today),
        (_("Last month"), *last_month),
        (_("This quarter"), quarter[0], today),
        (_("Last quarter"), *last_quarter),
        (_("This year"), date(today.year, 1, 1), today),
        (_("Last year"), date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
    ]


def _query(region, start, end, **more) -> str:
    query = {"start": start.isoformat(), "end": end.isoformat(), **more}
    if region is not None:
        query["region"] = region.code
    return urlencode(query)


def _refused(request, error: ServiceError):
    return render(request, "command/analytics/page.html", {"error": error}, status=error.status)


def _chart(table: exports.Table, measures=("reported",), top: int = 20) -> dict:
    rows = table.as_dicts()[:top]
    return {
        "labels": [r.get("label") or r.get("unit") for r in rows],
        "series": {m: [r.get(m) for r in rows] for m in measures},
    }


def _cards(compared: dict) -> list[dict]:
    change = compared.get("change") or {}
    labels = exports._labels()
    cards = []
    for key in (*exports.COUNTS, *exports.RATES):
        ratio = change.get(key) or {}
        cards.append(
            {
                "key": key,
                "label": labels[key],
                "kind": "rate" if key in exports.RATES else "count",
                "value": compared["current"].get(key),
                "shown": exports.shown(
                    compared["current"].get(key), "rate" if key in exports.RATES else "count"
                ),
                "previous": ratio.get("previous"),
                "last_year": ratio.get("last_year"),
            }
        )
    return cards


def _trail(viewer, region) -> list[Region]:
    """The visible regions above the one shown, for climbing back up."""
    if region is None:
        return []
    scope = scope_for(viewer)
    return [r for r in region.ancestors() if scope.covers_region_path(r.path)]


@login_required
@require_GET
def page(request):
    try:
        region, start, end = chosen(request)
        ctx = exports.Context(request.user, region, start, end)
        tables = {name: build(ctx) for name, build in exports.TABLES.items()}
    except ServiceError as error:
        return _refused(request, error)
    query = _query(region, start, end)
    today = timezone.localdate()
    choices = (
        Region.objects.visible_to(request.user).filter(level__in=PICKED_LEVELS).order_by("path")
    )
    return render(
        request,
        "command/analytics/page.html",
        {
            "region": region,
            "start": start,
            "end": end,
            "query": query,
            "region_choices": choices.only("code", "name", "level", "path"),
            "trail": _trail(request.user, region),
            "presets": [
                {
                    "label": label,
                    "url": f"?{_query(region, first, last)}",
                    "active": (first, last) == (start, end),
                }
                for label, first, last in presets(today)
            ],
            "tables": tables,
            "cards": _cards(tables["summary"].extra["compare"]),
            "scored": tables["units"].extra["scored"],
            "formula": assessment.FORMULA,
            "charts": {
                "categories": _chart(tables["categories"], ("reported",)),
                "channels": _chart(tables["channels"], ("reported",)),
                "trend": _chart(tables["trend"], ("reported", "closed"), top=400),
                "units": _chart(tables["units"], ("score",)),
            },
            "grid_map_url": f"{request.path}grids.json?{query}",
        },
    )


@login_required
@require_GET
def export(request, table: str):
    build = exports.TABLES.get(table)
    try:
        if build is None:
            raise ServiceError("unknown_table", _("There is no such table to download."))
        region, start, end = chosen(request)
        built = build(exports.Context(request.user, region, start, end))
    except ServiceError as error:
        return _refused(request, error)
    area = region.name if region is not None else _("All of my area")
    content = exports.workbook(built, area=area, start=start, end=end)
    response = HttpResponse(content, content_type=exports.CONTENT_TYPE)
    filename = f"{built.title}-{area}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _geometry(boundary) -> dict:
    return mapping(shapely.transform(shape(boundary), lambda xy: np.round(xy, MAP_DECIMALS)))


@login_required
@require_GET
def grid_map(request):
    """The grids of the region as GeoJSON, each with its figures for the period, for the
    choropleth (``figures.grid_figures`` lists every grid the viewer sees, 0 for none)."""
    try:
        region, start, end = chosen(request)
        ctx = exports.Context(request.user, region, start, end)
        rows = figures.grid_figures(viewer=request.user, region=region, start=start, end=end)
    except ServiceError as error:
        return JsonResponse(error.as_dict(), status=error.status)
    shapes = dict(
        Grid.objects.filter(
            pk__in=[r["grid_id"] for r in rows], boundary__isnull=False
        ).values_list("pk", "boundary")
    )
    features = [
        {
            "type": "Feature",
            "geometry": _geometry(shapes[row["grid_id"]]),
            "properties": {
                **{k: row[k] for k in ("code", "name", "reported", "open", "overdue")},
                "url": ctx.link("reported", None, row["reported"], grid=row["grid_id"]),
            },
        }
        for row in rows
        if row["grid_id"] in shapes
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


urlpatterns = [
    path("analytics/", page, name="analytics"),
    path("analytics/grids.json", grid_map, name="analytics_grids"),
    path("analytics/export/<slug:table>.xlsx", export, name="analytics_export"),
]
