"""The rollups stay equal to the records: after any sequence of real actions on cases
(through the intake and workflow services), the rows kept up to date after each commit are
the rows a recount and a full rebuild make, and the figures read from them are
``cases.stats``' rates counted from the cases themselves."""

import json
import random
from datetime import datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.cases.choices import FINAL_STATES, Satisfaction, State
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.stats import rates
from gongzhi.cases.workflow import deadlines
from gongzhi.command import figures, rollups
from gongzhi.command.models import (
    CaseDay,
    CaseMonth,
    DurationDay,
    DurationMonth,
    GridDay,
    GridMonth,
    ReturnDay,
    ReturnMonth,
    StaleDay,
    TownDay,
    TownMonth,
)
from gongzhi.command.models.rollups import MEASURES
from gongzhi.core.errors import ServiceError
from gongzhi.regions.models import Grid, Region
from gongzhi.taxonomy.models import Category
from tests.factories import move, report_case

pytestmark = pytest.mark.django_db

DAYS = 40  # reports spread over the last 40 days: across a month's end


def snapshot() -> dict:
    """Every table's counts per key (rows of a key summed: readers sum them too)."""
    out = {}
    for model in (TownDay, TownMonth, CaseDay, GridDay, CaseMonth, GridMonth):
        keys = [f.attname for f in model._meta.concrete_fields if f.attname not in MEASURES]
        keys.remove("id")
        for row in model.objects.values(*keys).annotate(**{m: Sum(m) for m in MEASURES}):
            counts = tuple(row[m] for m in MEASURES)
            if any(counts):
                out[(model.__name__, *(row[k] for k in keys))] = counts
    for model in (DurationDay, DurationMonth):
        for row in model.objects.values(
            "day", "region_path", "unit", "category", "channel", "kind", "bucket"
        ).annotate(n=Sum("count")):
            out[(model.__name__, *(v for k, v in row.items() if k != "n"))] = row["n"]
    for model in (ReturnDay, ReturnMonth):
        for row in model.objects.values("day", "region_path", "unit", "grid").annotate(
            n=Sum("returned")
        ):
            out[(model.__name__, *(v for k, v in row.items() if k != "n"))] = row["n"]
    return out


class Story:
    """A random sequence of what happens to cases, taken through the services."""

    def __init__(self, world, seed: int):
        self.w, self.rng = world, random.Random(seed)
        road = world.manhole.parent
        other = Category.objects.filter(level=1, enabled=True).exclude(pk=road.pk).first()
        leaf = Category.objects.filter(parent=other, enabled=True).first() or other
        self.categories = [world.manhole, world.pothole, leaf]
        self.units = [world.cgj, world.zjj, world.other_cgj]
        # Who returns a case: a handler of its unit (the return is charged to that unit).
        self.handlers = {
            world.cgj.pk: world.handler,
            world.zjj.pk: world.zjj_handler,
            world.other_cgj.pk: world.other_handler,
        }
        self.places = [
            (world.point, world.grid),
            (world.other_point, world.other_grid),
        ]
        self.clock: dict[int, datetime] = {}  # each case's own time, moving forward

    def later(self, case) -> datetime:
        self.clock[case.pk] += timedelta(hours=self.rng.choice([1, 3, 20, 50]))
        return self.clock[case.pk]

    def report(self, monkeypatch):
        at = timezone.now() - timedelta(days=self.rng.randrange(DAYS), hours=self.rng.random())
        point, _grid = self.rng.choice(self.places)
        with monkeypatch.context() as m:  # reported on that day (created_at is auto_now_add)
            m.setattr(timezone, "now", lambda: at)
            case = report_case(
                self.w,
                self.rng.choice(self.categories),
                point=point,
                channel=self.rng.choice(["quick_report", "hotline", "grid_worker"]),
                reporter_phone="13900001111",
            )
        self.clock[case.pk] = at
        return case

    def step(self, case):
        """One action the case's state allows (admin acts: every rule permits them)."""
        rng, admin = self.rng, self.w.admin
        choices = {
            State.REPORTED: ["accept", "reject", "categorise", "move", "answer"],
            State.ACCEPTED: ["dispatch", "dispatch", "escalate", "categorise", "answer"],
            State.DISPATCHED: ["sign_for", "sign_for", "return"],
            State.IN_PROGRESS: ["resolve", "resolve", "return", "move"],
            State.RESOLVED: ["verify_pass", "verify_pass", "verify_fail"],
            State.CLOSED: ["callback", "callback"],
            State.RETURNED: ["dispatch", "categorise"],
            State.REOPENED: ["dispatch"],
            State.ESCALATED: ["dispatch"],
        }.get(case.state)
        if not choices:
            return case
        action = rng.choice(choices)
        if action == "move":  # a correction of where it is (no service: a plain save)
            point, grid = rng.choice(self.places)
            case.grid = grid
            case.region = Region.objects.get(path=grid.region_path)
            case.region_path = grid.region_path
            case.save()
            return case
        params = {
            "dispatch": {"organisation": rng.choice(self.units)},
            "reject": {"reason": "不属于受理范围"},
            "answer": {"answer": "已在电话中答复：井盖由市政部门负责，可拨打12319"},
            "return": {"reason": "不属于本单位"},
            "escalate": {"reason": "需要市级协调"},
            "resolve": {"result": "已处理"},
            "verify_fail": {"reason": "仍未修好"},
            "categorise": {"category": rng.choice(self.categories)},
            "callback": {
                "resolved": rng.random() < 0.7,
                "satisfaction": rng.choice(Satisfaction.values),
                "reopen": rng.random() < 0.5,
            },
        }.get(action, {})
        actor = self.handlers.get(case.owner_id, admin) if action == "return" else admin
        try:
            return move(case, action, actor, now=self.later(case), **params)
        except ServiceError:  # e.g. rated already since it closed: nothing changed
            return Case.objects.get(pk=case.pk)


@pytest.mark.parametrize("seed", [1, 2])
def test_rollups_equal_a_recount_and_a_rebuild_and_the_stats(world, committed, monkeypatch, seed):
    story = Story(world, seed)
    cases = []
    for i in range(36):
        with committed():
            if not cases or story.rng.random() < 0.3:
                cases.append(story.report(monkeypatch))
            else:
                k = story.rng.randrange(len(cases))
                cases[k] = story.step(cases[k])
            if i % 12 == 11:  # the deadline scan, some days on: in-hand cases turn overdue
                deadlines.scan(now=timezone.now() + timedelta(days=story.rng.choice([1, 5])))
    # The watcher recounts what the requests marked (only that): then nothing is left
    # marked, and the rows equal a recount of every key and a rebuild from scratch, so no
    # action failed to mark a key it changed.
    assert StaleDay.objects.exists()
    rollups.refresh_stale()
    assert not StaleDay.objects.exists()
    kept = snapshot()
    assert kept
    assert ReturnDay.objects.exclude(unit=0).exists()  # the story returned cases
    # … answered some on the phone, and took the command centre's steps in time and late.
    assert sum(TownDay.objects.values_list("answered", flat=True))
    assert sum(TownDay.objects.values_list("accept_base", flat=True))
    assert sum(TownDay.objects.values_list("dispatch_base", flat=True))
    all_keys = set(CaseDay.objects.values_list("day", "region_path"))
    all_keys |= set(ReturnDay.objects.values_list("day", "region_path"))
    rollups.recount(all_keys)
    assert snapshot() == kept
    out = StringIO()
    call_command("command", "rollup", "--rebuild", stdout=out)
    assert json.loads(out.getvalue())["rebuilt"] is True
    assert snapshot() == kept

    # The figures are the stats' rates counted from the records, for every kind of viewer.
    end = timezone.localdate()
    start = end - timedelta(days=DAYS)
    since = timezone.make_aware(datetime.combine(start, time.min))
    until = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    for viewer in (world.admin, world.leader, world.dispatcher, world.handler, world.other_handler):
        summary = figures.summary(viewer=viewer, start=start, end=end)
        [stats] = rates(viewer=viewer, start=since, end=until) or [None]
        if stats is None:
            assert summary["reported"] == 0
            continue
        assert summary["reported"] == stats["total"]
        assert summary["overdue"] == stats["overdue"]
        for measure in ("response_base", "responded", "rated", "solved", "satisfied"):
            assert summary[measure] == stats["counts"][measure], measure
        for rate in ("response_rate", "resolution_rate", "satisfaction_rate"):
            assert summary[rate] == stats[rate], rate
        # The command centre's own steps and the calls answered directly, as the rates page.
        for measure, count in stats["command_counts"].items():
            assert summary[measure] == count, measure
        for rate in ("accept_rate", "dispatch_rate"):
            assert summary[rate] == stats[rate], rate
        assert summary["answered"] == stats["answered"]
        visible = Case.objects.visible_to(viewer)
        reported = visible.filter(created_at__gte=since, created_at__lt=until)
        assert summary["open"] == reported.exclude(state__in=FINAL_STATES).count()
        assert summary["returned"] == reported.filter(events__action="return").distinct().count()
        closed = visible.filter(closed_at__gte=since, closed_at__lt=until).count()
        assert summary["closed"] == closed

    # Returns: charged to the unit that made them, on the day it made them.
    returns = CaseEvent.objects.filter(action="return", at__gte=since, at__lt=until)
    charged = {}
    for unit in returns.exclude(actor_organisation=None).values_list(
        "actor_organisation", flat=True
    ):
        charged[unit] = charged.get(unit, 0) + 1
    assert figures.returns_by_unit(viewer=world.admin, start=start, end=end) == charged

    # Broken down: per unit, per category and per day, as the stats group them.
    def ours(by):
        rows = figures.breakdown(viewer=world.admin, start=start, end=end, by=by)
        # (A day with closings only has a row, of no reports: the stats group reports.)
        return {r["key" if by == "day" else "label"]: r["reported"] for r in rows if r["reported"]}

    def theirs(by):
        rows = rates(viewer=world.admin, group_by=by, start=since, end=until)
        if by == "day":
            return {str(r["key"])[:10]: r["total"] for r in rows}
        return {r["label"] or gettext("No lead unit"): r["total"] for r in rows}

    for by in ("unit", "category", "day"):
        assert ours(by) == theirs(by), by
    # Medians within the histograms' error (a bucket: 25 %) of the exact ones.
    resolved = [
        (c.resolved_at - c.created_at).total_seconds() / 3600
        for c in Case.objects.filter(resolved_at__isnull=False, created_at__gte=since)
    ]
    if resolved:
        resolved.sort()
        exact = resolved[(len(resolved) - 1) // 2]
        got = figures.durations(viewer=world.admin, start=start, end=end)["resolve"]
        assert got["count"] == len(resolved)
        assert abs(got["median"] - exact) <= 0.25 * exact + 0.1


def test_a_bulk_update_and_a_crash_lose_nothing(world, committed, today):
    case = report_case(world, world.manhole)
    with committed():
        case = move(case, "accept", world.dispatcher)
        case = move(case, "dispatch", world.dispatcher)
    # The deadline scan flags the case with an UPDATE, which sends no save signal.
    with committed():
        assert deadlines.scan(now=timezone.now() + timedelta(days=30))["overdue"] == 1
    assert figures.summary(viewer=world.admin, start=today, end=today)["overdue"] == 1
    # A request that committed but died before recounting left its mark: the tick counts it.
    case = move(case, "sign_for", world.handler)  # on-commit callbacks not run: a "crash"
    assert StaleDay.objects.count() == 1
    assert rollups.tick()["recounted"] == 1
    assert not StaleDay.objects.exists()
    row = CaseDay.objects.get(day=today, reported=1)
    assert (row.response_base, row.responded, row.overdue) == (1, 1, 0)


def test_the_rollups_cli_recounts_what_is_marked(world, today):
    report_case(world, world.manhole)
    out = StringIO()
    call_command("command", "rollup", stdout=out)
    assert json.loads(out.getvalue()) == {"recounted": 1}
    assert CaseDay.objects.get(day=today).reported == 1
    assert Grid.objects.filter(pk=GridDay.objects.get(day=today).grid).exists()


def test_returns_follow_their_case_on_the_day_of_the_return(world, committed, today):
    w = world
    later = timezone.now() + timedelta(days=2)  # returned two days after it was reported
    day = timezone.localdate(later)
    with committed():
        case = report_case(w, w.manhole)
        case = move(case, "accept", w.dispatcher)
        case = move(case, "dispatch", w.dispatcher, organisation=w.cgj)
        move(case, "return", w.handler, now=later, reason="不属于本单位")
    ledu, pingan = Region.objects.get(code="630202"), Region.objects.get(code="630203")

    def charged(region):
        return figures.returns_by_unit(viewer=w.admin, region=region, start=day, end=day)

    assert charged(ledu) == {w.cgj.pk: 1}
    assert figures.returns_by_unit(viewer=w.admin, start=today, end=today) == {}
    # Corrected to another county: its return goes with it.
    with committed():
        case = Case.objects.get(pk=case.pk)
        case.grid, case.region = w.other_grid, Region.objects.get(path=w.other_grid.region_path)
        case.region_path = w.other_grid.region_path
        case.save()
    assert (charged(ledu), charged(pingan)) == ({}, {w.cgj.pk: 1})
    kept = snapshot()
    rollups.rebuild()
    assert snapshot() == kept
    # Deleted: nothing of it is left.
    with committed():
        Case.objects.filter(pk=case.pk).delete()
    assert charged(None) == {}
    assert not ReturnDay.objects.exists() and not ReturnMonth.objects.exists()
