"""``gongzhi demo grow --cases N``: a loaded demo grown to N cases that are like its own (their
words, timelines, callbacks), with the command centre's figures, the queue and intake's
numbering still agreeing with the records; a database that is not a demo is refused."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.cases.models import Callback, Case, CaseEvent
from gongzhi.cases.stats import rates
from gongzhi.demo import cases as demo_seed
from gongzhi.demo.loader import DEMO_MARKER
from gongzhi.regions.models import Grid
from tests.factories import report_case

pytestmark = pytest.mark.django_db


def test_grow_refuses_a_database_that_is_not_a_loaded_demo(world):
    report_case(world, world.manhole)
    with pytest.raises(CommandError, match="demo"):
        call_command("demo", "grow", "--cases", "500", stdout=io.StringIO())
    assert Case.objects.count() == 1


def test_grow_refuses_nonsense_numbers(world):
    User.objects.create(username=DEMO_MARKER)
    with pytest.raises(CommandError):
        call_command("demo", "grow", "--cases", "0", stdout=io.StringIO())
    assert not Case.objects.exists()


def test_a_grown_demo_keeps_its_figures_queue_and_numbers(client, world):
    User.objects.create(username=DEMO_MARKER)
    # The demo's own cases, made by the real workflow.
    demo_seed.generate(count=60, grids=Grid.objects.all(), now=timezone.now(), seed=3)
    own = set(Case.objects.values_list("category_id", "title"))
    own_categories = {category for category, _title in own}
    had = Case.objects.count()

    out = io.StringIO()
    call_command("demo", "grow", "--cases", "900", stdout=out, stderr=io.StringIO())
    assert "900" in out.getvalue()
    assert Case.objects.count() == 900
    grown = Case.objects.order_by("id")[had:]
    # Copies of the demo's own words, per category; numbers never repeat.
    copied = [c for c in grown if c.category_id in own_categories]
    assert len(copied) > 20 and all((c.category_id, c.title) in own for c in copied)
    assert Case.objects.values("number").distinct().count() == 900
    # Timelines and callbacks like the engine's: every grown case has its report, a closed one
    # each step up to its closing, and most closed cases a callback.
    closed = Case.objects.filter(id__gte=grown[0].id, state="closed")
    assert closed.count() > 400
    steps = CaseEvent.objects.filter(case__in=closed).values("action").annotate(n=Count("id"))
    steps = {row["action"]: row["n"] for row in steps}
    for action in ("report", "accept", "dispatch", "sign_for", "resolve", "verify_pass"):
        assert steps[action] >= closed.count(), action
    assert Callback.objects.filter(case__in=closed).values("case").distinct().count() > 200

    # Growing again to fewer cases adds none.
    out = io.StringIO()
    call_command("demo", "grow", "--cases", "500", stdout=out)
    assert Case.objects.count() == 900

    # The command centre's figures (rebuilt by grow) equal a recount of the records.
    today = timezone.localdate()
    start = today - dt.timedelta(days=60)
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time(), tz)
    until = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tz)
    client.force_login(world.city_dispatcher)
    answer = client.get(
        "/api/v1/command/figures",
        {"region": "630200", "start": start.isoformat(), "end": today.isoformat()},
    )
    assert answer.status_code == 200, answer.content
    figures = answer.json()["current"]
    (counted,) = rates(viewer=world.city_dispatcher, start=since, end=until)
    assert figures["reported"] == counted["total"] > 0
    for measure, count in counted["counts"].items():
        assert figures[measure] == count, measure

    # The queue lists the grown cases, newest first.
    page = client.get("/cases/")
    assert page.status_code == 200
    newest = Case.objects.visible_to(world.city_dispatcher).order_by("-created_at", "-id")[0]
    assert newest.number in page.content.decode()

    # Intake goes on: a new report takes the day's next number.
    case = report_case(world, world.manhole, expect_new=True)
    prefix = case.number.rsplit("-", 1)[0]
    assert case.number == max(
        Case.objects.filter(number__startswith=prefix).values_list("number", flat=True)
    )
