"""WGS84 ↔ GCJ-02 ↔ BD-09, the three coordinate systems met in China.

GCJ-02 ("Mars coordinates") is the obfuscated datum Chinese web maps (Amap, Tencent) must use;
BD-09 is Baidu's further offset of it. Both are defined only by the widely published reference
code (the Krasovsky-ellipsoid offset below), not by a formal spec, so we implement exactly that
algorithm. Points outside China's bounding box are returned unchanged, as that code does.

The inverses have no exact closed form; we invert the forward functions by fixed-point
iteration until the forward image matches to ~1e-10 degrees (sub-millimetre), instead of the
common one-step approximations that are off by decimetres.

Every function takes scalars (returns a tuple of floats) or array-likes (returns numpy arrays).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

CRS = Literal["wgs84", "gcj02", "bd09"]
CRS_CHOICES: tuple[str, ...] = ("wgs84", "gcj02", "bd09")

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as used by GCJ-02
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0
_INVERSE_TOLERANCE = 1e-10
_INVERSE_MAX_ITER = 30


def _is_scalar(lng, lat) -> bool:
    return np.ndim(lng) == 0 and np.ndim(lat) == 0


def _out_of_china(lng, lat):
    # Works for floats and arrays alike; the coarse box is the published algorithm's own test.
    return (lng < 72.004) | (lng > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _gcj_offset(lng, lat, xp):
    """The GCJ-02 offset (dlng, dlat) in degrees at WGS84 (lng, lat); xp is math or numpy."""
    x = lng - 105.0
    y = lat - 35.0
    sqrt_abs_x = xp.sqrt(abs(x)) if xp is math else np.sqrt(np.abs(x))
    common = (20.0 * xp.sin(6.0 * x * math.pi) + 20.0 * xp.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x + common
    dlat += (20.0 * xp.sin(y * math.pi) + 40.0 * xp.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlat += (160.0 * xp.sin(y / 12.0 * math.pi) + 320.0 * xp.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    dlng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x + common
    dlng += (20.0 * xp.sin(x * math.pi) + 40.0 * xp.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlng += (150.0 * xp.sin(x / 12.0 * math.pi) + 300.0 * xp.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * xp.sin(radlat) ** 2
    sqrtmagic = xp.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * xp.cos(radlat) * math.pi)
    return dlng, dlat


# --- WGS84 ↔ GCJ-02 ---------------------------------------------------------------------


def wgs84_to_gcj02(lng, lat):
    if _is_scalar(lng, lat):
        lng, lat = float(lng), float(lat)
        if _out_of_china(lng, lat):
            return lng, lat
        dlng, dlat = _gcj_offset(lng, lat, math)
        return lng + dlng, lat + dlat
    lng, lat = np.asarray(lng, dtype=float), np.asarray(lat, dtype=float)
    dlng, dlat = _gcj_offset(lng, lat, np)
    outside = _out_of_china(lng, lat)
    return np.where(outside, lng, lng + dlng), np.where(outside, lat, lat + dlat)


def _invert(forward, lng, lat, start):
    """Solve forward(w) = (lng, lat) for w by fixed-point iteration from ``start``.

    w ← w − (forward(w) − target) converges fast because both offsets vary slowly (their
    derivatives are ~1e-3). Each point stops on its own test, as the scalar loop does, so a
    point's result never depends on which other points share its array: polygon vertices
    shared by two neighbours stay bit-identical after conversion.
    """
    if _is_scalar(lng, lat):
        t_lng, t_lat = float(lng), float(lat)
        if _out_of_china(t_lng, t_lat):
            return t_lng, t_lat
        w_lng, w_lat = start(t_lng, t_lat)
        for _ in range(_INVERSE_MAX_ITER):
            f_lng, f_lat = forward(w_lng, w_lat)
            e_lng, e_lat = f_lng - t_lng, f_lat - t_lat
            w_lng, w_lat = w_lng - e_lng, w_lat - e_lat
            if abs(e_lng) < _INVERSE_TOLERANCE and abs(e_lat) < _INVERSE_TOLERANCE:
                break
        return w_lng, w_lat
    t_lng, t_lat = np.asarray(lng, dtype=float), np.asarray(lat, dtype=float)
    w_lng, w_lat = (np.array(a, dtype=float) for a in start(t_lng, t_lat))
    outside = _out_of_china(t_lng, t_lat)
    w_lng[outside], w_lat[outside] = t_lng[outside], t_lat[outside]
    active = ~outside
    for _ in range(_INVERSE_MAX_ITER):
        if not active.any():
            break
        f_lng, f_lat = forward(w_lng[active], w_lat[active])
        e_lng, e_lat = f_lng - t_lng[active], f_lat - t_lat[active]
        w_lng[active] -= e_lng
        w_lat[active] -= e_lat
        done = (np.abs(e_lng) < _INVERSE_TOLERANCE) & (np.abs(e_lat) < _INVERSE_TOLERANCE)
        active[np.flatnonzero(active)[done]] = False
    return w_lng, w_lat


def gcj02_to_wgs84(lng, lat):
    """GCJ-02 → WGS84, exact to ~1e-10° (the common one-step formula is off by decimetres)."""
    return _invert(wgs84_to_gcj02, lng, lat, lambda a, b: (a, b))


# --- GCJ-02 ↔ BD-09 ---------------------------------------------------------------------


def gcj02_to_bd09(lng, lat):
    if _is_scalar(lng, lat):
        lng, lat = float(lng), float(lat)
        if _out_of_china(lng, lat):
            return lng, lat
        z = math.sqrt(lng * lng + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
        theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * _X_PI)
        return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006
    lng, lat = np.asarray(lng, dtype=float), np.asarray(lat, dtype=float)
    z = np.hypot(lng, lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lng) + 0.000003 * np.cos(lng * _X_PI)
    outside = _out_of_china(lng, lat)
    return (
        np.where(outside, lng, z * np.cos(theta) + 0.0065),
        np.where(outside, lat, z * np.sin(theta) + 0.006),
    )


def _bd09_to_gcj02_approx(lng, lat):
    """The published closed-form inverse: off by up to ~2e-6° (a few decimetres)."""
    if _is_scalar(lng, lat):
        lng, lat = float(lng), float(lat)
        if _out_of_china(lng, lat):
            return lng, lat
        x, y = lng - 0.0065, lat - 0.006
        z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
        theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
        return z * math.cos(theta), z * math.sin(theta)
    lng, lat = np.asarray(lng, dtype=float), np.asarray(lat, dtype=float)
    x, y = lng - 0.0065, lat - 0.006
    z = np.hypot(x, y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    outside = _out_of_china(lng, lat)
    return np.where(outside, lng, z * np.cos(theta)), np.where(outside, lat, z * np.sin(theta))


def bd09_to_gcj02(lng, lat):
    """BD-09 → GCJ-02: the published inverse, refined until it inverts gcj02_to_bd09 exactly."""
    return _invert(gcj02_to_bd09, lng, lat, _bd09_to_gcj02_approx)


# --- compositions -----------------------------------------------------------------------


def wgs84_to_bd09(lng, lat):
    return gcj02_to_bd09(*wgs84_to_gcj02(lng, lat))


def bd09_to_wgs84(lng, lat):
    return gcj02_to_wgs84(*bd09_to_gcj02(lng, lat))


_TO_WGS84 = {
    "wgs84": lambda lng, lat: (lng, lat),
    "gcj02": gcj02_to_wgs84,
    "bd09": bd09_to_wgs84,
}
_FROM_WGS84 = {
    "wgs84": lambda lng, lat: (lng, lat),
    "gcj02": wgs84_to_gcj02,
    "bd09": wgs84_to_bd09,
}


def normalise_crs(crs: str | None) -> str:
    """Accept common spellings ("GCJ-02", "bd-09", "EPSG:4326") and return a CRS_CHOICES key."""
    key = (crs or "wgs84").lower().replace("-", "").replace("_", "")
    key = {"epsg:4326": "wgs84", "wgs": "wgs84", "gcj": "gcj02", "bd": "bd09"}.get(key, key)
    if key not in CRS_CHOICES:
        raise ValueError(f"unknown coordinate system {crs!r}; use one of {', '.join(CRS_CHOICES)}")
    return key


def to_wgs84(lng, lat, crs: str | None):
    return _TO_WGS84[normalise_crs(crs)](lng, lat)


def from_wgs84(lng, lat, crs: str | None):
    return _FROM_WGS84[normalise_crs(crs)](lng, lat)
