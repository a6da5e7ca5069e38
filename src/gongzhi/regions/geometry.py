"""Geometry helpers shared by the models, the importer and the lookup index."""

from dataclasses import dataclass

from pyproj import Geod
from shapely.geometry import shape

_GEOD = Geod(ellps="WGS84")


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
