"""Geometry helpers shared by the models, the importer, the demo generator and the lookup."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import shapely
from pyproj import Geod
from shapely.geometry import MultiPolygon, Polygon, mapping, shape

_GEOD = Geod(ellps="WGS84")
# Metres per degree of latitude (mean) and of longitude at the equator, for local estimates.
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LNG = 111_320.0


@dataclass(frozen=True)
class BoundaryStats:
    bbox: tuple[float, float, float, float]
    centre: tuple[float, float]
    area_km2: float


def boundary_stats(geojson: dict) -> BoundaryStats:
    geom = shape(geojson)
    point = geom.representative_point()  # always inside, unlike the centroid of a crescent
    area_m2, _ = _GEOD.geometry_area_perimeter(geom)
    return BoundaryStats(
        bbox=tuple(geom.bounds),
        centre=(round(point.x, 6), round(point.y, 6)),
        area_km2=round(abs(area_m2) / 1e6, 4),
    )


def polygonal(geom) -> Polygon | MultiPolygon:
    """The polygonal part of a geometry (clipping can leave stray lines or points)."""
    if geom is None or geom.is_empty:
        return MultiPolygon()
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    polys = [q for p in parts for q in shapely.get_parts(p)]
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def to_geojson(geom) -> dict:
    """Plain-JSON GeoJSON (lists, not tuples) so it compares equal to what the DB returns."""
    return json.loads(json.dumps(mapping(geom)))


def deg2_to_m2(area_deg2: float, lat: float) -> float:
    """A small area in square degrees at latitude ``lat`` in square metres (local estimate)."""
    return area_deg2 * M_PER_DEG_LAT * M_PER_DEG_LNG * math.cos(math.radians(lat))
