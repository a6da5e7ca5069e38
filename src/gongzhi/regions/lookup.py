"""Point → grid: which active grid (and so community, township, county) holds a point.

The index (``spatial_index.SpatialIndex``) lives in each process's memory and is built
lazily on first use; nothing is shared between processes. It is kept fresh two ways:

* saving or deleting a Grid or Region in this process invalidates it at once (signals);
* every few seconds (``GONGZHI["GRID_INDEX_CHECK_SECONDS"]``, default 5) one query reads a
  version stamp — count, latest ``updated_at`` and highest id of the grids — so changes
  made by other processes are picked up too. Bulk writers set ``updated_at`` themselves.

A point outside every grid is given the nearest grid within
``GONGZHI["GRID_SNAP_TOLERANCE_M"]`` metres, with ``exact=False`` and the distance.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from shapely.geometry import shape

from .coords import normalise_crs, to_wgs84
from .spatial_index import SpatialIndex


@dataclass(frozen=True, slots=True)
class GridHit:
    grid_id: int
    code: str
    name: str
    region_path: str
    county_code: str | None
    township_code: str | None
    community_code: str | None
    exact: bool
    distance_m: float


class BatchHits(NamedTuple):
    grid_id: np.ndarray  # int64 grid primary keys, -1 where no grid
    exact: np.ndarray  # bool: inside the grid (False for snapped or missing points)
    distance_m: np.ndarray  # 0 inside, metres when snapped, NaN when no grid


class GridLookup:
    """An immutable snapshot of the active grids and their index."""

    def __init__(self, grids: list[dict], levels: dict[str, str], tolerance_m: float):
        self.grid_ids = np.array([g["id"] for g in grids], dtype=np.int64)
        self.index = SpatialIndex([shape(g["boundary"]) for g in grids], tolerance_m)
        self.hits = [self._hit(g, levels) for g in grids]
        self.by_id = {h.grid_id: h for h in self.hits}

    @staticmethod
    def _hit(grid: dict, levels: dict[str, str]) -> GridHit:
        by_level = {levels.get(code): code for code in grid["region_path"].strip("/").split("/")}
        return GridHit(
            grid_id=grid["id"],
            code=grid["code"],
            name=grid["name"],
            region_path=grid["region_path"],
            county_code=by_level.get("county"),
            township_code=by_level.get("township"),
            community_code=by_level.get("community"),
            exact=True,
            distance_m=0.0,
        )

    def locate(self, lng: float, lat: float) -> GridHit | None:
        found = self.index.locate(lng, lat)
        if found is None:
            return None
        g, exact, distance = found
        hit = self.hits[g]
        return hit if exact else replace(hit, exact=False, distance_m=distance)

    def locate_many(self, lngs, lats) -> BatchHits:
        found, exact, distance = self.index.locate_many(lngs, lats)
        ids = np.full(len(found), -1, dtype=np.int64)
        ids[found >= 0] = self.grid_ids[found[found >= 0]]
        return BatchHits(ids, exact, distance)


def _conf(key: str, default):
    return getattr(settings, "GONGZHI", {}).get(key, default)


class _Holder:
    lookup: GridLookup | None = None
    version: tuple | None = None
    next_check = 0.0
    lock = threading.Lock()


_holder = _Holder()


def _version() -> tuple:
    from .models import Grid

    v = Grid.objects.aggregate(n=Count("id"), latest=Max("updated_at"), top=Max("id"))
    return v["n"], v["latest"], v["top"]


def _build() -> GridLookup:
    from .models import Grid, Region, RegionLevel

    grids = list(
        Grid.objects.filter(is_active=True, boundary__isnull=False)
        .order_by("id")
        .values("id", "code", "name", "region_path", "boundary")
    )
    levels = dict(
        Region.objects.filter(
            level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.COMMUNITY]
        ).values_list("code", "level")
    )
    return GridLookup(grids, levels, float(_conf("GRID_SNAP_TOLERANCE_M", 200.0)))


def current() -> GridLookup:
    """This process's lookup, rebuilt if the grids changed (checked every few seconds)."""
    lookup = _holder.lookup
    if lookup is not None and time.monotonic() < _holder.next_check:
        return lookup
    with _holder.lock:
        version = _version()
        if _holder.lookup is None or version != _holder.version:
            _holder.lookup, _holder.version = _build(), version
        _holder.next_check = time.monotonic() + float(_conf("GRID_INDEX_CHECK_SECONDS", 5.0))
        return _holder.lookup


def invalidate() -> None:
    """Drop this process's index; the next lookup rebuilds it from the database."""
    _holder.lookup = None
    _holder.next_check = 0.0


def invalidate_on_commit() -> None:
    # Now, for reads later in this transaction, and again once committed (or at once when
    # not in a transaction), so an index built from uncommitted rows does not survive.
    invalidate()
    transaction.on_commit(invalidate)


def locate(lng: float, lat: float, *, crs: str | None = None) -> GridHit | None:
    """The grid holding (lng, lat) — WGS84 unless ``crs`` is "gcj02" or "bd09"."""
    if crs is not None and normalise_crs(crs) != "wgs84":
        lng, lat = to_wgs84(lng, lat, crs)
    return current().locate(float(lng), float(lat))


def grid_info(grid_id: int) -> GridHit | None:
    """A grid's code, name and place from the index, without reading its (large) row."""
    return current().by_id.get(grid_id)


def locate_many(lngs, lats, *, crs: str | None = None) -> BatchHits:
    """Vectorised ``locate``: arrays of grid ids, exactness and distances."""
    if crs is not None and normalise_crs(crs) != "wgs84":
        lngs, lats = to_wgs84(np.asarray(lngs, float), np.asarray(lats, float), crs)
    return current().locate_many(lngs, lats)
