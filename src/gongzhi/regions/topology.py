"""Do the children of a region tile it? Overlaps, gaps and spill-over, with a width tolerance.

Real boundary data never matches to the last digit, and an area threshold alone cannot
tell a harmless 1 cm sliver along a 20 km border from a real hole. So a piece of overlap
or gap only counts if something of it survives shrinking it by half the tolerance width
(``tolerance_m``, default 1 m) — i.e. if it is wider than the tolerance somewhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely

from .geometry import M_PER_DEG_LNG, deg2_to_m2, polygonal

DEFAULT_TOLERANCE_M = 1.0


@dataclass(frozen=True)
class Node:
    code: str
    kind: str  # "region" or "grid"
    level: str  # a RegionLevel value, or "grid"
    parent_code: str | None
    geom: object | None  # shapely geometry in WGS84, or None when the row has no boundary


@dataclass(frozen=True)
class Problem:
    code: str  # the feature (or the parent, for gaps) it is about
    kind: str  # "overlap", "gap", "outside_parent"
    message: str


def _where(geom) -> str:
    p = geom.representative_point()
    return f"near {p.x:.5f},{p.y:.5f}"


def significant(geom, tolerance_m: float) -> tuple[float, object] | None:
    """(area in m², the significant part) if some of ``geom`` is wider than the tolerance."""
    geom = polygonal(geom)
    if geom.is_empty:
        return None
    lat = geom.representative_point().y
    # Shrink by at least tolerance/2 metres in every direction (a lng degree is the shorter).
    d = tolerance_m / 2 / (M_PER_DEG_LNG * max(math.cos(math.radians(lat)), 0.01))
    core = polygonal(shapely.buffer(geom, -d)) if d > 0 else geom
    if core.is_empty:
        return None
    parts = shapely.get_parts(geom)
    wide = parts[shapely.intersects(parts, core)]  # the pieces that hold the wide bits
    return deg2_to_m2(float(shapely.area(wide).sum()), lat), core


def check_siblings(
    parent: Node | None, children: list[Node], focus: set[str], tolerance_m: float
) -> list[Problem]:
    """Problems among the children of one parent; only pairs touching ``focus`` codes."""
    problems: list[Problem] = []
    shaped = [c for c in children if c.geom is not None and not c.geom.is_empty]
    if len(shaped) > 1:
        geoms = np.array([c.geom for c in shaped], dtype=object)
        left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
        keep = left < right
        left, right = left[keep], right[keep]
        # Only pairs whose interiors meet can overlap by an area; touching borders cannot.
        inner = shapely.relate_pattern(geoms[left], geoms[right], "T********")
        for i, j in zip(left[inner], right[inner], strict=True):
            a, b = shaped[i], shaped[j]
            if a.code not in focus and b.code not in focus:
                continue
            found = significant(shapely.intersection(a.geom, b.geom), tolerance_m)
            if found:
                area, core = found
                problems.append(
                    Problem(
                        a.code, "overlap", f"overlaps {b.code} by {area:,.0f} m² ({_where(core)})"
                    )
                )
    if parent is None or parent.geom is None or parent.geom.is_empty:
        return problems
    for child in shaped:
        if child.code not in focus:
            continue
        found = significant(shapely.difference(child.geom, parent.geom), tolerance_m)
        if found:
            area, core = found
            problems.append(
                Problem(
                    child.code,
                    "outside_parent",
                    f"extends {area:,.0f} m² outside its parent {parent.code} ({_where(core)})",
                )
            )
    if children and len(shaped) == len(children):  # a child without a boundary: cannot tell
        union = shapely.union_all(np.array([c.geom for c in shaped], dtype=object))
        found = significant(shapely.difference(parent.geom, union), tolerance_m)
        if found:
            area, core = found
            parts = shapely.get_parts(core)
            problems.append(
                Problem(
                    parent.code,
                    "gap",
                    f"its children leave {area:,.0f} m² uncovered in "
                    f"{len(parts)} place(s), e.g. {_where(parts[0])}",
                )
            )
    return problems
