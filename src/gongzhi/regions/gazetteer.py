"""The street gazetteer (街路巷): an address such as "碾伯镇西大街12号" put on the map.

``geocode(text)`` finds the street the address names (by its name or another name; where
two townships have a street of that name, the one whose township or community the address
also names), reads the house number after it and places the point along the street's line
in proportion to its house-number range, or at the street's point. ``import_geojson`` loads
streets from a GeoJSON FeatureCollection (the admin edits them one by one).

Only regions are read here; the intake (``cases.intake``) decides what to do with a place.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _
from shapely.geometry import LineString, Point, shape

from .models import Region, RegionLevel, Street

# The house number right after the street's name: "12号", "12 号", "12-3号" (the first part).
HOUSE_NUMBER = re.compile(r"^\s*(\d{1,5})(?:\s*[-之]\s*\d{1,4})?\s*号")


class GeometryError(ValueError):
    pass


@dataclass(frozen=True)
class Placed:
    """Where an address was put: the point (WGS84), the street and number read from it, and
    the township or community of the street."""

    lng: float
    lat: float
    street: str
    street_id: int
    number: int | None
    region_code: str
    region_name: str
    region_path: str
    by_number: bool  # the point was placed by the house number along the line
    matched: str = ""  # the name as the address wrote it (the street's or another of its names)

    @property
    def label(self) -> str:
        return f"{self.street}{self.number}号" if self.number is not None else self.street


def street_shape(geometry) -> LineString | Point:
    """The street's line or point; GeometryError when it is neither or is not on the earth."""
    if not isinstance(geometry, dict) or geometry.get("type") not in ("LineString", "Point"):
        raise GeometryError(_("A street is a GeoJSON LineString or Point."))
    try:
        found = shape(geometry)
    except (ValueError, TypeError, KeyError, AttributeError):
        raise GeometryError(_("The street's geometry is not valid GeoJSON.")) from None
    coords = list(found.coords)
    if not coords or (found.geom_type == "LineString" and len(coords) < 2):
        raise GeometryError(_("A street's line needs at least two points."))
    for lng, lat, *_rest in coords:
        if not (math.isfinite(lng) and math.isfinite(lat) and -180 <= lng <= 180):
            raise GeometryError(_("The street's coordinates are not longitude and latitude."))
        if not -90 <= lat <= 90:
            raise GeometryError(_("The street's coordinates are not longitude and latitude."))
    return found


@dataclass(frozen=True)
class _Entry:
    street_id: int
    name: str
    names: tuple[str, ...]
    shape: object
    number_from: int | None
    number_to: int | None
    region_code: str
    region_name: str
    region_path: str
    places: tuple[str, ...]  # the names of its community and township, to prefer by


_cache: tuple = (None, [])  # (the table's state it was read at, the entries)


def _entries() -> list[_Entry]:
    """Every enabled street, read again only when the table has changed (any process)."""
    global _cache
    state = Street.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    key = (state["n"], state["at"])
    if _cache[0] == key:
        return _cache[1]
    entries = []
    rows = Street.objects.filter(enabled=True).select_related("region__parent")
    for street in rows:
        try:
            geometry = street_shape(street.geometry)
        except GeometryError:
            continue  # an unusable row is skipped, never a failed intake
        region = street.region
        places = [region.name]
        if region.level == RegionLevel.COMMUNITY and region.parent is not None:
            places.append(region.parent.name)
        entries.append(
            _Entry(
                street_id=street.pk,
                name=street.name,
                names=tuple(street.names()),
                shape=geometry,
                number_from=street.number_from,
                number_to=street.number_to,
                region_code=region.code,
                region_name=region.name,
                region_path=region.path,
                places=tuple(_short_names(places)),
            )
        )
    _cache = (key, entries)
    return entries


# "碾伯镇" is also written "碾伯", "西关社区" "西关": an address may use either.
_SUFFIXES = ("街道", "社区", "镇", "乡", "村")


def _short_names(names: list[str]) -> list[str]:
    out = []
    for name in names:
        out.append(name)
        for suffix in _SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                out.append(name[: -len(suffix)])
                break
    return out


def geocode(text: str) -> Placed | None:
    """The point an address names through a street of the gazetteer, or None."""
    text = re.sub(r"\s+", "", text or "")[:200]
    if len(text) < 2:
        return None
    best = None
    for entry in _entries():
        for name in entry.names:
            at = text.find(name)
            if at < 0:
                continue
            named_place = any(p in text for p in entry.places)
            # The township or community named too, then the longest name, then the earliest.
            rank = (named_place, len(name), -at)
            if best is None or rank > best[0]:
                best = (rank, entry, at + len(name), name)
            break  # names are longest first: the first found is this street's best
    if best is None:
        return None
    _rank, entry, end, matched = best
    match = HOUSE_NUMBER.match(text[end:])
    number = int(match.group(1)) if match else None
    lng, lat, by_number = _point_on(entry, number)
    return Placed(
        lng=lng,
        lat=lat,
        street=entry.name,
        street_id=entry.street_id,
        number=number,
        region_code=entry.region_code,
        region_name=entry.region_name,
        region_path=entry.region_path,
        by_number=by_number,
        matched=matched,
    )


def _point_on(entry: _Entry, number: int | None) -> tuple[float, float, bool]:
    geometry = entry.shape
    if geometry.geom_type == "Point":
        return float(geometry.x), float(geometry.y), False
    low, high = entry.number_from, entry.number_to
    if number is not None and low is not None and high is not None and low != high:
        fraction = min(1.0, max(0.0, (number - low) / (high - low)))
        by_number = True
    else:
        fraction, by_number = 0.5, False  # no number: the middle of the street
    found = geometry.interpolate(fraction, normalized=True)
    return round(float(found.x), 6), round(float(found.y), 6), by_number


# --- import ---------------------------------------------------------------------------------


class StreetImportError(ValueError):
    pass


def import_geojson(data: dict, *, source: str = "", synthetic: bool = False) -> dict:
    """Load streets from a FeatureCollection. Each feature: a LineString or Point, and the
    properties ``name``, ``region`` (the code of its township or community), optionally
    ``aliases`` (a list or a comma-separated text), ``from`` and ``to`` (house numbers).
    A street already there (same region, same name) is updated. Everything is checked
    first: one bad feature imports nothing. Returns {"created": n, "updated": n}."""
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise StreetImportError(_("Expected a GeoJSON FeatureCollection."))
    codes = {str((f.get("properties") or {}).get("region", "")) for f in features}
    regions = {
        r.code: r
        for r in Region.objects.filter(
            code__in=codes, level__in=[RegionLevel.TOWNSHIP, RegionLevel.COMMUNITY]
        )
    }
    rows = []
    for i, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        name = str(props.get("name") or "").strip()
        where = _("Feature %(n)d") % {"n": i}
        if not name or len(name) > 60:
            raise StreetImportError(f"{where}: " + _("a street needs a name of 1–60 characters."))
        region = regions.get(str(props.get("region", "")))
        if region is None:
            raise StreetImportError(
                f"{where}: " + _("“region” must be the code of a township or community.")
            )
        try:
            street_shape(feature.get("geometry"))
        except GeometryError as error:
            raise StreetImportError(f"{where}: {error}") from None
        aliases = props.get("aliases") or ""
        if isinstance(aliases, list):
            aliases = ",".join(str(a) for a in aliases)
        numbers = [props.get("from"), props.get("to")]
        if any(n is not None and (not isinstance(n, int) or n < 0) for n in numbers) or (
            (numbers[0] is None) != (numbers[1] is None)
        ):
            raise StreetImportError(
                f"{where}: " + _("“from” and “to” are both whole house numbers, or both absent.")
            )
        rows.append((region, name, str(aliases)[:300], feature["geometry"], *numbers))
    created = updated = 0
    with transaction.atomic():
        for region, name, aliases, geometry, low, high in rows:
            _street, made = Street.objects.update_or_create(
                region=region,
                name=name,
                defaults={
                    "aliases": aliases,
                    "geometry": geometry,
                    "number_from": low,
                    "number_to": high,
                    "source": source[:200],
                    "is_synthetic": synthetic,
                },
            )
            created, updated = created + made, updated + (not made)
    return {"created": created, "updated": updated}
