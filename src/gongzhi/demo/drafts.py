"""Who reports what, where and when in the demo: report times over the last days (busier
lately, by day, quieter at weekends), places in the grids (each point where the grid
lookup intake uses finds it), the channel, the reporter and the words; and a few places
many people wrote about within a month, with the residents who added their voice.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as dt_time

import shapely
from django.utils import timezone

from gongzhi.cases.choices import Channel
from gongzhi.cases.models import Case
from gongzhi.demo.accounts import synthetic_mobile, synthetic_name
from gongzhi.demo.reference import TOWN_WEIGHT, CategoryInfo, GridInfo, Reference
from gongzhi.demo.texts import (
    GATHERINGS,
    GRID_CHANNELS,
    HOTLINE_CHANNELS,
    HOUR_WEIGHTS,
    MIXED_SHARE,
    MIXED_TITLES,
    SENSOR_CATEGORIES,
    render,
    words,
)
from gongzhi.regions import lookup

GATHER_DAYS = 30
GATHER_RADIUS_M = 150


@dataclass
class Draft:
    """One case to be: who reports what, where and when; then how it went."""

    index: int
    created_at: datetime
    category: CategoryInfo
    grid: GridInfo
    lng: float
    lat: float
    channel: str
    is_urgent: bool = False
    reporter_id: int | None = None
    reporter_name: str = ""
    reporter_phone: str = ""
    is_anonymous: bool = False
    entered_by_id: int | None = None
    title: str = ""
    description: str = ""
    address: str = ""
    number: str = ""
    command_id: int | None = None
    owner_id: int | None = None  # the lead unit routing gives
    words: dict = field(default_factory=dict)
    key: str = ""  # the idempotency key that marks it as the demo's
    states: list = field(default_factory=list)  # (at, state) after each step
    supports: list = field(default_factory=list)  # (user id, at): 我也遇到 from the hint
    case: Case | None = None  # the case its history made


def minutes(rng: random.Random, low: float, high: float) -> timedelta:
    """A log-uniform delay: most things happen soon, a few take much longer."""
    return timedelta(minutes=low * (high / low) ** rng.random())


def _times(rng: random.Random, count: int, now: datetime, days: int) -> list[datetime]:
    """Report times over the last ``days``: busier lately and by day, quieter at weekends."""
    today = timezone.localdate(now)
    tz = timezone.get_current_timezone()
    day_weights = []
    for ago in range(days):
        day = today - timedelta(days=ago)
        weight = 1 + 0.4 * (1 - ago / days)
        day_weights.append(weight * (0.75 if day.weekday() >= 5 else 1))
    found = []
    while len(found) < count:
        ago = rng.choices(range(days), weights=day_weights)[0]
        hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
        day = today - timedelta(days=ago)
        moment = datetime.combine(day, dt_time(hour), tzinfo=tz) + timedelta(
            seconds=rng.uniform(0, 3600)
        )
        if moment < now - timedelta(minutes=2):
            found.append(moment)
    return sorted(found)


def points_in(rng: random.Random, grid: GridInfo, k: int) -> list[tuple[float, float]]:
    minx, miny, maxx, maxy = grid.polygon.bounds
    found: list[tuple[float, float]] = []
    for _attempt in range(20):
        xs = [rng.uniform(minx, maxx) for _ in range(3 * k + 4)]
        ys = [rng.uniform(miny, maxy) for _ in range(3 * k + 4)]
        inside = shapely.contains_xy(grid.polygon, xs, ys)
        found += [(round(x, 6), round(y, 6)) for x, y, ok in zip(xs, ys, inside, strict=True) if ok]
        if len(found) >= k:
            return found[:k]
    point = grid.polygon.representative_point()
    return (found + [(round(point.x, 6), round(point.y, 6))] * k)[:k]


def _place(rng, d: Draft, ref: Reference, residents) -> None:
    """Who reported it, through which channel, in which words."""
    texts, name = d.category.texts, d.category.name
    mix = HOTLINE_CHANNELS if texts.hotline else GRID_CHANNELS
    d.channel = rng.choices([c for c, _w in mix], weights=[w for _c, w in mix])[0]
    if d.channel == Channel.SENSOR and name not in SENSOR_CATEGORIES:
        d.channel = Channel.GRID_WORKER
    if d.channel == Channel.GRID_WORKER and d.grid.id not in ref.grid_worker:
        d.channel = Channel.QUICK_REPORT
    if d.channel == Channel.GRID_WORKER:
        d.reporter_id = ref.grid_worker[d.grid.id]
    elif d.channel in (Channel.HOTLINE, Channel.OPEN311):
        caller, _male = synthetic_name(rng)
        d.reporter_name, d.reporter_phone = caller, synthetic_mobile(f"caller-{d.index}")
        d.entered_by_id = ref.operator if d.channel == Channel.HOTLINE else None
        d.is_urgent = d.channel == Channel.HOTLINE and rng.random() < 0.03
    elif d.channel in (Channel.QUICK_REPORT, Channel.API):
        if rng.random() < 0.06:
            d.is_anonymous = True
        elif residents:
            d.reporter_id = rng.choice(residents)[0]
    d.words = words(rng)
    d.title = render(rng.choice(texts.titles), d.words)[:120]
    d.description = render(rng.choice(texts.descriptions), d.words)
    if d.channel in (Channel.HOTLINE, Channel.QUICK_REPORT) and rng.random() < MIXED_SHARE:
        # A caller raises two matters, the pressing one (the category chosen) last: triage
        # reads the first and disagrees, and the report waits in the dispatcher's queue.
        other = rng.choice([c for c in ref.categories if c.name != name] or ref.categories)
        first = render(rng.choice(other.texts.descriptions), words(rng))
        d.description = f"{first}还有，{d.description}"
        d.title = rng.choice(MIXED_TITLES)
    d.address = f"{d.grid.township_name}{d.words['road']}{rng.randint(1, 200)}号附近"


def draw(rng, ref: Reference, count: int, now, days: int, residents) -> list[Draft]:
    moments = _times(rng, count, now, days)
    cat_weights = [c.texts.weight for c in ref.categories]
    grids = rng.choices(ref.grids, weights=[g.weight for g in ref.grids], k=count)
    drafts = []
    for index, (moment, grid) in enumerate(zip(moments, grids, strict=True)):
        command = ref.command_for(grid.region_path)
        for _attempt in range(10):  # a category nobody handles here is not what people report
            category = rng.choices(ref.categories, weights=cat_weights)[0]
            owner = ref.owner_for(category, grid.region_path)
            if owner is not None:
                break
        else:
            owner = command
        d = Draft(index, moment, category, grid, 0.0, 0.0, "", command_id=command, owner_id=owner)
        _place(rng, d, ref, residents)
        drafts.append(d)
    by_grid = defaultdict(list)
    for d in drafts:
        by_grid[d.grid.id].append(d)
    for grid_drafts in by_grid.values():
        for d, (lng, lat) in zip(
            grid_drafts, points_in(rng, grid_drafts[0].grid, len(grid_drafts)), strict=True
        ):
            d.lng, d.lat = lng, lat
    _gather(rng, drafts, ref, now, residents)
    _check_points(rng, drafts)
    return drafts


def _gather(rng, drafts: list[Draft], ref: Reference, now, residents) -> None:
    """Turn some recent drafts into reports about a few places: each gathering takes one
    grid, one category and one spot, and 10–30 people write about it within a month."""
    by_name = {c.name: c for c in ref.categories}
    recent = [d for d in drafts if now - d.created_at <= timedelta(days=GATHER_DAYS)]
    rng.shuffle(recent)
    towns = [g for g in ref.grids if g.weight >= TOWN_WEIGHT] or ref.grids
    for category_name, place, titles, description in GATHERINGS:
        category = by_name.get(category_name)
        if category is None or not recent:
            continue
        grid = rng.choice(towns)
        if ref.owner_for(category, grid.region_path) is None:
            continue
        ((lng, lat),) = points_in(rng, grid, 1)
        take, recent = recent[: rng.randint(10, 30)], recent[30:]
        for d in take:
            d.category, d.grid = category, grid
            d.command_id = ref.command_for(grid.region_path)
            d.owner_id = ref.owner_for(category, grid.region_path)
            _place(rng, d, ref, residents)
            n = rng.randint(1, 30)
            d.title = rng.choice(titles).format(n=n)
            d.description = description.format(n=n)
            d.address = f"{grid.township_name}{place}"
            d.lng, d.lat = _near(rng, grid, lng, lat, GATHER_RADIUS_M)
        # Others who met the same problem added their voice from the intake hint instead.
        if take and residents:
            first = min(take, key=lambda d: d.created_at)
            people = rng.sample(residents, min(len(residents), rng.randint(5, 40)))
            first.supports = [
                (person[0], min(now, first.created_at + minutes(rng, 30, 60 * 24 * 7)))
                for person in people
            ]


def _near(rng, grid: GridInfo, lng: float, lat: float, radius_m: float) -> tuple[float, float]:
    """A point within ``radius_m`` of one in ``grid``, and in the grid too: a point outside
    it would be moved to the grid's centre by ``_check_points``, hundreds of metres from
    the spot, and be taken for another place."""
    spread = radius_m / 111_320
    for _attempt in range(20):
        x = round(lng + rng.uniform(-spread, spread), 6)
        y = round(lat + rng.uniform(-spread, spread) * 0.8, 6)
        if shapely.contains_xy(grid.polygon, x, y):
            return x, y
    return lng, lat


def _check_points(rng, drafts: list[Draft]) -> None:
    """Every point must be found in its own grid by the same lookup intake uses."""
    lookup.invalidate()  # the grids may have been written in this very transaction
    hits = lookup.locate_many([d.lng for d in drafts], [d.lat for d in drafts])
    for d, grid_id in zip(drafts, hits.grid_id.tolist(), strict=True):
        if grid_id != d.grid.id:
            point = d.grid.polygon.representative_point()
            d.lng, d.lat = round(point.x, 6), round(point.y, 6)
    lookup.invalidate_on_commit()
