"""区划与网格: the drill-down of a viewer's own area, county → township → community → grid.

The page opens at the top of what ``Region.objects.visible_to(viewer)`` holds and lists the
children of one region at a time, each with its figures; a community lists its grids, their
grid workers and what other apps hang under a grid (the open cases). Breadcrumbs go back up,
never above the viewer's area.

Regions sit below the apps whose records are counted here, so those apps add their figures
through this module's small registry, as they add menu entries to ``core.navigation``: an
app's ``drill.py`` (found when the page is first built) calls ``register`` with

* a ``Tally``: columns of counts, computed for all rows of a level in one aggregate query
  (``by_region`` for the children of a county or township, ``by_grid`` for a community's
  grids), from the app's own scoped queryset;
* a ``Listing``: a few items under each grid (links to records the viewer may open).

Every query here reads the region and grid rows without their boundaries (a county's
outline is tens of kilobytes): ``NODE_FIELDS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache

from django.db.models import BooleanField, Case, Count, Q, Value, When
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from gongzhi.core.scope import scope_for

from .models import LEVEL_ORDER, Grid, GridAssignment, Region, RegionLevel, path_prefixes

NODE_FIELDS = ("id", "code", "name", "level", "path", "parent_id")
GRID_FIELDS = ("id", "code", "name", "region_path", "community_id", "households", "population")
LISTING_LIMIT = 10  # items under one grid; the listing's ``more`` link opens the rest


# --- the registry -------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    label: object  # a lazy translation
    flag: str = ""  # a CSS class for a non-zero value ("overdue")


@dataclass(frozen=True)
class Tally:
    """Counts another app adds to each row. ``by_region(viewer, paths, now)`` answers
    ``{path: {column: n}}`` for records at or below each path; ``by_grid(viewer, grid_ids,
    now)`` answers ``{grid id: {column: n}}``. Each in one query."""

    name: str
    columns: tuple[Column, ...]
    by_region: Callable[..., dict[str, dict[str, int]]]
    by_grid: Callable[..., dict[int, dict[str, int]]]
    order: int = 100


@dataclass(frozen=True)
class Item:
    url: str
    text: str
    note: str = ""
    flag: str = ""


@dataclass(frozen=True)
class Listing:
    """Items another app lists under each grid: ``items(viewer, grid_ids, now, limit)``
    answers ``{grid id: [Item]}`` (at most ``limit`` each, in one query); ``more(grid)``
    the URL of the whole list, or ""."""

    name: str
    label: object
    items: Callable[..., dict[int, list[Item]]]
    more: Callable[[Grid], str] | None = None
    empty: object = ""
    order: int = 100


_tallies: dict[str, Tally] = {}
_listings: dict[str, Listing] = {}


def register(*things: Tally | Listing) -> None:
    for thing in things:
        (_tallies if isinstance(thing, Tally) else _listings)[thing.name] = thing


@cache
def _discover() -> None:
    autodiscover_modules("drill")


def tallies() -> list[Tally]:
    _discover()
    return sorted(_tallies.values(), key=lambda t: (t.order, t.name))


def listings() -> list[Listing]:
    _discover()
    return sorted(_listings.values(), key=lambda t: (t.order, t.name))


def columns() -> list[Column]:
    return [c for t in tallies() for c in t.columns]


# --- the queries --------------------------------------------------------------------------


@dataclass
class Crumb:
    region: Region
    linked: bool  # inside the viewer's area: a link back up; above it: its name only


@dataclass
class Row:
    """One child on a level's list: a region (with its grid count) or a grid."""

    obj: Region | Grid
    figures: dict[str, int] = field(default_factory=dict)
    workers: list[dict] = field(default_factory=list)
    listings: list[dict] = field(default_factory=list)
    mine: bool = False
    cells: list[tuple[Column, int]] = field(default_factory=list)  # figures in column order


@dataclass
class Level:
    node: Region | None  # None: the viewer's area has several tops, listed side by side
    crumbs: list[Crumb]
    rows: list[Row]
    totals: dict[str, int]
    child_level: str  # a RegionLevel value, or "grid"
    columns: list[Column]  # of the rows
    total_columns: list[Column]  # of the node's own figures
    total_cells: list[tuple[Column, int]] = field(default_factory=list)

    def __post_init__(self):
        for row in self.rows:
            row.cells = [(c, row.figures.get(c.name, 0)) for c in self.columns]
        if self.node is not None:
            self.total_cells = [(c, self.totals.get(c.name, 0)) for c in self.total_columns]

    @property
    def child_level_label(self):
        if self.child_level == "grid":
            return _("Grids")
        return RegionLevel(self.child_level).label if self.child_level else ""


def visible_regions(viewer):
    """The one scoping method, without the boundaries."""
    return Region.objects.visible_to(viewer).only(*NODE_FIELDS)


def tops(viewer) -> list[Region]:
    """The highest regions of the viewer's area: those visible whose parent is not."""
    visible = Region.objects.visible_to(viewer)
    return list(visible_regions(viewer).exclude(parent__in=visible.values("pk")).order_by("path"))


def region_for(viewer, code: str) -> Region | None:
    return visible_regions(viewer).filter(code=code).first()


def _crumbs(viewer, node: Region) -> list[Crumb]:
    """The node's chain, root first (the province left out), each marked as inside the
    viewer's area or not: one query."""
    inside = Region.objects.visible_to(viewer).values("pk")
    chain = (
        Region.objects.filter(path__in=path_prefixes(node.path))
        .exclude(level=RegionLevel.PROVINCE)
        .only(*NODE_FIELDS)
        .annotate(
            inside=Case(
                When(pk__in=inside, then=Value(True)), default=False, output_field=BooleanField()
            )
        )
        .order_by("path")
    )
    return [Crumb(r, bool(r.inside)) for r in chain]


def _grid_counts(viewer, paths: Iterable[str]) -> dict[str, int]:
    """Active grids at or below each path, in one query."""
    paths = list(dict.fromkeys(paths))
    if not paths:
        return {}
    grids = Grid.objects.visible_to(viewer).filter(is_active=True)
    counts = grids.aggregate(
        **{f"p{i}": Count("pk", filter=Q(region_path__startswith=p)) for i, p in enumerate(paths)}
    )
    return {p: counts[f"p{i}"] or 0 for i, p in enumerate(paths)}


def _region_figures(viewer, paths: list[str], now) -> dict[str, dict[str, int]]:
    figures: dict[str, dict[str, int]] = {p: {} for p in paths}
    for path, n in _grid_counts(viewer, paths).items():
        figures[path]["grids"] = n
    for tally in tallies():
        for path, values in tally.by_region(viewer, paths, now).items():
            figures.setdefault(path, {}).update(values)
    return figures


def child_level_of(level: str) -> str:
    if level == RegionLevel.COMMUNITY:
        return "grid"
    index = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[index + 1] if index + 1 < len(LEVEL_ORDER) else "grid"


def _worker_name(viewer, user) -> str:
    """Staff see the names of staff; anyone else a masked one."""
    scope = scope_for(viewer)
    if scope.everything or scope.organisation_paths:
        return user.display_name or user.username
    return user.masked_name


def _grid_rows(viewer, community: Region, now) -> list[Row]:
    grids = list(
        Grid.objects.visible_to(viewer)
        .filter(community=community, is_active=True)
        .only(*GRID_FIELDS)
        .order_by("code")
    )
    ids = [g.pk for g in grids]
    rows = {g.pk: Row(g) for g in grids}
    assignments = (
        GridAssignment.objects.filter(grid_id__in=ids)
        .select_related("user")
        .only("grid_id", "duty", "user__id", "user__username", "user__display_name")
        .order_by("grid_id", "duty", "user__display_name")
    )
    for a in assignments:
        row = rows[a.grid_id]
        row.workers.append({"name": _worker_name(viewer, a.user), "duty": a.get_duty_display()})
        row.mine = row.mine or a.user_id == viewer.pk
    for tally in tallies():
        for grid_id, values in tally.by_grid(viewer, ids, now).items():
            if grid_id in rows:
                rows[grid_id].figures.update(values)
    for listing in listings():
        items = listing.items(viewer, ids, now, LISTING_LIMIT)
        for grid_id, row in rows.items():
            row.listings.append(
                {
                    "name": listing.name,
                    "label": listing.label,
                    "empty": listing.empty,
                    "items": items.get(grid_id, []),
                    "more": listing.more(row.obj) if listing.more else "",
                }
            )
    return list(rows.values())


def level(viewer, node: Region | None, *, now) -> Level:
    """The page of one region (``node``), or of the viewer's tops when ``node`` is None and
    they are several."""
    cols = [Column("grids", _("Grids")), *columns()]
    if node is None:
        children = tops(viewer)
        crumbs: list[Crumb] = []
        child_level = children[0].level if children else ""
        totals: dict[str, int] = {}
    else:
        crumbs = _crumbs(viewer, node)
        child_level = child_level_of(node.level)
        if child_level == "grid":
            rows = _grid_rows(viewer, node, now)
            totals = _region_figures(viewer, [node.path], now)[node.path]
            return Level(node, crumbs, rows, totals, "grid", cols[1:], cols)
        children = list(visible_regions(viewer).filter(parent=node).order_by("code"))
    paths = [c.path for c in children] + ([node.path] if node else [])
    figures = _region_figures(viewer, paths, now)
    if node is not None:
        totals = figures[node.path]
    rows = [Row(c, figures.get(c.path, {})) for c in children]
    return Level(node, crumbs, rows, totals, child_level, cols, cols)
