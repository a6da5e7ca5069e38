"""实有人口统计 and the people map: the figures of the viewer's area place by place
(``people.figures``) as tables and charts, and a Leaflet map with a layer of houses and a
layer of the people due a visit, each read as GeoJSON within the map's view.

The layers come from the same querysets as the lists: houses from
``House.objects.visible_to``, visits from ``Visit.objects.visible_to`` (a group's rule: a grid
worker is never shown a person under community correction). A point is the house's; a
person is labelled by their masked name only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongzhi.accounts import masking
from gongzhi.core.errors import ServiceError

from .. import figures as computed
from ..access import access_for
from ..choices import HouseUse, VisitState
from ..models import House, Visit

MAP_LIMIT = 2000
MAP_MAX_LIMIT = 5000
CHART_TOP = 30


def may_use_map(user) -> bool:
    access = access_for(user)
    return access.sees_register or bool(access.functions)


def _pct(value):
    return None if value is None else round(value * 100, 1)


def _shown(value) -> str:
    return "—" if value is None else f"{_pct(value)}%"


def _charts(data: dict) -> dict:
    """The series the page's charts draw (the places with the most people first)."""
    rows = [r for r in data["rows"] if r["key"] not in (None, "")] or data["rows"]
    rows = sorted(rows, key=lambda r: -(r["population"] + r["houses"]))[:CHART_TOP]
    labels = [r["label"] for r in rows]
    uses = HouseUse.ordered()
    return {
        "labels": labels,
        "population": [
            {"name": _("Registered residents"), "data": [r["registered"] for r in rows]},
            {"name": _("Migrants"), "data": [r["migrant"] for r in rows]},
        ],
        "houses": [
            {
                "name": str(u.label),
                "colour": u.colour,
                "data": [r[f"use_{u.value}"] for r in rows],
            }
            for u in uses
        ],
        "groups": [
            {"name": g.name, "colour": g.colour, "data": [r[f"group_{g.code}"] for r in rows]}
            for g in data["groups"]
        ],
        "rates": [
            {"name": _("Visits on time"), "data": [_pct(r["on_time_rate"]) for r in rows]},
            {"name": _("Check-ins kept"), "data": [_pct(r["kept_rate"]) for r in rows]},
        ],
        "months": {
            "labels": [m["month"] for m in data["months"]],
            "series": [
                {
                    "name": _("Visits on time"),
                    "data": [_pct(m["on_time_rate"]) for m in data["months"]],
                },
                {
                    "name": _("Check-ins kept"),
                    "data": [_pct(m["kept_rate"]) for m in data["months"]],
                },
            ],
        },
        "texts": {"people": _("people"), "houses": _("houses")},
    }


@login_required
@require_GET
def figures_page(request):
    if not computed.may_see_figures(request.user):
        raise PermissionDenied
    error, data = None, None
    try:
        data = computed.figures(
            user=request.user,
            region=request.GET.get("region") or None,
            start=request.GET.get("start") or None,
            end=request.GET.get("end") or None,
        )
    except ServiceError as refused:
        error = refused
    context = {"error": error, "query": request.GET}
    if data is not None:
        groups = data["groups"]
        context.update(
            data,
            uses=[(u.value, u.label, u.colour) for u in HouseUse.ordered()],
            table=[
                {
                    "row": r,
                    "uses": [r[f"use_{u.value}"] for u in HouseUse.ordered()],
                    "groups": [r[f"group_{g.code}"] for g in groups],
                    "on_time": _shown(r["on_time_rate"]),
                    "kept": _shown(r["kept_rate"]),
                }
                for r in [*data["rows"], data["total"]]
            ],
            months_shown=[
                {
                    **m,
                    "on_time_shown": _shown(m["on_time_rate"]),
                    "kept_shown": _shown(m["kept_rate"]),
                }
                for m in data["months"]
            ],
            total_shown={
                "on_time": _shown(data["total"]["on_time_rate"]),
                "kept": _shown(data["total"]["kept_rate"]),
            },
            chart=_charts(data),
        )
    status = error.status if error is not None else 200
    return render(request, "people/figures.html", context, status=status)


# -- the map ---------------------------------------------------------------------------------


@login_required
@require_GET
def map_page(request):
    if not may_use_map(request.user):
        raise PermissionDenied
    config = {
        "colours": HouseUse.colours(),
        "due": "#2563eb",
        "late": "#dc2626",
        "texts": {
            "houses": _("%(n)s houses"),
            "visits": _("%(n)s people due a visit"),
            "truncated": _("(zoom in to see all)"),
            "failed": _("The map could not be loaded."),
            "late": _("Late"),
            "due_on": _("Due on"),
        },
    }
    legend = [{"label": u.label, "colour": u.colour} for u in HouseUse.ordered()]
    return render(
        request,
        "people/map.html",
        {
            "map_config": config,
            "legend": legend,
            "shows_houses": access_for(request.user).sees_register,
        },
    )


def _bbox(request):
    """The map's view, ``west,south,east,north`` (WGS84), or None."""
    raw = request.GET.get("bbox", "").strip()
    if not raw:
        return None
    try:
        west, south, east, north = (float(v) for v in raw.split(","))
    except ValueError:
        raise ServiceError("invalid", _("The map's bounds are not valid."), "bbox") from None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise ServiceError("invalid", _("The map's bounds are not valid."), "bbox")
    return west, south, east, north


def _limit(request) -> int:
    try:
        value = int(request.GET.get("limit") or MAP_LIMIT)
    except ValueError:
        raise ServiceError("invalid", _("The limit is not a number."), "limit") from None
    return max(1, min(value, MAP_MAX_LIMIT))


def _within(rows, bbox, prefix=""):
    if bbox is None:
        return rows
    west, south, east, north = bbox
    return rows.filter(
        **{f"{prefix}lng__gte": west, f"{prefix}lng__lte": east},
        **{f"{prefix}lat__gte": south, f"{prefix}lat__lte": north},
    )


def _geojson(features: list, limit: int) -> JsonResponse:
    truncated = len(features) > limit
    features = features[:limit]
    return JsonResponse(
        {
            "type": "FeatureCollection",
            "features": features,
            "count": len(features),
            "truncated": truncated,
        }
    )


def _point(lng, lat):
    return {"type": "Point", "coordinates": [round(lng, 6), round(lat, 6)]}


def _layer(view):
    """A GeoJSON endpoint: refused as JSON (403, 400), never as a page."""

    @login_required
    @require_GET
    def answer(request):
        if not may_use_map(request.user):
            return JsonResponse(
                {"error": "forbidden", "message": _("You may not see this map."), "field": None},
                status=403,
            )
        try:
            return view(request, _bbox(request), _limit(request))
        except ServiceError as error:
            return JsonResponse(error.as_dict(), status=error.status)

    answer.__name__ = view.__name__
    answer.__doc__ = view.__doc__
    return answer


@_layer
def map_houses(request, bbox, limit):
    """The houses the viewer's register holds, within the view, coloured by use."""
    houses = _within(
        House.objects.visible_to(request.user).filter(lng__isnull=False, lat__isnull=False), bbox
    )
    rows = houses.order_by("id").values_list("id", "address", "use", "lng", "lat")[: limit + 1]
    return _geojson(
        [
            {
                "type": "Feature",
                "geometry": _point(lng, lat),
                "properties": {
                    "id": pk,
                    "address": address,
                    "use": use,
                    "use_label": str(HouseUse.label_of(use)),
                },
            }
            for pk, address, use, lng, lat in rows
        ],
        limit,
    )


@_layer
def map_visits(request, bbox, limit):
    """The people due a visit whom the viewer may see, at their house: a masked name, the
    group, the day due; the soonest due first."""
    house = "resident__household__house__"
    visits = _within(
        Visit.objects.visible_to(request.user).filter(
            state=VisitState.DUE,
            **{f"{house}lng__isnull": False, f"{house}lat__isnull": False},
        ),
        bbox,
        house,
    )
    rows = visits.order_by("due_on", "id").values_list(
        "id", "resident__name", "group__name", "due_on", f"{house}lng", f"{house}lat"
    )[: limit + 1]
    today = timezone.localdate()
    return _geojson(
        [
            {
                "type": "Feature",
                "geometry": _point(lng, lat),
                "properties": {
                    "id": pk,
                    "label": masking.mask_name(name),
                    "group": group,
                    "due_on": due_on.isoformat(),
                    "late": due_on < today,
                },
            }
            for pk, name, group, due_on, lng, lat in rows
        ],
        limit,
    )


urlpatterns = [
    path("figures/", figures_page, name="figures"),
    path("map/", map_page, name="map"),
    path("map/houses.geojson", map_houses, name="map_houses"),
    path("map/visits.geojson", map_visits, name="map_visits"),
]
