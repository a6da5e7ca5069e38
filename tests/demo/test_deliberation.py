"""The demo's deliberation hall, loaded once on the demo's own regions, people and a small
register: a year of history made through the rooms' services — a decision that failed its
quorum, a topic answered with a reason, a late implementation — in places across 海东's
counties, villages and a town community, that the demo logins, the public page and the
figures show."""

from __future__ import annotations

import sys
from unittest import mock

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.deliberation import members
from gongzhi.deliberation.choices import (
    ImplementationState,
    MatterState,
    MeetingState,
    TopicState,
)
from gongzhi.deliberation.models import Implementation, Matter, MatterStep, Meeting, Topic
from gongzhi.deliberation.reference import ensure_seeded
from gongzhi.demo import accounts as demo_accounts
from gongzhi.demo import deliberation as demo_deliberation
from gongzhi.demo import people as demo_people
from gongzhi.demo import regions as demo_regions
from gongzhi.demo.deliberation import people as hall_people
from gongzhi.regions import lookup


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            lookup.invalidate()
            ensure_seeded()
            demo_regions.load()
            demo_accounts.load()
            # A small register, as dense outside 乐都区 as in it: outside the demo
            # township the fullest villages have about a dozen households (the demo's
            # three or more times as many), and the hall takes them.
            with mock.patch.dict(demo_people.DENSITY, elsewhere=demo_people.DENSITY["county"]):
                demo_people.generate(now=timezone.now(), houses=3000)
            with mock.patch.object(hall_people, "MIN_ELSEWHERE", 12):
                first = demo_deliberation.load(stdout=sys.stdout)  # counts and time, with -s
            second = demo_deliberation.load()
            yield first, second
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            lookup.invalidate()


@pytest.fixture
def demo(loaded, db):
    return loaded


def test_a_year_of_history_once(demo):
    first, second = demo
    counts = first["counts"]
    assert counts["villages"] >= 1 and counts["topics"] >= 6
    assert second["counts"]["topics"] == 0 and second["counts"]["accounts"] == 0
    assert {"demo_villager", "demo_village_clerk", "demo_village_secretary"} <= {
        row["username"] for row in first["logins"]
    }


def test_the_logins_are_who_they_should_be(demo):
    villager = User.objects.get(username="demo_villager")
    clerk = User.objects.get(username="demo_village_clerk")
    secretary = User.objects.get(username="demo_village_secretary")
    me = members.villager(villager)
    assert me is not None and me.adult
    assert members.is_committee(clerk, me.region_path)
    assert members.is_secretary(secretary, me.region_path)
    head = User.objects.get(username="demo_township_head")
    assert members.oversees(head, me.region_path)


def test_the_stories_the_issue_asks_for(demo):
    first, _ = demo
    counts = first["counts"]
    failed = Meeting.objects.get(number=counts["failed_quorum"])
    assert failed.state == MeetingState.INQUORATE and failed.quorate is False
    assert Topic.objects.filter(state=TopicState.ANSWERED).exclude(answer="").exists()
    late = Implementation.objects.filter(
        state__in=[ImplementationState.PLANNED, ImplementationState.UNDER_WAY],
        due_on__lt=timezone.localdate(),
    )
    assert late.exists()
    road = Matter.objects.get(number=counts["road"])
    assert road.major and road.state == MatterState.IMPLEMENTING
    assert set(MatterStep.objects.filter(matter=road).values_list("kind", flat=True)) >= {
        "propose",
        "deliberate",
        "review",
        "resolve",
        "publish",
    }
    assert Matter.objects.filter(major=False, state=MatterState.DONE).exists()
    due = Topic.objects.get(number=counts["late_topic"])
    assert due.state == TopicState.DUE and due.answer_due < timezone.now()
    # In a village, by the 村民委员会组织法: the assembly that failed its quorum is a
    # 村民会议, the road was resolved by a 村民代表会议, and its late task is the village's.
    assert failed.kind == "village_assembly" and failed.region.name.endswith("村")
    resolved = MatterStep.objects.get(matter=road, kind="resolve").meeting
    assert resolved.kind == "village_reps" and not resolved.rule.urban
    assert late.filter(matter=road).exists() and road.region.name.endswith("村")


def test_the_public_page_and_the_figures_show_it(demo):
    villager = User.objects.get(username="demo_villager")
    village = members.villager(villager)
    from gongzhi.regions.models import Region

    code = Region.objects.get(pk=village.region_id).code
    html = Client().get(f"/deliberation/v/{code}/").content.decode()
    assert "硬化村内主干道" in html and "增设垃圾分类收集点" in html
    head = Client()
    head.force_login(User.objects.get(username="demo_township_head"))
    data = head.get("/api/v1/deliberation/figures").json()
    total = data["total"]
    assert total["topics_raised"] >= 6 and total["decisions"] >= 2
    assert 0 < total["answered_in_time"] <= total["topics_reached_threshold"]
    assert total["implementations_due"] >= 2 and total["households_taking_part"] > 0
    overview = head.get("/api/v1/deliberation/overview").json()
    row = next(r for r in overview["rows"] if r["code"] == code)
    assert row["late"] >= 1 and row["overdue"] >= 1 and row["published"] >= 1


def test_the_hall_spans_haidong(demo):
    """The demo logins' village first, in 碾伯镇; the hall's places in several of 海东's
    counties; a town community among them decided by its residents' representatives, by the
    城市居民委员会组织法's rule, while the villages use the 村民委员会组织法's."""
    from gongzhi.regions.models import Region

    places = Region.objects.filter(pk__in=Topic.objects.values("region_id")).order_by("code")
    villager = members.villager(User.objects.get(username="demo_villager"))
    home = Region.objects.get(pk=villager.region_id)
    assert home.name.endswith("村") and home.parent.name == "碾伯镇"
    counties = {p.path.split("/")[3] for p in places}
    assert "630202" in counties and len(counties) >= 4, [p.name for p in places]
    assert len({p.parent_id for p in places if p.path.split("/")[3] == "630202"}) >= 2
    towns = [p for p in places if members.is_urban(p)]
    assert towns and all(p.name.endswith("社区") for p in towns)
    decided = Meeting.objects.filter(region__in=towns, state=MeetingState.CLOSED)
    assert {m.kind for m in decided} == {"resident_reps"}
    assert all(m.quorate for m in decided) and all(m.rule.urban for m in decided)
    rural = Meeting.objects.filter(region__in=[p for p in places if not members.is_urban(p)])
    assert rural.exists() and not any(m.rule.urban for m in rural)
    # Each place's year: a decision, a topic answered with a reason, one gathering supports.
    for place in places:
        assert Matter.objects.filter(region=place).exists(), place.name
        assert Topic.objects.filter(region=place, state=TopicState.ANSWERED).exists()


def test_the_city_leader_sees_every_county_s_places(demo):
    """The city's leader (demo_leader, 副市长): the overview's rows are 海东's counties,
    those with hall places show their decisions; drilling into a county shows its
    townships, into a township its villages; the figures count every county's topics."""
    from gongzhi.regions.models import Region

    leader = Client()
    leader.force_login(User.objects.get(username="demo_leader"))
    places = list(Region.objects.filter(pk__in=Topic.objects.values("region_id")))
    rows = {r["code"]: r for r in leader.get("/api/v1/deliberation/overview").json()["rows"]}
    counties = {p.path.split("/")[3] for p in places}
    assert counties <= set(rows) and all(rows[c]["published"] >= 1 for c in counties)
    for place in places:
        township = Region.objects.get(pk=place.parent_id)
        county = township.parent.code
        drilled = leader.get(f"/api/v1/deliberation/overview?region={county}").json()
        assert township.code in {r["code"] for r in drilled["rows"]}
        villages = leader.get(f"/api/v1/deliberation/overview?region={township.code}").json()
        row = next(r for r in villages["rows"] if r["code"] == place.code)
        assert row["village"] and row["name"] == place.name
        figures = leader.get(f"/api/v1/deliberation/figures?region={county}").json()
        assert figures["total"]["topics_raised"] >= 3
        page = leader.get(f"/deliberation/figures/?region={township.code}").content.decode()
        assert place.name in page
    page = leader.get("/deliberation/overview/").content.decode()
    assert all(Region.objects.get(code=c).name in page for c in counties)
