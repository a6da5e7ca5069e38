"""The regions gazetteer, held per process, and the text → place match on it.

A hotline address is matched against every region and grid name (some 2,700 in 海东). Read
per call, the rows cost ~10 ms, and the hotline form asks on every pause in typing. The
names are read once into a ``Gazetteer`` and kept while a cheap version query, run at most
every ``GAZETTEER_CHECK_SECONDS``, says no region or grid changed; a save in this process
drops it at once (``invalidate_on_commit``), so an edit in the admin counts at the next call
here and within seconds elsewhere.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max

from .text import normalise

_SHORT = re.compile(r"(?:省|市|县|区|镇|乡|街道|社区|村|居委会|村委会)$")


def aliases(name: str) -> set[str]:
    # "乐都区" is also written "乐都"; "西关社区" as "西关". Keep at least two characters.
    out = {name}
    short = _SHORT.sub("", name)
    if len(short) >= 2:
        out.add(short)
    return {a for a in out if a}


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    level: str
    path: str
    lng: float | None
    lat: float | None
    aliases: tuple[tuple[str, str], ...]  # (as written, lower-cased as matched)


@dataclass(frozen=True)
class GridRow:
    code: str
    name: str
    key: str  # the name lower-cased, as matched
    region_path: str
    lng: float | None
    lat: float | None


@dataclass(frozen=True)
class TextLocation:
    region_code: str
    region_name: str
    region_level: str
    region_path: str
    grid_code: str | None
    grid_name: str | None
    matched: tuple[str, ...]
    lng: float | None
    lat: float | None

    def as_dict(self) -> dict:
        return {
            "region_code": self.region_code,
            "region_name": self.region_name,
            "region_level": self.region_level,
            "region_path": self.region_path,
            "grid_code": self.grid_code,
            "grid_name": self.grid_name,
            "matched": list(self.matched),
            "lng": self.lng,
            "lat": self.lat,
        }


class Gazetteer:
    """Region and active-grid names, ready to match; immutable once built."""

    def __init__(self, regions: list[RegionRow], grids: list[GridRow], level_order: list[str]):
        self.regions = regions
        self.by_code = {r.code: r for r in regions}
        self.grids = [g for g in grids if g.key]  # only a named grid can be matched
        self.level_rank = {level: i for i, level in enumerate(level_order)}
        self.grids_in: dict[str, list[GridRow]] = {}  # community path → its grids
        for g in grids:
            self.grids_in.setdefault(g.region_path, []).append(g)

    def locate(self, text: str) -> TextLocation | None:
        """The deepest region the text names, disambiguated by the ancestors it also names,
        and a grid where the text names one or the community has only one."""
        t = normalise(text)
        if not t:
            return None
        hits, spans = self._named_regions(t)
        grid_hits = [g for g in self.grids if g.key in t]
        if not hits and not grid_hits:
            return None

        def support(code: str) -> tuple:
            row = self.by_code[code]
            # More named ancestors first, then a deeper level, then a longer (full) name. An
            # ancestor counts only if named apart from the region itself: the "平安" of
            # "平安大道" is no mention of 平安区 that backs 平安镇 against "哈拉直沟乡".
            own = spans[code]
            ancestors = sum(
                1
                for c in row.path.strip("/").split("/")
                if c in hits and c != code and _apart(spans[c], own)
            )
            return (ancestors, self.level_rank.get(row.level, 0), len(hits[code]))

        best = max(hits, key=support) if hits else None
        grid = None
        if grid_hits:
            best_path = self.by_code[best].path if best else None
            inside = [
                g for g in grid_hits if best_path is None or g.region_path.startswith(best_path)
            ]
            grid = (inside or grid_hits)[0]
            if best_path is None or not grid.region_path.startswith(best_path):
                community = grid.region_path.strip("/").split("/")[-1]
                if community not in self.by_code:
                    return None  # a grid hanging off a region that is gone
                best = community
                hits[best] = grid.name
        elif self.by_code[best].level == "community":
            only = self.grids_in.get(self.by_code[best].path, [])
            grid = only[0] if len(only) == 1 else None
        row = self.by_code[best]
        matched = tuple(hits[c] for c in row.path.strip("/").split("/") if c in hits)
        lng, lat = row.lng, row.lat
        if grid is not None:
            if grid.name not in matched:
                matched = (*matched, grid.name)
            lng, lat = grid.lng, grid.lat
        return TextLocation(
            region_code=row.code,
            region_name=row.name,
            region_level=row.level,
            region_path=row.path,
            grid_code=grid.code if grid else None,
            grid_name=grid.name if grid else None,
            matched=matched,
            lng=lng,
            lat=lat,
        )

    def _named_regions(self, t: str) -> tuple[dict[str, str], dict[str, tuple[int, int]]]:
        """Region code → the longest alias the text names, and where. A mention inside a
        longer name of another region is not one ("平安" in "平安区" names no 平安镇)."""
        found: list[tuple[int, int, str, str]] = []  # start, end, code, alias
        for r in self.regions:
            for alias, key in r.aliases:
                if key in t:
                    found += [
                        (m.start(), m.end(), r.code, alias) for m in re.finditer(re.escape(key), t)
                    ]
        hits: dict[str, str] = {}
        spans: dict[str, tuple[int, int]] = {}
        for start, end, code, alias in found:
            inside = any(
                o_code != code
                and o_start <= start
                and end <= o_end
                and o_end - o_start > end - start
                for o_start, o_end, o_code, _a in found
            )
            if not inside and (code not in hits or len(alias) > len(hits[code])):
                hits[code], spans[code] = alias, (start, end)
        return hits, spans


def _apart(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[1] <= b[0] or b[1] <= a[0]


# -- this process's copy ------------------------------------------------------------------
class _Holder:
    gazetteer: Gazetteer | None = None
    version: tuple | None = None
    next_check = 0.0
    lock = threading.Lock()


_holder = _Holder()
_clock = time.monotonic  # a test moves it on


def _check_seconds() -> float:
    return float(getattr(settings, "GONGZHI", {}).get("GAZETTEER_CHECK_SECONDS", 5.0))


def _version() -> tuple:
    from gongzhi.regions.models import Grid, Region

    out = ()
    for model in (Region, Grid):
        v = model.objects.aggregate(n=Count("id"), latest=Max("updated_at"), top=Max("id"))
        out += (v["n"], v["latest"], v["top"])
    return out


def _build() -> Gazetteer:
    from gongzhi.regions.models import LEVEL_ORDER, Grid, Region

    regions = [
        RegionRow(
            code, name, level, path, lng, lat, tuple((a, a.lower()) for a in sorted(aliases(name)))
        )
        for code, name, level, path, lng, lat in Region.objects.values_list(
            "code", "name", "level", "path", "centre_lng", "centre_lat"
        ).order_by("path")
    ]
    grids = [
        GridRow(code, name or "", (name or "").lower(), path, lng, lat)
        for code, name, path, lng, lat in Grid.objects.filter(is_active=True)
        .order_by("id")
        .values_list("code", "name", "region_path", "centre_lng", "centre_lat")
    ]
    return Gazetteer(regions, grids, LEVEL_ORDER)


def current() -> Gazetteer:
    gazetteer = _holder.gazetteer
    if gazetteer is not None and _clock() < _holder.next_check:
        return gazetteer
    with _holder.lock:
        version = _version()
        if _holder.gazetteer is None or version != _holder.version:
            _holder.gazetteer, _holder.version = _build(), version
        _holder.next_check = _clock() + _check_seconds()
        return _holder.gazetteer


def invalidate() -> None:
    _holder.gazetteer = None
    _holder.next_check = 0.0


def invalidate_on_commit(**_signal_kwargs) -> None:
    # Now, for reads later in this transaction, and again once committed, so a copy built
    # from uncommitted rows does not outlive them.
    invalidate()
    transaction.on_commit(invalidate)


def locate_text(text: str) -> TextLocation | None:
    return current().locate(text)
