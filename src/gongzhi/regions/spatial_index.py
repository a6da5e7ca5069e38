"""A point → polygon index for non-overlapping polygons (the grids), without Django.

Most points are answered by one array read. A regular raster of square cells (~70 m)
covers the polygons' extent plus the snap tolerance. Each cell holds one int32:

* ``g >= 0`` — the cell lies entirely inside polygon ``g``: the answer, no geometry needed;
* ``-1``     — no polygon within the tolerance of any point of the cell: no answer;
* ``<= -2``  — slot ``-2 - value``: the cell is crossed by polygon boundaries (its
  candidates, the polygons whose boundary crosses it, are tested exactly with
  ``intersects_xy`` on prepared geometries) or lies near the outside edge; a point that
  no candidate contains gets the nearest polygon within the tolerance, measured in metres
  in a transverse Mercator projection centred on the data (scale error < 1e-4 here).

Boundary cells are found exactly by walking every boundary segment through the raster
(vectorised: the crossings of each segment with the raster lines split it into pieces,
each inside one cell). A cell that no boundary crosses lies wholly inside one polygon or
wholly outside all, so a single point test per run of such cells in a row labels them.

Ties (a point on an edge shared by two polygons) go to the lower polygon index, which is
what a naive loop over the polygons in index order returns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Transformer

from .geometry import M_PER_DEG_LAT, M_PER_DEG_LNG

MAX_CELLS = 4_000_000
CELLS_PER_POLYGON_SIDE = 36  # ~1,300 cells per polygon: about 10% of cells are boundary cells
MIN_CELL_M = 5.0
NO_HIT = -1


@dataclass(frozen=True)
class Raster:
    x0: float
    y0: float
    dx: float
    dy: float
    ncols: int
    nrows: int

    def uv(self, x, y):
        return (np.asarray(x) - self.x0) / self.dx, (np.asarray(y) - self.y0) / self.dy


class SpatialIndex:
    """Immutable once built; build a new one when the polygons change."""

    def __init__(self, geoms, tolerance_m: float):
        self.geoms = np.asarray(geoms, dtype=object)
        self.tolerance_m = float(tolerance_m)
        self.n = len(self.geoms)
        shapely.prepare(self.geoms)
        if self.n == 0:
            self.raster = None
            return
        # GEOS builds a prepared polygon's point locator lazily on first use; do it now, in
        # one thread, rather than racing on it from several request threads later.
        b = shapely.bounds(self.geoms)  # a point inside each envelope reaches the locator
        shapely.intersects_xy(self.geoms, (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2)
        self._build_metric()
        self._build_raster()

    # --- building -----------------------------------------------------------------------

    def _build_metric(self) -> None:
        xmin, ymin, xmax, ymax = shapely.total_bounds(self.geoms)
        lon0, lat0 = (xmin + xmax) / 2, (ymin + ymax) / 2
        self._to_metric = Transformer.from_crs(
            "EPSG:4326",
            f"+proj=tmerc +lon_0={lon0} +lat_0={lat0} +ellps=WGS84 +units=m",
            always_xy=True,
        )

        def project(xy):
            return np.column_stack(self._to_metric.transform(xy[:, 0], xy[:, 1]))

        self.metric_tree = shapely.STRtree(shapely.transform(self.geoms, project))

    def _build_raster(self) -> None:
        xmin, ymin, xmax, ymax = shapely.total_bounds(self.geoms)
        coslat_min = math.cos(math.radians(max(abs(ymin), abs(ymax))))
        # Margins wide enough to hold every point within the tolerance (lng degrees shrink).
        mx = self.tolerance_m / (M_PER_DEG_LNG * coslat_min) * 1.01 + 1e-9
        my = self.tolerance_m / M_PER_DEG_LAT * 1.01 + 1e-9
        xmin, xmax, ymin, ymax = xmin - mx, xmax + mx, ymin - my, ymax + my
        kx = M_PER_DEG_LNG * math.cos(math.radians((ymin + ymax) / 2))
        width_m, height_m = (xmax - xmin) * kx, (ymax - ymin) * M_PER_DEG_LAT
        typical = math.sqrt(float(shapely.area(self.geoms).sum()) * kx * M_PER_DEG_LAT / self.n)
        cell_m = max(
            typical / CELLS_PER_POLYGON_SIDE, math.sqrt(width_m * height_m / MAX_CELLS), MIN_CELL_M
        )
        dx, dy = cell_m / kx, cell_m / M_PER_DEG_LAT
        r = Raster(
            xmin,
            ymin,
            dx,
            dy,
            int(math.ceil((xmax - xmin) / dx)) + 1,
            int(math.ceil((ymax - ymin) / dy)) + 1,
        )
        self.raster, self.cell_m = r, cell_m

        cell_ids, owners = self._boundary_crossings()
        ncells = r.ncols * r.nrows
        boundary = np.zeros(ncells, dtype=bool)
        boundary[cell_ids] = True
        cells = self._label_interior(boundary)
        near = self._near_outside(boundary) & (cells == NO_HIT) & ~boundary
        slow = boundary | near
        slots = np.flatnonzero(slow)
        cells[slots] = -2 - np.arange(len(slots), dtype=np.int32)
        # Candidates per slot (CSR), sorted by polygon index so the first hit is the lowest.
        slot_of = -2 - cells[cell_ids]
        order = np.lexsort((owners, slot_of))
        self.cand = owners[order].astype(np.int32)
        self.ptr = np.zeros(len(slots) + 1, dtype=np.int64)
        np.cumsum(np.bincount(slot_of, minlength=len(slots)), out=self.ptr[1:])
        self.cells = cells
        # memoryviews index ~3x faster than numpy arrays for single Python ints.
        self._cells_mv = memoryview(cells)
        self._cand_mv = memoryview(self.cand)
        self._ptr_mv = memoryview(self.ptr)
        self.stats = {
            "cells": int(ncells),
            "cell_m": round(cell_m, 1),
            "boundary_cells": int(boundary.sum()),
            "near_cells": int(near.sum()),
            "candidates": int(len(self.cand)),
        }

    def _boundary_crossings(self):
        """Unique (cell, polygon) pairs for every cell a polygon's boundary passes through."""
        r = self.raster
        # One LineString per ring (get_parts splits the MultiLineStrings of holes/multipolygons).
        lines, line_owner = shapely.get_parts(shapely.boundary(self.geoms), return_index=True)
        xy, line_of = shapely.get_coordinates(lines, return_index=True)
        same = line_of[1:] == line_of[:-1]  # consecutive coordinates of one ring = a segment
        u, v = r.uv(xy[:, 0], xy[:, 1])
        u0, v0, u1, v1 = u[:-1][same], v[:-1][same], u[1:][same], v[1:][same]
        seg_owner = line_owner[line_of[:-1][same]]
        nseg = len(u0)
        # Parameters t where each segment crosses a vertical (u = k) or horizontal line.
        ts, segs = [np.zeros(nseg), np.ones(nseg)], [np.arange(nseg), np.arange(nseg)]
        for a0, a1 in ((u0, u1), (v0, v1)):
            lo, hi = np.floor(np.minimum(a0, a1)), np.floor(np.maximum(a0, a1))
            count = (hi - lo).astype(np.int64)
            seg = np.repeat(np.arange(nseg), count)
            k = lo[seg] + 1 + (np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count))
            with np.errstate(divide="ignore", invalid="ignore"):
                ts.append((k - a0[seg]) / (a1[seg] - a0[seg]))
            segs.append(seg)
        t, seg = np.concatenate(ts), np.concatenate(segs)
        order = np.lexsort((t, seg))
        t, seg = t[order], seg[order]
        keep = seg[1:] == seg[:-1]
        mid = (t[1:][keep] + t[:-1][keep]) / 2  # the middle of each piece: inside one cell
        s = seg[1:][keep]
        cu = np.floor(u0[s] + mid * (u1[s] - u0[s])).astype(np.int64)
        cv = np.floor(v0[s] + mid * (v1[s] - v0[s])).astype(np.int64)
        pairs = np.unique(np.column_stack([cv * r.ncols + cu, seg_owner[s]]), axis=0)
        return pairs[:, 0], pairs[:, 1].astype(np.int32)

    def _label_interior(self, boundary: np.ndarray) -> np.ndarray:
        """Polygon of every cell no boundary crosses: one point test per run in a row."""
        r = self.raster
        cells = np.full(boundary.size, NO_HIT, dtype=np.int32)
        free = ~boundary
        col = np.arange(boundary.size) % r.ncols
        prev_boundary = np.concatenate([[True], boundary[:-1]])
        is_start = free & ((col == 0) | prev_boundary)
        starts = np.flatnonzero(is_start)
        x = r.x0 + (col[starts] + 0.5) * r.dx
        y = r.y0 + (starts // r.ncols + 0.5) * r.dy
        tree = shapely.STRtree(self.geoms)
        pt, poly = tree.query(shapely.points(x, y), predicate="intersects")
        label = np.full(len(starts), NO_HIT, dtype=np.int32)
        if len(pt):
            first = np.full(len(starts), self.n, dtype=np.int64)
            np.minimum.at(first, pt, poly)
            hit = first < self.n
            label[hit] = first[hit]
        run = np.cumsum(is_start) - 1  # the run each cell belongs to
        cells[free] = label[run[free]]
        return cells

    def _near_outside(self, boundary: np.ndarray) -> np.ndarray:
        """Cells within the tolerance of a boundary cell: a square dilation, so conservative.

        A point outside every polygon but within the tolerance of one is within the
        tolerance of its boundary, hence of a boundary cell, hence at most k cells away.
        """
        r = self.raster
        ymax = r.y0 + r.nrows * r.dy
        narrowest = min(
            r.dx * M_PER_DEG_LNG * math.cos(math.radians(max(abs(r.y0), abs(ymax)))),
            r.dy * M_PER_DEG_LAT,
        )
        k = int(math.ceil(self.tolerance_m / narrowest)) + 1
        out = boundary.reshape(r.nrows, r.ncols).copy()
        for _ in range(k):  # each round grows by one cell in all 8 directions
            grown = out.copy()
            grown[:, 1:] |= out[:, :-1]
            grown[:, :-1] |= out[:, 1:]
            out = grown.copy()
            out[1:, :] |= grown[:-1, :]
            out[:-1, :] |= grown[1:, :]
        return out.ravel()

    # --- queries ------------------------------------------------------------------------

    def locate(self, x: float, y: float) -> tuple[int, bool, float] | None:
        """(polygon index, inside?, distance in metres) or None beyond the tolerance."""
        r = self.raster
        if r is None:
            return None
        u = (x - r.x0) / r.dx
        v = (y - r.y0) / r.dy
        if not (0.0 <= u < r.ncols and 0.0 <= v < r.nrows):  # also rejects NaN
            return None
        value = self._cells_mv[int(v) * r.ncols + int(u)]
        if value >= 0:
            return value, True, 0.0
        if value == NO_HIT:
            return None
        slot = -2 - value
        cand, geoms = self._cand_mv, self.geoms
        for i in range(self._ptr_mv[slot], self._ptr_mv[slot + 1]):
            g = cand[i]
            if shapely.intersects_xy(geoms[g], x, y):
                return g, True, 0.0
        return self._nearest_one(x, y)

    def _nearest_one(self, x: float, y: float):
        mx, my = self._to_metric.transform(x, y)
        idx, dist = self.metric_tree.query_nearest(
            shapely.Point(mx, my), max_distance=self.tolerance_m, return_distance=True
        )
        if len(idx) == 0:
            return None
        return int(idx.min()), False, float(dist.min())

    def locate_many(self, x, y) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per point: polygon index (-1: none), inside?, distance in metres (NaN: none)."""
        x = np.ascontiguousarray(x, dtype=np.float64).ravel()
        y = np.ascontiguousarray(y, dtype=np.float64).ravel()
        n = len(x)
        found = np.full(n, NO_HIT, dtype=np.int64)
        dist = np.full(n, np.nan)
        r = self.raster
        if r is None or n == 0:
            return found, np.zeros(n, dtype=bool), dist
        u, v = r.uv(x, y)
        inside = (u >= 0) & (u < r.ncols) & (v >= 0) & (v < r.nrows)
        flat = np.zeros(n, dtype=np.int64)
        flat[inside] = v[inside].astype(np.int64) * r.ncols + u[inside].astype(np.int64)
        value = np.where(inside, self.cells[flat], NO_HIT)
        pure = value >= 0
        found[pure] = value[pure]
        exact = pure.copy()
        dist[pure] = 0.0
        slow = np.flatnonzero(value <= -2)
        if len(slow):
            self._resolve_slow(x, y, slow, -2 - value[slow], found, exact, dist)
        return found, exact, dist

    def _resolve_slow(self, x, y, slow, slots, found, exact, dist) -> None:
        """Exact tests on the candidates of boundary cells, then the nearest within tolerance."""
        starts = self.ptr[slots]
        counts = self.ptr[slots + 1] - starts
        owner = np.repeat(np.arange(len(slow)), counts)
        offs = np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(counts.sum())
        cand = self.cand[offs]
        hit = shapely.intersects_xy(self.geoms[cand], x[slow[owner]], y[slow[owner]])
        first = np.full(len(slow), self.n, dtype=np.int64)
        np.minimum.at(first, owner[hit], cand[hit])
        ok = first < self.n
        found[slow[ok]] = first[ok]
        exact[slow[ok]] = True
        dist[slow[ok]] = 0.0
        rest = slow[~ok]
        if len(rest):
            mx, my = self._to_metric.transform(x[rest], y[rest])
            (pt, poly), d = self.metric_tree.query_nearest(
                shapely.points(mx, my), max_distance=self.tolerance_m, return_distance=True
            )
            best = np.full(len(rest), self.n, dtype=np.int64)
            np.minimum.at(best, pt, poly)
            near = best < self.n
            found[rest[near]] = best[near]
            best_d = np.full(len(rest), np.inf)
            np.minimum.at(best_d, pt, d)
            dist[rest[near]] = best_d[near]
