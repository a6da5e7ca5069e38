"""Distances on the ground between a phone's position and a checkpoint."""

from __future__ import annotations

import math

EARTH_RADIUS_M = 6_371_008.8  # the mean radius: a few metres' error over a patrol is nothing


def haversine_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))
