"""The resident's profile (their village and groups), used by every legal room, and the
service points that serve a person: their village's room, township's station and county's
centre first."""

from __future__ import annotations

import math

from django.utils.translation import gettext as _

from gongzhi.core.errors import ServiceError
from gongzhi.regions.models import Region, RegionLevel, county_path

from ..models import AudienceGroup, ResidentProfile, ServicePoint

PLACE_LEVELS = (RegionLevel.TOWNSHIP, RegionLevel.COMMUNITY)


def profile_of(user) -> ResidentProfile | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return ResidentProfile.objects.filter(user=user).select_related("region").first()


def do_set_profile(*, user, region: Region | None, groups=()) -> ResidentProfile:
    if region is None:
        raise ServiceError("region_required", _("Choose your village or community."), "region")
    if region.level not in PLACE_LEVELS:
        raise ServiceError(
            "region_level", _("Choose a village, a community or a township."), "region"
        )
    groups = list(groups or [])
    if any(not g.enabled for g in groups):
        raise ServiceError("group_disabled", _("Choose among the groups listed."), "groups")
    profile, _created = ResidentProfile.objects.update_or_create(
        user=user, defaults={"region": region}
    )
    profile.groups.set(groups)
    return profile


def serving_points(user) -> list:
    """The points serving the person's village (room, station, centre), nearest first."""
    profile = profile_of(user)
    if not (profile and profile.region_path):
        return []
    points = (
        ServicePoint.objects.visible_to(user)
        .serving(profile.region_path)
        .select_related("region", "adviser")
    )
    return sorted(points, key=lambda p: LEVEL_RANK.get(p.level, 9))


def enabled_groups():
    return AudienceGroup.objects.filter(enabled=True)


def _distance(point, lng, lat) -> float:
    if point.longitude is None or point.latitude is None:
        return math.inf
    dx = (point.longitude - lng) * math.cos(math.radians(lat))
    return math.hypot(dx, point.latitude - lat)


LEVEL_RANK = {"room": 0, "station": 1, "centre": 2}


def points_for(user, *, lng=None, lat=None, queryset=None, own_county=False) -> tuple[list, list]:
    """(the points serving the person, then the others): by their profile's village; else
    the nearest by the browser's position; else all, by county. ``own_county``: the others
    only of the person's county (a phone need not carry a province's points)."""
    points = list(
        (queryset if queryset is not None else ServicePoint.objects.visible_to(user))
        .select_related("region", "adviser")
        .order_by("region_path", "order", "code")
    )
    profile = profile_of(user)
    if profile and profile.region_path and own_county:
        county = county_path(profile.region_path)
        points = [p for p in points if not county or p.region_path.startswith(county)]
    if profile and profile.region_path:
        serving_ids = set(
            ServicePoint.objects.serving(profile.region_path).values_list("pk", flat=True)
        )
        first = sorted(
            (p for p in points if p.pk in serving_ids), key=lambda p: LEVEL_RANK.get(p.level, 9)
        )
        return first, [p for p in points if p.pk not in serving_ids]
    if lng is not None and lat is not None:
        points.sort(key=lambda p: _distance(p, lng, lat))
        return points[:3], points[3:]
    return [], points
