"""Regions and grids for the JSON API (mounted at /api/v1/regions by ``gongzhi.api``).

GET /regions          the administrative tree the caller may see (each row names its parent)
GET /regions/grids    the grids the caller may see
GET /regions/locate   which grid (and community, township, county) holds a point

Lists are scoped by ``visible_to`` like the pages; where a point lies is not private, so
any signed-in caller may locate one (reporting needs it), as on the map page.
"""

from typing import Literal

from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from gongzhi.core.api import ERRORS, Pages
from gongzhi.core.errors import ServiceError

from . import lookup
from .models import Grid, Region

router = Router(tags=["regions"])

Level = Literal["province", "city", "county", "township", "community"]


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None
    path: str
    centre_lng: float | None
    centre_lat: float | None
    is_synthetic: bool

    @staticmethod
    def resolve_parent(obj) -> str | None:
        return _parent_code(obj.path)


class GridOut(Schema):
    code: str
    name: str
    community: str
    region_path: str
    households: int | None
    population: int | None
    is_active: bool
    centre_lng: float | None
    centre_lat: float | None

    @staticmethod
    def resolve_community(obj) -> str:
        return obj.community.code


class Place(Schema):
    code: str
    name: str


class PointOut(Schema):
    lng: float
    lat: float
    found: bool
    exact: bool | None = Field(None, description="inside the grid (false: the nearest one)")
    distance_m: float | None = None
    grid: Place | None = None
    community: Place | None = None
    township: Place | None = None
    county: Place | None = None


class RegionFilter(Schema):
    level: Level | None = None
    parent: str | None = Field(None, max_length=12, description="a parent region's code")
    q: str | None = Field(None, max_length=60, description="part of the name or code")


class GridFilter(Schema):
    region: str | None = Field(None, max_length=12, description="grids within this region")
    q: str | None = Field(None, max_length=60, description="part of the name or code")
    active: bool | None = None


# Boundaries are large and no list needs them.
REGION_COLUMNS = ("code", "name", "level", "path", "centre_lng", "centre_lat", "is_synthetic")


def _region_path(code: str) -> str:
    path = Region.objects.filter(code=code.strip()).values_list("path", flat=True).first()
    if path is None:
        raise ServiceError("unknown_region", _("There is no region with this code."), "region")
    return path


@router.get("", response={200: list[RegionOut], **ERRORS}, summary="Regions")
@paginate(Pages)
def regions(request, filters: Query[RegionFilter]):
    rows = Region.objects.visible_to(request.user).only(*REGION_COLUMNS)
    if filters.level:
        rows = rows.filter(level=filters.level)
    if filters.parent:
        rows = rows.filter(parent__code=filters.parent.strip())
    if filters.q:
        rows = rows.filter(Q(name__icontains=filters.q) | Q(code__startswith=filters.q.strip()))
    return rows.order_by("path")


def _parent_code(path: str) -> str | None:
    codes = [c for c in path.strip("/").split("/") if c]
    return codes[-2] if len(codes) > 1 else None


@router.get("/grids", response={200: list[GridOut], **ERRORS}, summary="Grids")
@paginate(Pages)
def grids(request, filters: Query[GridFilter]):
    rows = Grid.objects.visible_to(request.user).select_related("community")
    if filters.region:
        rows = rows.filter(region_path__startswith=_region_path(filters.region))
    if filters.q:
        rows = rows.filter(Q(name__icontains=filters.q) | Q(code__startswith=filters.q.strip()))
    if filters.active is not None:
        rows = rows.filter(is_active=filters.active)
    return rows.only(
        "code",
        "name",
        "region_path",
        "households",
        "population",
        "is_active",
        "centre_lng",
        "centre_lat",
        "community__code",
    ).order_by("code")


@router.get("/locate", response={200: PointOut, **ERRORS}, summary="Locate a point")
def locate(
    request,
    lng: float = Query(..., ge=-180, le=180),
    lat: float = Query(..., ge=-90, le=90),
    crs: Literal["wgs84", "gcj02", "bd09"] = "wgs84",
):
    """The grid holding the point, and its community, township and county. A point just
    outside every grid gets the nearest grid within the snap tolerance (``exact`` false);
    farther away, ``found`` is false."""
    hit = lookup.locate(lng, lat, crs=crs)
    out = {"lng": lng, "lat": lat, "found": hit is not None}
    if hit is None:
        return out
    codes = [hit.community_code, hit.township_code, hit.county_code]
    names = dict(
        Region.objects.filter(code__in=[c for c in codes if c]).values_list("code", "name")
    )

    def place(code):
        return {"code": code, "name": names[code]} if code in names else None

    return {
        **out,
        "exact": hit.exact,
        "distance_m": round(hit.distance_m, 1),
        "grid": {"code": hit.code, "name": hit.name},
        "community": place(hit.community_code),
        "township": place(hit.township_code),
        "county": place(hit.county_code),
    }
