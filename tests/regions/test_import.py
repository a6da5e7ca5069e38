"""`regions import`: everything validated first, nothing written when anything is wrong."""

import json
import os
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
import shapely
from django.core.management import CommandError, call_command
from shapely.geometry import Polygon, box

from gongzhi.regions import coords, lookup
from gongzhi.regions.models import Grid, Region

from .factories import LAT0, LNG0, SIZE, geojson, make_tree, square

GONGZHI = str(Path(sys.executable).with_name("gongzhi"))


def feature(code, name, level, parent, geom, **props):
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name, "level": level, "parent_code": parent, **props},
        "geometry": geojson(geom) if geom is not None else None,
    }


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def write(tmp_path, data, name="in.geojson"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def new_community_file(**overrides):
    """A second community beside the factory's one, with two grids tiling it."""
    outline = box(LNG0, LAT0 + 2 * SIZE, LNG0 + 2 * SIZE, LAT0 + 3 * SIZE)
    grids = [square(0, 2), square(1, 2)]
    grids = overrides.get("grids", grids)
    return collection(
        feature(
            "630202100002",
            "碾伯镇第2社区",
            "community",
            "630202100",
            overrides.get("outline", outline),
        ),
        *[
            feature(
                f"630202100002-{i:02d}", f"第{i}网格", "grid", "630202100002", g, households=120 + i
            )
            for i, g in enumerate(grids, start=1)
        ],
    )


def run(*args):
    out = StringIO()
    call_command("regions", *args, stdout=out)
    return out.getvalue()


def snapshot():
    return (
        sorted(Region.objects.values_list("code", "name", "path", "boundary", "updated_at")),
        sorted(Grid.objects.values_list("code", "name", "region_path", "boundary", "updated_at")),
    )


@pytest.fixture
def tree(db):
    tree = make_tree()
    # The township now also covers the row where the new community will go.
    township = tree["township"]
    township.boundary = geojson(box(LNG0, LAT0, LNG0 + 2 * SIZE, LAT0 + 3 * SIZE))
    township.save()
    return tree


def test_a_good_file_is_imported_and_a_second_run_changes_nothing(tree, tmp_path):
    path = write(tmp_path, new_community_file())
    out = run("import", path)
    assert "3 features: 3 created, 0 updated" in out
    community = Region.objects.get(code="630202100002")
    assert community.path == "/630000/630200/630202/630202100/630202100002/"
    grid = Grid.objects.get(code="630202100002-02")
    assert grid.community == community and grid.households == 122
    assert grid.region_path == community.path and grid.source == "imported from in.geojson"
    before = snapshot()
    assert "0 created, 0 updated, 3 unchanged" in run("import", path)
    assert snapshot() == before


def test_dry_run_validates_and_counts_but_writes_nothing(tree, tmp_path):
    before = snapshot()
    out = run("import", write(tmp_path, new_community_file()), "--dry-run")
    assert "Dry run" in out and "3 created" in out
    assert snapshot() == before


def _fails(path, *extra):
    out = StringIO()
    with pytest.raises(CommandError, match="nothing was imported") as info:
        call_command("regions", "import", path, *extra, stdout=out)
    return out.getvalue(), str(info.value)


def test_invalid_geometry_is_reported_with_the_reason(tree, tmp_path):
    bowtie = Polygon(
        [
            (LNG0, LAT0 + 0.02),
            (LNG0 + 0.02, LAT0 + 0.03),
            (LNG0 + 0.02, LAT0 + 0.02),
            (LNG0, LAT0 + 0.03),
        ]
    )
    before = snapshot()
    out, _ = _fails(write(tmp_path, new_community_file(grids=[bowtie, square(1, 2)])))
    assert "#2 630202100002-01: invalid geometry: Self-intersection" in out
    assert snapshot() == before


def test_missing_and_unknown_parents(tree, tmp_path):
    data = collection(
        feature("630202300", "无名乡", "township", None, None),
        feature("630202301", "某乡", "township", "639999", None),
        feature("630202100001-09", "第9网格", "grid", "630202100", square(0, 0)),
        feature("630299", "某县", "county", "630202100001", None),
    )
    out, message = _fails(write(tmp_path, data))
    assert "#1 630202300: missing parent_code" in out
    assert "#2 630202301: unknown parent 639999" in out
    assert "#3 630202100001-09: a grid's parent must be a community, 630202100 is a township" in out
    assert "#4 630299: parent 630202100001 (community) is not above a county" in out
    assert "4 problem(s)" in message


def test_overlapping_siblings_are_reported(tree, tmp_path):
    wide = box(LNG0, LAT0 + 2 * SIZE, LNG0 + 1.5 * SIZE, LAT0 + 3 * SIZE)  # into its neighbour
    before = snapshot()
    out, _ = _fails(write(tmp_path, new_community_file(grids=[wide, square(1, 2)])))
    assert "#2 630202100002-01: overlaps 630202100002-02 by" in out
    assert snapshot() == before


def test_overlap_with_a_stored_sibling_is_reported(tree, tmp_path):
    # The new community overlaps the stored one (row 1) as well as its own row.
    outline = box(LNG0, LAT0 + 1.5 * SIZE, LNG0 + 2 * SIZE, LAT0 + 3 * SIZE)
    out, _ = _fails(write(tmp_path, new_community_file(outline=outline)))
    assert "#1 630202100002: overlaps 630202100001" in out or "630202100001: overlaps" in out


def test_gaps_are_reported_unless_allowed(tree, tmp_path):
    path = write(tmp_path, new_community_file(grids=[square(0, 2)]))  # the east half uncovered
    out, _ = _fails(path)
    assert "#1 630202100002: its children leave" in out and "uncovered" in out
    assert not Region.objects.filter(code="630202100002").exists()
    out = run("import", path, "--allow-gaps")
    assert "uncovered" in out and Region.objects.filter(code="630202100002").exists()


def test_a_child_outside_its_parent_is_reported(tree, tmp_path):
    outside = box(LNG0, LAT0 + 2 * SIZE, LNG0 + 2 * SIZE, LAT0 + 3.2 * SIZE)
    out, _ = _fails(write(tmp_path, new_community_file(outline=outside, grids=[outside])))
    assert "#1 630202100002: extends" in out and "outside its parent 630202100" in out


def test_slivers_below_the_tolerance_are_ignored(tree, tmp_path):
    # Grids that miss each other by 1 cm: a gap along the whole shared edge, but narrow.
    eps = 1e-7
    left = box(LNG0, LAT0 + 2 * SIZE, LNG0 + SIZE - eps, LAT0 + 3 * SIZE)
    right = box(LNG0 + SIZE + eps, LAT0 + 2 * SIZE, LNG0 + 2 * SIZE, LAT0 + 3 * SIZE)
    path = write(tmp_path, new_community_file(grids=[left, right]))
    assert "3 created" in run("import", path, "--dry-run")
    _fails(path, "--tolerance-m", "0.001")


def test_gcj02_input_is_converted_to_wgs84(tree, tmp_path):
    data = new_community_file()
    for f in data["features"]:
        geom = shapely.geometry.shape(f["geometry"])
        f["geometry"] = geojson(
            shapely.transform(
                geom, lambda xy: np.column_stack(coords.wgs84_to_gcj02(xy[:, 0], xy[:, 1]))
            )
        )
    run("import", write(tmp_path, data), "--crs", "gcj02")
    stored = shapely.geometry.shape(Grid.objects.get(code="630202100002-01").boundary)
    assert stored.equals_exact(square(0, 2), tolerance=1e-8)


def test_a_file_that_is_not_geojson_is_refused(tree, tmp_path):
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json", encoding="utf-8")
    out, _ = _fails(str(bad))
    assert "cannot read bad.geojson" in out
    out, _ = _fails(write(tmp_path, {"type": "Feature"}))
    assert "not a GeoJSON FeatureCollection" in out
    point = feature("630202100002", "x", "community", "630202100", None)
    point["geometry"] = {"type": "Point", "coordinates": [LNG0, LAT0]}
    out, _ = _fails(write(tmp_path, collection(point, point)))
    assert "must be a Polygon or MultiPolygon, not Point" in out
    assert "code 630202100002 appears twice" in out


def test_moving_a_region_by_import_repaths_its_subtree(tree, tmp_path):
    # 碾伯镇 shrinks to its top row; a new 雨润镇 takes the bottom two rows and the community.
    data = collection(
        feature(
            "630202100",
            "碾伯镇",
            "township",
            "630202",
            box(LNG0, LAT0 + 2 * SIZE, LNG0 + 2 * SIZE, LAT0 + 3 * SIZE),
        ),
        feature(
            "630202101",
            "雨润镇",
            "township",
            "630202",
            box(LNG0, LAT0, LNG0 + 2 * SIZE, LAT0 + 2 * SIZE),
        ),
        feature(
            "630202100001",
            "碾伯镇第1社区",
            "community",
            "630202101",
            box(LNG0, LAT0, LNG0 + 2 * SIZE, LAT0 + 2 * SIZE),
        ),
    )
    assert "1 created, 2 updated" in run("import", write(tmp_path, data))
    assert Region.objects.get(code="630202100001").path == (
        "/630000/630200/630202/630202101/630202100001/"
    )
    assert set(Grid.objects.values_list("region_path", flat=True)) == {
        "/630000/630200/630202/630202101/630202100001/"
    }
    hit = lookup.locate(LNG0 + 0.005, LAT0 + 0.005)
    assert hit.township_code == "630202101"


def test_check_reports_stored_problems(tree):
    # The fixture's township is a row taller than its one community: a gap.
    with pytest.raises(CommandError, match="1 problem"):
        run("check")
    out = run("check", "--allow-gaps")
    assert "630202100: its children leave" in out and "No problems found." in out
    Grid.objects.filter(code="630202100001-01").update(boundary=geojson(square(0, 0, 0.015)))
    with pytest.raises(CommandError, match="problem"):
        run("check")


def test_locate_prints_the_grid_and_its_chain(tree):
    out = run("locate", str(LNG0 + 0.005), str(LAT0 + 0.005))
    data = json.loads(out)
    assert data["grid"]["code"] == "630202100001-01"
    assert [r["code"] for r in data["regions"]] == [
        "630000",
        "630200",
        "630202",
        "630202100",
        "630202100001",
    ]
    with pytest.raises(CommandError, match="No grid"):
        run("locate", "0", "0")


# --- the real command line, in a fresh SQLite database of its own ---------------------------


def _cli(args, var_dir):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GONGZHI_") and k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env["GONGZHI_VAR_DIR"] = str(var_dir)
    return subprocess.run([GONGZHI, *args], capture_output=True, text=True, env=env, timeout=300)


def test_the_cli_imports_and_refuses_a_bad_file_without_changing_anything(tmp_path, migrated_var):
    var = migrated_var
    base = collection(
        feature("630000", "青海省", "province", None, None),
        feature("630200", "海东市", "city", "630000", None),
        feature("630202", "乐都区", "county", "630200", None),
        feature(
            "630202100",
            "碾伯镇",
            "township",
            "630202",
            box(LNG0, LAT0, LNG0 + 2 * SIZE, LAT0 + SIZE),
        ),
        feature(
            "630202100001",
            "碾伯镇第1社区",
            "community",
            "630202100",
            box(LNG0, LAT0, LNG0 + 2 * SIZE, LAT0 + SIZE),
        ),
        feature("630202100001-01", "第1网格", "grid", "630202100001", square(0, 0)),
        feature("630202100001-02", "第2网格", "grid", "630202100001", square(1, 0)),
    )
    good = write(tmp_path, base, "good.geojson")
    proc = _cli(["regions", "import", good, "--allow-gaps"], var)
    assert proc.returncode == 0, proc.stderr
    assert "新建 7 个" in proc.stdout  # the command speaks the platform language, zh-hans

    def rows():
        with sqlite3.connect(var / "gongzhi.sqlite3") as db:
            return (
                db.execute(
                    "SELECT code, name, path, boundary FROM regions_region ORDER BY code"
                ).fetchall(),
                db.execute(
                    "SELECT code, name, boundary FROM regions_grid ORDER BY code"
                ).fetchall(),
            )

    before = rows()
    bad = json.loads(json.dumps(base))
    bad["features"][5]["properties"]["name"] = "改名"  # a valid change…
    bad["features"][6]["geometry"] = geojson(
        box(LNG0 + 0.5 * SIZE, LAT0, LNG0 + 2 * SIZE, LAT0 + SIZE)
    )  # …and an overlap
    proc = _cli(["regions", "import", write(tmp_path, bad, "bad.geojson"), "--allow-gaps"], var)
    assert proc.returncode != 0
    assert "630202100001-01: overlaps 630202100001-02" in proc.stdout
    assert "未导入任何数据" in proc.stderr
    assert rows() == before  # not even the valid rename

    proc = _cli(["regions", "locate", str(LNG0 + 0.015), str(LAT0 + 0.005)], var)
    assert proc.returncode == 0 and json.loads(proc.stdout)["grid"]["code"] == "630202100001-02"
