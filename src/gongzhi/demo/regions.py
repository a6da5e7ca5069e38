"""The demo's regions: real outlines of 青海省, 西宁市, 海东市 and their 13 counties from the
shipped fixture, plus synthetic townships, communities and ~2,000 grids for 海东's counties.

The synthetic tree is generated at load time (deterministic, under a second) rather than
shipped, which keeps the repository small. Loading is idempotent: rows are matched by code
and written only when something differs.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

from django.conf import settings
from shapely.geometry import shape

from gongzhi.demo import grids as synthetic
from gongzhi.regions.geometry import to_geojson
from gongzhi.regions.services import GridRow, RegionRow, sync_grids, sync_regions

FIXTURE = (
    Path(__file__).resolve().parent.parent / "regions" / "fixtures" / "qinghai_boundaries.geojson"
)
SYNTHETIC_SOURCE = {
    "township": "Demo data: real township name; code and boundary generated (synthetic)",
    "community": "Demo data: name, code and boundary generated (synthetic)",
    "grid": "Demo data: name, code, boundary and household counts generated (synthetic)",
}
LEVELS = ("province", "city", "county", "township", "community", "grid")


def fixture_rows() -> list[RegionRow]:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return [
        RegionRow(
            code=p["code"],
            name=p["name"],
            level=p["level"],
            parent_code=p.get("parent_code"),
            boundary=f.get("geometry"),
            is_synthetic=False,
            source=p.get("source", ""),
        )
        for f in data["features"]
        for p in [f["properties"]]
    ]


def synthetic_units(county_rows: list[RegionRow]) -> list[synthetic.Unit]:
    names = synthetic.township_names()
    units: list[synthetic.Unit] = []
    for row in county_rows:
        if row.code in names and row.boundary:
            units += synthetic.generate_county(row.code, shape(row.boundary), names[row.code])
    return units


def load(*, stdout=None) -> dict:
    """Load or refresh the demo regions; returns counts per level plus created/updated."""
    started = time.monotonic()
    rows = fixture_rows()
    city = settings.GONGZHI.get("DEMO_CITY_CODE", "630200")
    units = synthetic_units([r for r in rows if r.level == "county" and r.parent_code == city])
    rows += [
        RegionRow(
            code=u.code,
            name=u.name,
            level=u.level,
            parent_code=u.parent_code,
            boundary=to_geojson(u.geometry),
            is_synthetic=True,
            source=SYNTHETIC_SOURCE[u.level],
        )
        for u in units
        if u.level != "grid"
    ]
    grids = [
        GridRow(
            code=u.code,
            name=u.name,
            community_code=u.parent_code,
            boundary=to_geojson(u.geometry),
            is_synthetic=True,
            source=SYNTHETIC_SOURCE["grid"],
            extra=u.extra,
        )
        for u in units
        if u.level == "grid"
    ]
    counts: Counter = sync_regions(rows=rows) + sync_grids(rows=grids)
    result = {level: counts[level] for level in LEVELS}
    result.update(created=counts["created"], updated=counts["updated"])
    if stdout is not None:
        stdout.write(
            "regions: "
            + ", ".join(f"{k} {v}" for k, v in result.items())
            + f" ({time.monotonic() - started:.1f} s)\n"
        )
    return result
