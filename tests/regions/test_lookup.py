"""Point → grid lookup: exact hits, edges, snapping, batches, and staying fresh."""

import math

import numpy as np
import pytest
import shapely
from django.utils import timezone
from pyproj import Geod

from gongzhi.regions import coords, lookup
from gongzhi.regions.models import Grid
from gongzhi.regions.spatial_index import SpatialIndex
from tests.factories import GridFactory, RegionFactory

from .factories import LAT0, LNG0, SIZE, geojson, make_tree, square

GEOD = Geod(ellps="WGS84")


def metres(lng1, lat1, lng2, lat2):
    return GEOD.inv(lng1, lat1, lng2, lat2)[2]


def local_distances(polys, lng, lat):
    """Metres from (lng, lat) to each polygon, in a local frame scaled by the ellipsoid's
    radii of curvature at the point: an independent check of the index's projection."""
    a, f = 6378137.0, 1 / 298.257223563
    e2 = f * (2 - f)
    s = math.sin(math.radians(lat))
    n = a / math.sqrt(1 - e2 * s * s)
    m = a * (1 - e2) / (1 - e2 * s * s) ** 1.5
    kx, ky = math.radians(1) * n * math.cos(math.radians(lat)), math.radians(1) * m
    local = shapely.transform(np.array(polys), lambda xy: (xy - [lng, lat]) * [kx, ky])
    return shapely.distance(local, shapely.Point(0, 0))


@pytest.fixture
def tree(db):
    return make_tree()  # 2 × 2 grids: 01 02 on the bottom row, 03 04 above


@pytest.mark.django_db
def test_points_inside_grids(tree):
    grids = tree["grids"]
    hit = lookup.locate(LNG0 + 0.005, LAT0 + 0.005)
    assert hit.grid_id == grids[0].pk and hit.code == "630202100001-01"
    assert hit.exact and hit.distance_m == 0.0
    assert (hit.county_code, hit.township_code, hit.community_code) == (
        "630202",
        "630202100",
        "630202100001",
    )
    assert lookup.locate(LNG0 + 0.015, LAT0 + 0.015).grid_id == grids[3].pk


@pytest.mark.django_db
def test_points_on_edges_and_corners_go_to_the_first_grid(tree):
    grids = tree["grids"]
    shared_edge = lookup.locate(LNG0 + SIZE, LAT0 + 0.004)  # between 01 and 02
    assert shared_edge.exact and shared_edge.grid_id == grids[0].pk
    corner = lookup.locate(LNG0 + SIZE, LAT0 + SIZE)  # where all four meet
    assert corner.exact and corner.grid_id == grids[0].pk
    outer_edge = lookup.locate(LNG0 + 2 * SIZE, LAT0 + 0.015)  # on 04's east side
    assert outer_edge.exact and outer_edge.grid_id == grids[3].pk


@pytest.mark.django_db
def test_outside_within_the_tolerance_snaps_to_the_nearest_grid(tree):
    lng, lat = LNG0 + 2 * SIZE + 0.001, LAT0 + 0.015  # ~90 m east of grid 04
    hit = lookup.locate(lng, lat)
    assert hit.grid_id == tree["grids"][3].pk and not hit.exact
    assert hit.distance_m == pytest.approx(metres(lng, lat, LNG0 + 2 * SIZE, lat), rel=1e-3)
    south = lookup.locate(LNG0 + 0.005, LAT0 - 0.0015)  # ~166 m south of grid 01
    assert south.grid_id == tree["grids"][0].pk and 160 < south.distance_m < 170


@pytest.mark.django_db
def test_outside_beyond_the_tolerance_is_no_grid(tree, settings):
    assert lookup.locate(LNG0 + 2 * SIZE + 0.003, LAT0 + 0.015) is None  # ~270 m away
    assert lookup.locate(LNG0 - 1, LAT0) is None
    assert lookup.locate(float("nan"), LAT0) is None
    settings.GONGZHI = {**settings.GONGZHI, "GRID_SNAP_TOLERANCE_M": 300.0}
    lookup.invalidate()
    assert lookup.locate(LNG0 + 2 * SIZE + 0.003, LAT0 + 0.015).distance_m > 200


@pytest.mark.django_db
def test_gcj02_and_bd09_input(tree):
    wgs = (LNG0 + 0.0195, LAT0 + 0.0005)  # near the south-east corner, inside grid 02
    assert lookup.locate(*wgs).grid_id == tree["grids"][1].pk
    gcj = coords.wgs84_to_gcj02(*wgs)
    # Read as WGS84, the GCJ-02 point is ~200 m off, outside every grid…
    as_wgs = lookup.locate(*gcj)
    assert as_wgs is None or not as_wgs.exact
    # …but declared as GCJ-02 (or BD-09) it lands in the right grid.
    assert lookup.locate(*gcj, crs="gcj02").grid_id == tree["grids"][1].pk
    assert lookup.locate(*coords.wgs84_to_bd09(*wgs), crs="bd09").grid_id == tree["grids"][1].pk
    batch = lookup.locate_many([gcj[0]], [gcj[1]], crs="GCJ-02")
    assert batch.grid_id.tolist() == [tree["grids"][1].pk]


@pytest.mark.django_db
def test_batch_matches_single_lookups(tree):
    rng = np.random.default_rng(3)
    lng = rng.uniform(LNG0 - 0.01, LNG0 + 0.03, 3000)
    lat = rng.uniform(LAT0 - 0.01, LAT0 + 0.03, 3000)
    batch = lookup.locate_many(lng, lat)
    for i in range(len(lng)):
        hit = lookup.locate(lng[i], lat[i])
        if hit is None:
            assert batch.grid_id[i] == -1 and math.isnan(batch.distance_m[i])
        else:
            assert batch.grid_id[i] == hit.grid_id and batch.exact[i] == hit.exact
            assert batch.distance_m[i] == pytest.approx(hit.distance_m, abs=0.01)
    assert batch.exact.sum() > 500 and (~batch.exact & (batch.grid_id > 0)).sum() > 50


@pytest.mark.django_db
def test_the_index_is_rebuilt_when_a_boundary_changes(tree):
    grids = tree["grids"]
    point = (LNG0 + 0.005, LAT0 + 0.005)
    assert lookup.locate(*point).grid_id == grids[0].pk
    # Swap the two bottom grids' places; the save signal drops the old index at once.
    grids[0].boundary, grids[1].boundary = geojson(square(1, 0)), geojson(square(0, 0))
    grids[0].save()
    grids[1].save()
    assert lookup.locate(*point).grid_id == grids[1].pk


@pytest.mark.django_db
def test_the_index_is_rebuilt_when_a_grid_is_added_or_deactivated(tree):
    point = (LNG0 + 0.025, LAT0 + 0.005)  # east of the 2 × 2 block, ~450 m out
    assert lookup.locate(*point) is None
    new = GridFactory(
        code="630202100001-05", name="第5网格", community=tree["community"], shape=square(2, 0)
    )
    assert lookup.locate(*point).grid_id == new.pk
    new.is_active = False
    new.save()
    assert lookup.locate(*point) is None


@pytest.mark.django_db
def test_changes_from_another_process_are_seen_via_the_version_stamp(tree):
    point = (LNG0 + 0.005, LAT0 + 0.005)
    assert lookup.locate(*point).grid_id == tree["grids"][0].pk
    # Another process: an UPDATE without signals, stamped with updated_at.
    Grid.objects.filter(pk=tree["grids"][0].pk).update(
        boundary=geojson(square(5, 5)), updated_at=timezone.now()
    )
    assert lookup.locate(*point).grid_id == tree["grids"][0].pk  # not checked yet
    lookup._holder.next_check = 0.0  # the few seconds have passed
    assert lookup.locate(*point) is None or lookup.locate(*point).grid_id != tree["grids"][0].pk


@pytest.mark.django_db
def test_moving_a_community_updates_the_codes_returned(tree):
    other = RegionFactory(code="630202101", name="雨润镇", level="township", parent=tree["county"])
    assert lookup.locate(LNG0 + 0.005, LAT0 + 0.005).township_code == "630202100"
    community = tree["community"]
    community.parent = other
    community.save()
    assert lookup.locate(LNG0 + 0.005, LAT0 + 0.005).township_code == "630202101"


@pytest.mark.django_db
def test_no_grids_at_all():
    assert lookup.locate(LNG0, LAT0) is None
    batch = lookup.locate_many([LNG0, 0.0], [LAT0, 0.0])
    assert batch.grid_id.tolist() == [-1, -1] and not batch.exact.any()


@pytest.mark.django_db
def test_demo_batch_agrees_with_single_and_with_a_naive_loop(demo):
    current = lookup.current()
    geoms = current.index.geoms
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    rng = np.random.default_rng(11)
    lng, lat = rng.uniform(xmin, xmax, 5000), rng.uniform(ymin, ymax, 5000)
    batch = lookup.locate_many(lng, lat)
    singles = [lookup.locate(x, y) for x, y in zip(lng, lat, strict=True)]
    assert [h.grid_id if h else -1 for h in singles] == batch.grid_id.tolist()
    assert [bool(h and h.exact) for h in singles] == batch.exact.tolist()
    # A naive loop over every polygon on a sample.
    tree = shapely.STRtree(geoms)
    for i in range(0, 5000, 10):
        inside = [g for g in tree.query(shapely.Point(lng[i], lat[i]), predicate="intersects")]
        expected = current.grid_ids[min(inside)] if inside else -1
        assert (batch.grid_id[i] if batch.exact[i] else -1) == expected


def test_snap_distance_is_the_true_nearest_distance_in_metres():
    # Pure index test: random points around a ring of squares, checked by brute force.
    polys = [square(c, r) for c in range(4) for r in range(3) if (c, r) != (1, 1)]
    index = SpatialIndex(polys, tolerance_m=200)
    rng = np.random.default_rng(5)
    lng = rng.uniform(LNG0 - 0.005, LNG0 + 0.045, 4000)
    lat = rng.uniform(LAT0 - 0.005, LAT0 + 0.035, 4000)
    found, exact, dist = index.locate_many(lng, lat)
    for i in np.flatnonzero(~exact)[:400]:
        d = local_distances(polys, lng[i], lat[i])
        best = int(np.argmin(d))
        if d[best] <= 199.5:
            assert found[i] == best and dist[i] == pytest.approx(d[best], rel=2e-3)
        elif d[best] > 200.5:
            assert found[i] == -1
    assert exact.sum() > 1000 and (found[~exact] >= 0).sum() > 100  # the hole in the middle


def test_holes_and_multipolygons_agree_with_a_naive_loop():
    outer = square(0, 0, size=0.04)
    hole = shapely.box(LNG0 + 0.01, LAT0 + 0.01, LNG0 + 0.03, LAT0 + 0.03)
    ring = outer.difference(hole)  # a polygon with a hole…
    island = hole  # …exactly filled by another grid
    pair = shapely.MultiPolygon([square(5, 0), square(5, 2)])  # two separate parts
    polys = [ring, island, pair]
    index = SpatialIndex(polys, tolerance_m=50)
    rng = np.random.default_rng(8)
    lng = rng.uniform(LNG0 - 0.01, LNG0 + 0.07, 20_000)
    lat = rng.uniform(LAT0 - 0.01, LAT0 + 0.05, 20_000)
    found, exact, _ = index.locate_many(lng, lat)
    naive = np.full(len(lng), -1)
    for i in range(len(lng)):
        p = shapely.Point(lng[i], lat[i])
        naive[i] = next((k for k, poly in enumerate(polys) if poly.intersects(p)), -1)
    assert (np.where(exact, found, -1) == naive).all()
    assert set(naive) == {-1, 0, 1, 2}
