"""Selectors the mediation pages list from, in a fixed number of queries whatever the
number of rows they cover.

The board's counts come from one grouped query, its total from those counts, and a page of
its rows from the ids sorted on the open-board index (see ``views.boards``).

``rounds_progress`` gives the screening rounds their figures and ``rounds_grid_rows`` their
grids' rows (``campaigns.grid_rows`` and ``campaigns.progress`` for one round): for a page
of rounds in three queries, instead of five to eight per round.
"""

from __future__ import annotations

from collections import Counter

from django.core.paginator import Paginator
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.functional import cached_property

from gongzhi.regions.models import Grid, Region

from . import services
from .choices import Level, Risk, State
from .models import Campaign, Dispute, GridReport


def _area_paths(rounds: list[Campaign]) -> dict[int, str]:
    """Each round's area path; one query for those not already carrying it (the list
    annotates ``area_path``)."""
    paths = {c.pk: getattr(c, "area_path", None) for c in rounds}
    missing = {c.region_id for c in rounds if paths[c.pk] is None}
    if missing:
        # Only the path: a region row also carries its whole boundary.
        found = dict(Region.objects.filter(pk__in=missing).values_list("pk", "path"))
        for c in rounds:
            if paths[c.pk] is None:
                paths[c.pk] = found[c.region_id]
    return paths


def rounds_grid_rows(rounds: list[Campaign], now=None) -> dict[int, list[dict]]:
    """For each round (by pk) a row per grid: its answer, the disputes found, whether it is
    late; the rounds read together: their grids, reports and registered disputes in one
    query each."""
    return {pk: rows for pk, (rows, _without) in _read(list(rounds), now).items()}


def _read(rounds: list[Campaign], now) -> dict[int, tuple[list[dict], int]]:
    """Each round's grid rows, and the disputes registered in it without a grid."""
    now = now or timezone.now()
    if not rounds:
        return {}
    paths = _area_paths(rounds)
    within = Q(pk__in=[])
    for path in set(paths.values()):
        within |= Q(region_path__startswith=path)
    grids = list(
        Grid.objects.filter(within, is_active=True)
        .order_by("code")
        .values("pk", "code", "name", "region_path")
    )
    pks = [c.pk for c in rounds]
    reports = {
        (r.campaign_id, r.grid_id): r
        for r in GridReport.objects.filter(campaign_id__in=pks).select_related("reported_by")
    }
    registered = {
        (campaign_id, grid_id): (n, first)
        for campaign_id, grid_id, n, first in Dispute.objects.filter(campaign_id__in=pks)
        .values_list("campaign_id", "grid_id")
        .annotate(n=Count("pk"), first=Min("created_at"))
        .order_by()
    }
    found = {}
    for c in rounds:
        past_due = now > c.due_at
        rows = []
        for g in grids:
            if not g["region_path"].startswith(paths[c.pk]):
                continue
            report = reports.get((c.pk, g["pk"]))
            n, first = registered.get((c.pk, g["pk"]), (0, None))
            answered = report is not None or n > 0
            times = [t for t in (report.reported_at if report else None, first) if t]
            answered_at = min(times) if times else None
            rows.append(
                {
                    "grid_id": g["pk"],
                    "code": g["code"],
                    "name": g["name"],
                    "reported": answered,
                    "reported_at": report.reported_at if report else None,
                    "reported_by": report.reported_by.masked_name
                    if report and report.reported_by
                    else "",
                    "on_time": answered_at is not None and answered_at <= c.due_at,
                    "zero": report is not None and report.found == 0 and n == 0,
                    "found": max(report.found if report else 0, n),
                    "registered": n,
                    "note": report.note if report else "",
                    "late": past_due and not answered,
                }
            )
        found[c.pk] = (rows, registered.get((c.pk, None), (0, None))[0])
    return found


def rounds_progress(rounds: list[Campaign], now=None, *, grids_of_worker=()) -> dict[int, dict]:
    """For each round (by pk): ``figures`` as ``campaigns.progress`` gives them, and
    ``waiting``, how many of ``grids_of_worker`` in the round have not answered (None when
    no grids are given: the viewer is not a grid worker)."""
    mine = set(grids_of_worker)
    result = {}
    for pk, (rows, without_grid) in _read(list(rounds), now).items():
        total = len(rows)
        reported = sum(r["reported"] for r in rows)
        figures = {
            "grids": total,
            "reported": reported,
            "zero_reports": sum(r["zero"] for r in rows),
            "found": sum(r["found"] for r in rows) + without_grid,
            "registered": sum(r["registered"] for r in rows) + without_grid,
            "late": sum(r["late"] for r in rows),
            "share_reported": reported / total if total else None,
        }
        waiting = (
            sum(1 for r in rows if r["grid_id"] in mine and not r["reported"]) if mine else None
        )
        result[pk] = {"figures": figures, "waiting": waiting}
    return result


# -- the board and the workbench -----------------------------------------------------------


class KnownCount(Paginator):
    """A paginator told its count (the board sums it from its breakdown): no COUNT query."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.known = count

    @cached_property
    def count(self) -> int:
        return self.known


def breakdown(disputes) -> dict[str, Counter]:
    """Counts by risk, level and type from one grouped query (three separate counts each
    walked the whole set); for the open disputes the open-board index answers it alone."""
    by = {"risk": Counter(), "level": Counter(), "type": Counter()}
    rows = disputes.order_by().values_list("risk", "level", "type_id").annotate(n=Count("id"))
    for risk, level, type_id, n in rows:
        by["risk"][risk] += n
        by["level"][level] += n
        by["type"][type_id] += n
    return by


def table_rows(disputes, now, scrub=None) -> list:
    """The rows of a dispute table (``_dispute_table.html``), each with its age in days, its
    labels looked up once (``get_FOO_display`` rebuilt the choices for every cell) and its
    title with the parties' data masked (``shown_title``). ``scrub``: the scrubbers of
    ``services.scrubbers`` when the caller read them for several lists at once."""
    rows = list(disputes)
    scrub = scrub if scrub is not None else services.scrubbers([d.pk for d in rows])
    for d in rows:
        d.shown_title = scrub[d.pk](d.title)
        d.age_days = (now - d.created_at).days
        d.risk_label = Risk.label_of(d.risk)
        d.level_label = Level.label_of(d.level)
        d.state_label = State.label_of(d.state)
    return rows
