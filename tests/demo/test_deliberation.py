"""The demo's deliberation hall, loaded once on the demo's own regions, people and a small
register: a year of history made through the rooms' services — a decision that failed its
quorum, a topic answered with a reason, a late implementation — that the demo logins, the
public page and the figures show."""

from __future__ import annotations

import sys

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
            demo_people.generate(now=timezone.now(), houses=2500)
            first = demo_deliberation.load(stdout=sys.stdout)  # its counts and time, with -s
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
