"""Writing regions and grids in bulk: create or update by code, touching only what changed.

The demo seed and the importer both describe the desired rows and call ``sync_regions`` /
``sync_grids``. Rows are compared field by field with what is stored, so a second run with
the same input issues no UPDATE at all. Bulk operations skip ``save()`` and its signals, so
the derived columns (path, bbox, centre, area) are computed here, moved subtrees are
re-pathed with ``move_subtree`` and the lookup index is invalidated explicitly.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from . import lookup
from .geometry import boundary_stats
from .models import LEVEL_ORDER, Grid, Region, move_subtree

BATCH = 200
IN_CHUNK = 900  # keeps "code IN (...)" under every backend's parameter limit


def _by_codes(queryset, codes) -> dict:
    codes = sorted(set(codes))
    found = {}
    for i in range(0, len(codes), IN_CHUNK):
        found.update((o.code, o) for o in queryset.filter(code__in=codes[i : i + IN_CHUNK]))
    return found


@dataclass
class RegionRow:
    code: str
    name: str
    level: str
    parent_code: str | None
    boundary: dict | None
    is_synthetic: bool = False
    source: str = ""


@dataclass
class GridRow:
    code: str
    name: str
    community_code: str
    boundary: dict | None
    is_synthetic: bool = False
    source: str = ""
    extra: dict = field(default_factory=dict)  # households, population, is_active


def _geometry_fields(boundary: dict | None) -> dict:
    if not boundary:
        return {
            "boundary": None,
            "min_lng": None,
            "min_lat": None,
            "max_lng": None,
            "max_lat": None,
            "area_km2": None,
        }
    stats = boundary_stats(boundary)
    min_lng, min_lat, max_lng, max_lat = stats.bbox
    return {
        "boundary": boundary,
        "min_lng": min_lng,
        "min_lat": min_lat,
        "max_lng": max_lng,
        "max_lat": max_lat,
        "centre_lng": stats.centre[0],
        "centre_lat": stats.centre[1],
        "area_km2": stats.area_km2,
    }


def _apply(model, existing: dict, desired: dict[str, dict], counts: Counter, now) -> None:
    """Create missing rows and update changed ones; ``desired`` maps code → field values."""
    new, changed = [], []
    fields: set[str] = set()
    for code, values in desired.items():
        obj = existing.get(code)
        if obj is None:
            new.append(model(code=code, **values))
            continue
        diff = {k: v for k, v in values.items() if getattr(obj, k) != v}
        if diff:
            for k, v in diff.items():
                setattr(obj, k, v)
            obj.updated_at = now
            fields.update(diff)
            changed.append(obj)
    model.objects.bulk_create(new, batch_size=BATCH)
    if changed:
        model.objects.bulk_update(changed, [*sorted(fields), "updated_at"], batch_size=BATCH)
    counts["created"] += len(new)
    counts["updated"] += len(changed)


def sync_regions(*, rows: list[RegionRow]) -> Counter:
    """Create or update regions, parents before children; parents may be rows or stored."""
    counts: Counter = Counter()
    now = timezone.now()
    by_level = sorted(rows, key=lambda r: LEVEL_ORDER.index(r.level))
    with transaction.atomic():
        for level in LEVEL_ORDER:
            level_rows = [r for r in by_level if r.level == level]
            if not level_rows:
                continue
            parent_codes = {r.parent_code for r in level_rows if r.parent_code}
            parents = _by_codes(Region.objects.all(), parent_codes)
            existing = _by_codes(Region.objects.all(), [r.code for r in level_rows])
            desired, moves = {}, []
            for row in level_rows:
                parent = parents.get(row.parent_code) if row.parent_code else None
                if row.parent_code and parent is None:
                    raise ValueError(f"region {row.code}: unknown parent {row.parent_code}")
                path = (parent.path if parent else "/") + f"{row.code}/"
                old = existing.get(row.code)
                if old is not None and old.path != path:
                    moves.append((old.path, path))
                desired[row.code] = {
                    "name": row.name,
                    "level": row.level,
                    "parent_id": parent.pk if parent else None,
                    "path": path,
                    "is_synthetic": row.is_synthetic,
                    "source": row.source,
                    **_geometry_fields(row.boundary),
                }
                counts[row.level] += 1
            _apply(Region, existing, desired, counts, now)
            for old_path, new_path in moves:
                move_subtree(old_path, new_path)
    lookup.invalidate_on_commit()
    return counts


def sync_grids(*, rows: list[GridRow]) -> Counter:
    counts: Counter = Counter()
    now = timezone.now()
    with transaction.atomic():
        communities = _by_codes(
            Region.objects.only("id", "code", "path"), {r.community_code for r in rows}
        )
        existing = _by_codes(Grid.objects.all(), [r.code for r in rows])
        desired = {}
        for row in rows:
            community = communities.get(row.community_code)
            if community is None:
                raise ValueError(f"grid {row.code}: unknown community {row.community_code}")
            desired[row.code] = {
                "name": row.name,
                "community_id": community.pk,
                "region_path": community.path,
                "is_synthetic": row.is_synthetic,
                "source": row.source,
                **row.extra,
                **_geometry_fields(row.boundary),
            }
        counts["grid"] += len(rows)
        _apply(Grid, existing, desired, counts, now)
    lookup.invalidate_on_commit()
    return counts


def region_chain(*, path: str) -> list[Region]:
    """The regions along a materialised path, top first (one query)."""
    codes = [c for c in path.strip("/").split("/") if c]
    found = {r.code: r for r in Region.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found]


def hit_as_dict(hit) -> dict:
    """A lookup hit with its region chain, as the JSON view and the command print it."""
    chain = region_chain(path=hit.region_path)
    return {
        "grid": {"id": hit.grid_id, "code": hit.code, "name": hit.name},
        "exact": hit.exact,
        "distance_m": round(hit.distance_m, 1),
        "regions": [{"code": r.code, "name": r.name, "level": r.level} for r in chain],
    }
