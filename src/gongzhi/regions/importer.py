"""Import region and grid boundaries from a GeoJSON FeatureCollection.

Each feature carries ``code``, ``name``, ``level`` (province … community, or ``grid``) and
``parent_code`` (a grid's parent is its community) in its properties; optional ``source``,
``is_synthetic``, ``households``, ``population``, ``is_active``. Parents may be in the file
or already stored.

Everything is validated before anything is written (ARCHITECTURE.md rule 6): properties,
geometry validity (shapely's ``explain_validity``), parents and their levels, overlaps
between siblings, children spilling out of their parent, and gaps left in a parent. Any
error means nothing is written; the import is one transaction.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from django.db import transaction
from shapely.geometry import shape
from shapely.validation import explain_validity

from . import topology
from .coords import normalise_crs, to_wgs84
from .geometry import to_geojson
from .models import LEVEL_ORDER, Grid, Region
from .services import IN_CHUNK, GridRow, RegionRow, sync_grids, sync_regions

GRID = "grid"
LEVELS = (*LEVEL_ORDER, GRID)
GRID_EXTRA = {"households": int, "population": int, "is_active": bool}


@dataclass
class Feature:
    ref: str  # how the report names it: "#3 630202100001-03"
    code: str
    name: str
    level: str
    parent_code: str | None
    geom: object | None
    props: dict


@dataclass
class Report:
    features: list[Feature] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportFailed(Exception):
    def __init__(self, report: Report):
        super().__init__(f"{len(report.errors)} problem(s); nothing was imported")
        self.report = report


# --- parsing ----------------------------------------------------------------------------


def _geometry(raw, crs: str, ref: str, errors: list[str]):
    if raw is None:
        return None
    if not isinstance(raw, dict) or raw.get("type") not in ("Polygon", "MultiPolygon"):
        kind = raw.get("type") if isinstance(raw, dict) else type(raw).__name__
        errors.append(f"{ref}: geometry must be a Polygon or MultiPolygon, not {kind}")
        return None
    try:
        geom = shape(raw)
        xy = shapely.get_coordinates(geom)
    except Exception as exc:  # malformed coordinate arrays of every kind
        errors.append(f"{ref}: unreadable geometry ({exc})")
        return None
    if geom.is_empty:
        errors.append(f"{ref}: empty geometry")
        return None
    if not np.isfinite(xy).all() or (np.abs(xy[:, 0]) > 180).any() or (np.abs(xy[:, 1]) > 90).any():
        errors.append(f"{ref}: coordinates are not longitude/latitude in degrees")
        return None
    if crs != "wgs84":
        # Convert each distinct vertex once so shared borders stay identical.
        uniq, inverse = np.unique(xy, axis=0, return_inverse=True)
        lng, lat = to_wgs84(uniq[:, 0], uniq[:, 1], crs)
        geom = shapely.set_coordinates(geom, np.column_stack([lng, lat])[inverse.ravel()])
    if not geom.is_valid:
        errors.append(f"{ref}: invalid geometry: {explain_validity(geom)}")
        return None
    return geom


def _text(props: dict, key: str, limit: int, ref: str, errors: list[str], required=True):
    value = props.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.append(f"{ref}: missing property '{key}'")
        return None
    value = str(value).strip()
    if len(value) > limit:
        errors.append(f"{ref}: '{key}' is longer than {limit} characters")
        return None
    return value


def parse(data, *, crs: str = "wgs84") -> Report:
    report = Report()
    errors = report.errors
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        errors.append("the file is not a GeoJSON FeatureCollection")
        return report
    if not isinstance(data.get("features"), list):
        errors.append("the FeatureCollection has no 'features' list")
        return report
    seen: dict[tuple[str, str], str] = {}
    for i, raw in enumerate(data["features"], start=1):
        props = raw.get("properties") if isinstance(raw, dict) else None
        if not isinstance(props, dict):
            errors.append(f"#{i}: not a Feature with properties")
            continue
        code = _text(props, "code", 20, f"#{i}", errors)
        ref = f"#{i} {code or raw.get('id') or ''}".strip()
        name = _text(props, "name", 100, ref, errors)
        level = _text(props, "level", 12, ref, errors)
        if level and level not in LEVELS:
            errors.append(f"{ref}: unknown level '{level}' (use one of {', '.join(LEVELS)})")
            level = None
        if code and level and level != GRID and len(code) > 12:
            errors.append(f"{ref}: a region code has at most 12 characters")
        parent = _text(props, "parent_code", 20, ref, errors, required=False)
        if level and level not in ("province", GRID) and not parent:
            errors.append(f"{ref}: missing parent_code")
        if level == GRID and not parent:
            errors.append(f"{ref}: missing parent_code (the grid's community)")
        geom = _geometry(raw.get("geometry"), crs, ref, errors)
        if level == GRID and raw.get("geometry") is None:
            errors.append(f"{ref}: a grid needs a boundary")
        if code and level:
            key = (GRID if level == GRID else "region", code)
            if key in seen:
                errors.append(f"{ref}: code {code} appears twice (also {seen[key]})")
            seen[key] = ref
        if code and name and level:
            report.features.append(Feature(ref, code, name, level, parent, geom, props))
    return report


# --- validation against the stored tree -------------------------------------------------


def _chunks(values):
    values = sorted(set(values))
    for i in range(0, len(values), IN_CHUNK):
        yield values[i : i + IN_CHUNK]


def _stored_nodes(parent_codes: set[str]) -> tuple[dict, dict]:
    """Stored regions (the parents and their region children) and grids under the parents."""
    regions, grids = {}, {}
    fields = ("code", "level", "parent__code", "boundary")
    for chunk in _chunks(parent_codes):
        rows = [
            *Region.objects.filter(code__in=chunk).values_list(*fields),
            *Region.objects.filter(parent__code__in=chunk).values_list(*fields),
        ]
        for code, level, parent, boundary in rows:
            regions[code] = topology.Node(
                code, "region", level, parent, shape(boundary) if boundary else None
            )
        for code, parent, boundary in Grid.objects.filter(community__code__in=chunk).values_list(
            "code", "community__code", "boundary"
        ):
            grids[code] = topology.Node(
                code, "grid", GRID, parent, shape(boundary) if boundary else None
            )
    return regions, grids


def _stored_child_levels(codes: list[str], described: set[str]) -> dict[str, set[str]]:
    """Levels of what is stored below these regions ("grid" for grids), leaving out the
    children the file itself describes (their new parent is checked on their own)."""
    below: dict[str, set[str]] = defaultdict(set)
    for chunk in _chunks(codes):
        for parent, level, code in Region.objects.filter(parent__code__in=chunk).values_list(
            "parent__code", "level", "code"
        ):
            if code not in described:
                below[parent].add(level)
        for parent, code in Grid.objects.filter(community__code__in=chunk).values_list(
            "community__code", "code"
        ):
            if code not in described:
                below[parent].add(GRID)
    return below


def validate(report: Report, *, tolerance_m: float, allow_gaps: bool = False) -> Report:
    features = report.features
    parents = {f.parent_code for f in features if f.parent_code}
    regions, grids = _stored_nodes(parents)
    for f in features:  # the file overrides what is stored
        node = topology.Node(
            f.code, GRID if f.level == GRID else "region", f.level, f.parent_code, f.geom
        )
        (grids if f.level == GRID else regions)[f.code] = node
    refs = {f.code: f.ref for f in features}
    misplaced = set()  # features with a wrong parent: left out of the geometry checks
    for f in features:
        if not f.parent_code:
            continue
        parent = regions.get(f.parent_code)
        if parent is None:
            problem = f"unknown parent {f.parent_code}"
        elif f.level == GRID and parent.level != "community":
            problem = f"a grid's parent must be a community, {f.parent_code} is a {parent.level}"
        elif f.level != GRID and LEVEL_ORDER.index(parent.level) >= LEVEL_ORDER.index(f.level):
            problem = f"parent {f.parent_code} ({parent.level}) is not above a {f.level}"
        else:
            continue
        report.errors.append(f"{f.ref}: {problem}")
        misplaced.add(f.code)
    below = _stored_child_levels(
        [f.code for f in features if f.level != GRID], {f.code for f in features}
    )
    for f in features:
        for level in below.get(f.code, ()):
            bad = (level == GRID and f.level != "community") or (
                level != GRID and LEVEL_ORDER.index(level) <= LEVEL_ORDER.index(f.level)
            )
            if bad:
                report.errors.append(
                    f"{f.ref}: as a {f.level} it cannot keep its stored {level} children"
                )
    focus = set(refs) - misplaced
    children: dict[tuple[str, str], list] = defaultdict(list)
    for node in [*regions.values(), *grids.values()]:
        if node.parent_code in parents and node.code not in misplaced:
            children[(node.parent_code, node.kind)].append(node)
    for (parent_code, _kind), kids in sorted(children.items()):
        if not any(k.code in focus for k in kids):
            continue  # nothing in the file changes this family
        for p in topology.check_siblings(regions.get(parent_code), kids, focus, tolerance_m):
            line = f"{refs.get(p.code, p.code)}: {p.message}"
            (report.warnings if p.kind == "gap" and allow_gaps else report.errors).append(line)
    return report


def check_stored(*, tolerance_m: float, allow_gaps: bool = False) -> Report:
    """Every stored region and grid: valid geometry, and each parent tiled by its children."""
    report = Report()
    nodes: dict[tuple[str, str], topology.Node] = {}
    rows = [
        ("region", *r)
        for r in Region.objects.values_list("code", "level", "parent__code", "boundary")
    ]
    rows += [
        ("grid", c, GRID, p, b)
        for c, p, b in Grid.objects.values_list("code", "community__code", "boundary")
    ]
    for kind, code, level, parent, boundary in rows:
        geom = shape(boundary) if boundary else None
        if geom is not None and not geom.is_valid:
            report.errors.append(f"{code}: invalid geometry: {explain_validity(geom)}")
            geom = None
        nodes[(kind, code)] = topology.Node(code, kind, level, parent, geom)
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for node in nodes.values():
        if node.parent_code:
            groups[(node.parent_code, node.kind)].append(node)
    focus = {code for _kind, code in nodes}
    for (parent_code, _kind), kids in sorted(groups.items()):
        for p in topology.check_siblings(
            nodes.get(("region", parent_code)), kids, focus, tolerance_m
        ):
            line = f"{p.code}: {p.message}"
            (report.warnings if p.kind == "gap" and allow_gaps else report.errors).append(line)
    return report


# --- writing ----------------------------------------------------------------------------


def _source(props: dict, default: str) -> str:
    return str(props.get("source") or default)[:200]


def apply(report: Report, *, source: str) -> Counter:
    region_rows, grid_rows = [], []
    for f in report.features:
        boundary = to_geojson(f.geom) if f.geom is not None else None
        synthetic = bool(f.props.get("is_synthetic", False))
        if f.level == GRID:
            extra = {
                k: cast(f.props[k]) for k, cast in GRID_EXTRA.items() if f.props.get(k) is not None
            }
            grid_rows.append(
                GridRow(
                    f.code,
                    f.name,
                    f.parent_code,
                    boundary,
                    synthetic,
                    _source(f.props, source),
                    extra,
                )
            )
        else:
            region_rows.append(
                RegionRow(
                    f.code,
                    f.name,
                    f.level,
                    f.parent_code,
                    boundary,
                    synthetic,
                    _source(f.props, source),
                )
            )
    counts = Counter()
    if region_rows:
        counts += sync_regions(rows=region_rows)
    if grid_rows:
        counts += sync_grids(rows=grid_rows)
    return counts


def import_file(
    path: str | Path,
    *,
    crs: str = "wgs84",
    dry_run: bool = False,
    tolerance_m: float = topology.DEFAULT_TOLERANCE_M,
    allow_gaps: bool = False,
) -> Report:
    """Validate the whole file, then write it in one transaction (or roll back: dry run).

    Raises ImportFailed, carrying the report, when anything is wrong.
    """
    crs = normalise_crs(crs)
    if not math.isfinite(tolerance_m) or tolerance_m < 0:
        raise ValueError("the tolerance must be a non-negative number of metres")
    path = Path(path)
    report = Report()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        report.errors.append(f"cannot read {path.name}: {exc}")
        raise ImportFailed(report) from exc
    report = parse(data, crs=crs)
    if report.features:  # report parents and overlaps too, not just the first kind of error
        validate(report, tolerance_m=tolerance_m, allow_gaps=allow_gaps)
    if not report.ok:
        raise ImportFailed(report)
    with transaction.atomic():
        report.counts = apply(report, source=f"imported from {path.name}")
        if dry_run:
            transaction.set_rollback(True)
    return report
