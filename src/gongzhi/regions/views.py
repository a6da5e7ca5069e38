import math

import numpy as np
import shapely
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from shapely.geometry import mapping, shape

from . import drill, lookup
from .coords import normalise_crs
from .models import Grid, Region, RegionLevel
from .services import hit_as_dict

MAP_LEVELS = (RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP)
MAP_DECIMALS = 5  # ~1 m: plenty for a map, and a third smaller than full precision


def _drill_page(request, node):
    level = drill.level(request.user, node, now=timezone.now())
    return render(request, "regions/index.html", {"level": level, "node": node})


@login_required
@require_GET
def region_index(request):
    """区划与网格: the top of the viewer's own area (one region, or their several side by
    side), or a word that they have none."""
    tops = drill.tops(request.user)
    if not tops:
        return render(request, "regions/index.html", {"level": None, "node": None})
    return _drill_page(request, tops[0] if len(tops) == 1 else None)


@login_required
@require_GET
def region_drill(request, code):
    """One region of the viewer's area and its children (a community: its grids)."""
    node = drill.region_for(request.user, code)
    if node is None:
        raise Http404(_("This region is not in your area."))
    return _drill_page(request, node)


@login_required
@require_GET
def locate(request):
    """GET ?lng=&lat=[&crs=gcj02|bd09] → the grid holding the point and its region chain.

    Where a place is, is not private: any signed-in user may ask (reporting needs it).
    """
    try:
        lng, lat = float(request.GET["lng"]), float(request.GET["lat"])
        crs = normalise_crs(request.GET.get("crs"))
        if not (math.isfinite(lng) and math.isfinite(lat)) or abs(lng) > 180 or abs(lat) > 90:
            raise ValueError
    except (KeyError, ValueError):
        return JsonResponse(
            {"error": _("Give lng and lat in degrees, and optionally crs=wgs84, gcj02 or bd09.")},
            status=400,
        )
    hit = lookup.locate(lng, lat, crs=crs)
    if hit is None:
        return JsonResponse({"grid": None, "message": _("This point is in no grid.")})
    return JsonResponse(hit_as_dict(hit))


def _feature(obj, level: str) -> dict:
    geom = shapely.transform(shape(obj.boundary), lambda xy: np.round(xy, MAP_DECIMALS))
    return {
        "type": "Feature",
        "geometry": mapping(geom),
        "properties": {"code": obj.code, "name": obj.name, "level": level},
    }


def _region_layers(regions) -> list[dict]:
    """City, county and township outlines as GeoJSON layers, coarse to fine (empty ones left
    out): the map draws them in this order."""
    by_level: dict[str, list] = {level: [] for level in MAP_LEVELS}
    for region in regions.filter(level__in=MAP_LEVELS, boundary__isnull=False).only(
        "code", "name", "level", "boundary"
    ):
        by_level[region.level].append(_feature(region, region.level))
    return [{"level": level, "features": feats} for level, feats in by_level.items() if feats]


def _within_layers(request, code: str) -> JsonResponse:
    """One region of the viewer's area and the outlines of its children (a community's: its
    grids), as two layers: the drill-down's map."""
    node = Region.objects.visible_to(request.user).filter(code=code).first()
    if node is None:
        return JsonResponse({"error": _("This region is not in your area.")}, status=404)
    result = [
        {"level": node.level, "features": [_feature(node, node.level)] if node.boundary else []}
    ]
    if node.level == RegionLevel.COMMUNITY:
        children = Grid.objects.visible_to(request.user).filter(community=node, is_active=True)
        level = "grid"
    else:
        children = Region.objects.visible_to(request.user).filter(parent=node)
        level = drill.child_level_of(node.level)
    children = children.filter(boundary__isnull=False).only("code", "name", "boundary")
    result.append({"level": level, "features": [_feature(c, level) for c in children]})
    return JsonResponse({"layers": result})


@login_required
@require_GET
def layers(request):
    """The viewer's cities, counties, townships and grids as GeoJSON layers for the map.

    ``?max_grids=N``: leave the grids out when the viewer sees more than N of them and some
    region outline as well. A city's two thousand grids are ~750 KB of JSON and a grey blur
    at the zoom that shows the city; a tapped point still finds its grid (``locate``).

    ``?within=CODE``: only that region of the viewer's area and its children's outlines.
    """
    if request.GET.get("within"):
        return _within_layers(request, request.GET["within"])
    result = _region_layers(Region.objects.visible_to(request.user))
    grids = (
        Grid.objects.visible_to(request.user)
        .filter(is_active=True, boundary__isnull=False)
        .only("code", "name", "boundary")
    )
    cap = request.GET.get("max_grids", "")
    if cap.isdigit() and result:
        count = grids.count()
        if count > int(cap):
            return JsonResponse({"layers": result, "grids_left_out": count})
    # Coarse to fine: the map draws them in this order, so grids end up on top.
    result.append({"level": "grid", "features": [_feature(g, "grid") for g in grids]})
    return JsonResponse({"layers": result})


@login_required
@require_GET
@cache_control(private=True, max_age=600)  # ~200 KB that changes only with a boundary import
def outlines(request):
    """The city, county and township outlines of the whole territory, for the 随手拍 map of
    someone whose own scope holds no region (a resident): administrative boundaries are
    public geography, like the answer of ``locate``. Nothing else (no grid, no record)."""
    return JsonResponse({"layers": _region_layers(Region.objects.all())})
