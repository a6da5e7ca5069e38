"""The command centre bench's fast cases (``bench/_command_data.py``) are cases like intake's:
the rollups rebuilt from them give the figures ``cases.stats.rates`` counts from the records,
and a report made after them takes the day's next number."""

import datetime as dt
import importlib.util
from pathlib import Path

import pytest
from django.db.models import Count
from django.utils import timezone

from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.stats import rates
from gongzhi.command import rollups
from tests.factories import report_case

pytestmark = pytest.mark.django_db

BENCH = Path(__file__).resolve().parents[2] / "bench" / "_command_data.py"


def bench_data():
    spec = importlib.util.spec_from_file_location("_command_data", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_cases_give_the_same_figures_in_the_rollups_as_from_the_records(client, world):
    # A day back, so that no sign-for deadline falls between the rebuild and the recount.
    made = bench_data().generate(1000, days=90, now=timezone.now() - dt.timedelta(days=1))
    assert made["cases"] == 1000 and made["callbacks"] > 400 and made["returned"] > 15

    cases = Case.objects.select_related("grid")
    assert cases.values("number").distinct().count() == 1000
    assert all(c.region_path == c.grid.region_path and c.command_id for c in cases)
    states = dict(cases.values_list("state").annotate(n=Count("id")).order_by())
    assert states["closed"] > 800 and {"rejected", "in_progress"} <= set(states)
    assert not cases.filter(state="closed", closed_at__isnull=True).exists()

    rollups.rebuild()
    today = timezone.localdate()
    start = today - dt.timedelta(days=100)
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time(), tz)
    until = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tz)
    for viewer, region in ((world.city_dispatcher, "630200"), (world.dispatcher, "630202")):
        client.force_login(viewer)
        answer = client.get(
            "/api/v1/command/figures",
            {"region": region, "start": start.isoformat(), "end": today.isoformat()},
        )
        assert answer.status_code == 200, answer.content
        figures = answer.json()["current"]
        (counted,) = rates(viewer=viewer, start=since, end=until)
        assert figures["reported"] == counted["total"] > 0
        assert figures["overdue"] == counted["overdue"]
        for measure, count in counted["counts"].items():
            assert figures[measure] == count, measure
        returned = (
            CaseEvent.objects.filter(action="return", case__in=Case.objects.visible_to(viewer))
            .values("case")
            .distinct()
            .count()
        )
        assert figures["returned"] == returned

    # Intake goes on after the generated cases: the day's next number, no clash.
    case = report_case(world, world.manhole, expect_new=True)
    prefix = case.number.rsplit("-", 1)[0]
    assert case.number == max(
        Case.objects.filter(number__startswith=prefix).values_list("number", flat=True)
    )
