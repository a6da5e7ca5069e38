"""Coordinate systems against published reference values and by round trips."""

import numpy as np
import pytest

from gongzhi.regions import coords

# Reference values of the widely used implementation (wandergis/coordtransform, whose test
# prints these for the point 116.404, 39.915; ports in Java and Rust assert the same).
POINT = (116.404, 39.915)
WGS_TO_GCJ = (116.41024449916938, 39.91640428150164)
GCJ_TO_BD = (116.41036949371029, 39.92133699351021)
BD_TO_GCJ = (116.39762729119315, 39.90865673957631)
# That library's one-step gcj02→wgs84 approximation; our iterated inverse is more exact.
GCJ_TO_WGS_APPROX = (116.39775550083061, 39.91359571849836)
TIANANMEN_WGS = (116.391275, 39.906217)


def test_forward_conversions_match_the_reference_implementation():
    assert coords.wgs84_to_gcj02(*POINT) == pytest.approx(WGS_TO_GCJ, abs=1e-12)
    assert coords.gcj02_to_bd09(*POINT) == pytest.approx(GCJ_TO_BD, abs=1e-12)
    # Its closed-form BD-09 inverse is approximate; ours starts there and refines it.
    assert coords._bd09_to_gcj02_approx(*POINT) == pytest.approx(BD_TO_GCJ, abs=1e-12)
    assert coords.bd09_to_gcj02(*POINT) == pytest.approx(BD_TO_GCJ, abs=5e-6)
    assert coords.gcj02_to_bd09(*coords.bd09_to_gcj02(*POINT)) == pytest.approx(POINT, abs=1e-9)


def test_gcj02_inverse_is_exact_and_close_to_the_one_step_approximation():
    wgs = coords.gcj02_to_wgs84(*POINT)
    assert coords.wgs84_to_gcj02(*wgs) == pytest.approx(POINT, abs=1e-9)
    # The one-step approximation is off by a few decimetres; we are within 1e-6° of it.
    assert wgs == pytest.approx(GCJ_TO_WGS_APPROX, abs=1e-6)
    assert wgs != pytest.approx(GCJ_TO_WGS_APPROX, abs=1e-8)


def test_tiananmen_round_trips_through_every_system():
    gcj = coords.wgs84_to_gcj02(*TIANANMEN_WGS)
    bd = coords.wgs84_to_bd09(*TIANANMEN_WGS)
    # The offsets are hundreds of metres, in the known directions (east and north here).
    assert 0.005 < gcj[0] - TIANANMEN_WGS[0] < 0.008 and 0.0 < gcj[1] - TIANANMEN_WGS[1] < 0.003
    assert coords.gcj02_to_wgs84(*gcj) == pytest.approx(TIANANMEN_WGS, abs=1e-9)
    assert coords.bd09_to_wgs84(*bd) == pytest.approx(TIANANMEN_WGS, abs=1e-9)
    assert coords.bd09_to_gcj02(*bd) == pytest.approx(gcj, abs=1e-9)


def test_points_outside_china_are_unchanged():
    for lng, lat in [(2.2945, 48.8584), (-74.0445, 40.6892), (151.2153, -33.8568)]:
        for fn in (
            coords.wgs84_to_gcj02,
            coords.gcj02_to_wgs84,
            coords.gcj02_to_bd09,
            coords.bd09_to_gcj02,
            coords.wgs84_to_bd09,
            coords.bd09_to_wgs84,
        ):
            assert fn(lng, lat) == (lng, lat)


def _random_points(n, seed=7):
    rng = np.random.default_rng(seed)
    # Mostly China, some abroad.
    lng = np.concatenate([rng.uniform(74, 135, n), rng.uniform(-180, 180, n // 10)])
    lat = np.concatenate([rng.uniform(18, 53, n), rng.uniform(-90, 90, n // 10)])
    return lng, lat


def test_vectorised_equals_scalar():
    lng, lat = _random_points(500)
    for fn in (
        coords.wgs84_to_gcj02,
        coords.gcj02_to_wgs84,
        coords.gcj02_to_bd09,
        coords.bd09_to_gcj02,
        coords.wgs84_to_bd09,
        coords.bd09_to_wgs84,
    ):
        vx, vy = fn(lng, lat)
        sx, sy = np.array([fn(float(a), float(b)) for a, b in zip(lng, lat, strict=True)]).T
        np.testing.assert_allclose(vx, sx, rtol=0, atol=1e-12)
        np.testing.assert_allclose(vy, sy, rtol=0, atol=1e-12)


def test_round_trips_are_exact_everywhere_in_china():
    lng, lat = _random_points(20_000)
    for there, back in [
        (coords.wgs84_to_gcj02, coords.gcj02_to_wgs84),
        (coords.gcj02_to_bd09, coords.bd09_to_gcj02),
        (coords.wgs84_to_bd09, coords.bd09_to_wgs84),
    ]:
        out = back(*there(lng, lat))
        assert np.abs(np.subtract(out, (lng, lat))).max() < 1e-9  # ~0.1 mm


def test_a_vertex_converts_identically_whatever_array_it_is_in():
    # Shared polygon vertices must stay bit-identical so converted borders still match.
    lng, lat = _random_points(300)
    whole = coords.gcj02_to_wgs84(lng, lat)
    part = coords.gcj02_to_wgs84(lng[:7], lat[:7])
    assert (whole[0][:7] == part[0]).all() and (whole[1][:7] == part[1]).all()


def test_crs_names_are_normalised_and_checked():
    assert coords.normalise_crs(None) == "wgs84"
    assert coords.normalise_crs("GCJ-02") == "gcj02"
    assert coords.normalise_crs("BD_09") == "bd09"
    assert coords.to_wgs84(*WGS_TO_GCJ, "gcj02") == pytest.approx(POINT, abs=1e-9)
    assert coords.from_wgs84(*POINT, "gcj02") == pytest.approx(WGS_TO_GCJ, abs=1e-12)
    with pytest.raises(ValueError, match="unknown coordinate system"):
        coords.normalise_crs("mercator")
