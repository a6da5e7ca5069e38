"""The sensing map: each camera's view (a wedge from its direction, field of view and range;
a circle for one that sees all round) coloured by status, devices as points coloured by
status and alarm, and the grids with no camera shaded.

The layers are GeoJSON read for the map's view (bbox) from the same querysets as the lists
(``queries.cameras`` / ``devices``: ``visible_to``); the grids are those of the viewer's
places with the number of cameras the viewer sees in each.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongzhi.core.errors import ServiceError
from gongzhi.regions.models import Grid

from .. import queries
from ..choices import DeviceState
from ..models import Camera

LIMIT = 3000


def _bbox(request):
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


def _within(rows, bbox):
    if bbox is None:
        return rows
    west, south, east, north = bbox
    return rows.filter(lng__gte=west, lng__lte=east, lat__gte=south, lat__lte=north)


def _collection(features: list) -> JsonResponse:
    truncated = len(features) > LIMIT
    features = features[:LIMIT]
    return JsonResponse(
        {
            "type": "FeatureCollection",
            "features": features,
            "count": len(features),
            "truncated": truncated,
        }
    )


def _layer(view):
    """A GeoJSON endpoint: refused as JSON (403, 400), never as a page."""

    @login_required
    @require_GET
    def answer(request):
        if not queries.sees_sensing(request.user):
            return JsonResponse(
                {"error": "forbidden", "message": _("You may not see this map."), "field": None},
                status=403,
            )
        try:
            return view(request, _bbox(request))
        except ServiceError as error:
            return JsonResponse(error.as_dict(), status=error.status)

    answer.__name__ = view.__name__
    answer.__doc__ = view.__doc__
    return answer


def _status(record) -> dict:
    status = queries.status_of(record)
    return {
        "status": status,
        "status_label": str(queries.Status.label_of(status)),
        "colour": queries.Status.colour_of(status),
    }


@login_required
@require_GET
def map_page(request):
    if not queries.sees_sensing(request.user):
        raise PermissionDenied
    config = {
        "texts": {
            "cameras": _("%(n)s cameras"),
            "devices": _("%(n)s devices"),
            "uncovered": _("%(n)s grids with no camera"),
            "truncated": _("(zoom in to see all)"),
            "failed": _("The map could not be loaded."),
            "open": _("Open"),
        },
        "alarm": DeviceState.colour_of(DeviceState.ALARM),
    }
    legend = [{"label": s.label, "colour": s.colour} for s in queries.Status.ordered()]
    return render(
        request,
        "sensing/map.html",
        {"map_config": config, "legend": legend, "alarm_colour": config["alarm"], "tab": "map"},
    )


@_layer
def map_cameras(request, bbox):
    """The cameras the viewer sees within the view, each as the ground it watches."""
    rows = _within(queries.cameras(request.user), bbox)[: LIMIT + 1]
    return _collection(
        [
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [queries.view_polygon(c)]},
                "properties": {
                    "id": c.pk,
                    "code": c.code,
                    "name": c.name,
                    "lng": round(c.lng, 6),
                    "lat": round(c.lat, 6),
                    "url": reverse("sensing:camera", args=[c.pk]),
                    **_status(c),
                },
            }
            for c in rows
        ]
    )


@_layer
def map_devices(request, bbox):
    """The devices the viewer sees within the view, as points; those in alarm ringed."""
    rows = _within(queries.devices(request.user), bbox)[: LIMIT + 1]
    return _collection(
        [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(d.lng, 6), round(d.lat, 6)]},
                "properties": {
                    "id": d.pk,
                    "code": d.code,
                    "name": d.name,
                    "type": d.type.name,
                    "alarm": d.state == DeviceState.ALARM,
                    "value": d.last_value,
                    "unit": d.type.unit,
                    "url": reverse("sensing:device", args=[d.pk]),
                    **_status(d),
                },
            }
            for d in rows
        ]
    )


@_layer
def map_grids(request, bbox):
    """The grids of the viewer's places with how many cameras (in service) each holds of
    those the viewer sees; the map shades the ones with none."""
    counts = dict(
        Camera.objects.visible_to(request.user)
        .filter(enabled=True, grid__isnull=False)
        .values("grid_id")
        .annotate(n=Count("pk"))
        .values_list("grid_id", "n")
        .order_by()
    )
    grids = Grid.objects.visible_to(request.user).filter(is_active=True, boundary__isnull=False)
    if bbox is not None:
        west, south, east, north = bbox
        # A grid's box overlapping the view (its centre may be outside it).
        grids = grids.filter(
            min_lng__lte=east, max_lng__gte=west, min_lat__lte=north, max_lat__gte=south
        )
    rows = grids.only("pk", "code", "name", "boundary")[: LIMIT + 1]
    return _collection(
        [
            {
                "type": "Feature",
                "geometry": g.boundary,
                "properties": {
                    "id": g.pk,
                    "code": g.code,
                    "name": g.name,
                    "cameras": counts.get(g.pk, 0),
                },
            }
            for g in rows
        ]
    )


urlpatterns = [
    path("map/", map_page, name="map"),
    path("map/cameras.geojson", map_cameras, name="map_cameras"),
    path("map/devices.geojson", map_devices, name="map_devices"),
    path("map/grids.geojson", map_grids, name="map_grids"),
]
