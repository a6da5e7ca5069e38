"""The township's overview: every village of its area as a row (open topics, topics late,
meetings this month, decisions published, implementations overdue), drilling down by
region; nobody else sees it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.deliberation.choices import MeetingState, TopicState

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _village_world(w, make):
    now = timezone.now()
    make.topic(title="村口路灯坏了")
    make.topic(title="灌溉渠清淤", state=TopicState.DUE, answer_due=now - dt.timedelta(days=1))
    make.topic(title="已回复", state=TopicState.ANSWERED)
    make.meeting(starts_at=now + dt.timedelta(hours=1))
    make.meeting(starts_at=now + dt.timedelta(hours=2), state=MeetingState.CANCELLED)
    road = make.decision()
    make.implementation(road, title="排水沟", due_on=timezone.localdate() - dt.timedelta(days=3))
    make.implementation(road, title="路面", due_on=timezone.localdate() + dt.timedelta(days=3))
    # The township's urban community has its own row; 东村 in 平安区 is not the township's.
    make.topic(region=w.regions.xiguan, title="西关社区的议题", author=w.urban_residents[0])
    make.topic(region=_dongcun(), title="东村的议题", author=w.outsider)


def _dongcun():
    from gongzhi.regions.models import Region

    return Region.objects.get(code="630203100001")


def test_the_township_sees_each_village(hall, make):
    w = hall
    _village_world(w, make)
    data = _client(w.township_staff).get("/api/v1/deliberation/overview").json()
    assert data["region"] == w.regions.nianbo.code
    row = next(r for r in data["rows"] if r["code"] == w.village.code)
    assert row["village"] is True
    # A meeting on the first day of the month at 00:30 may fall into the last month:
    # counted by the local calendar month the meeting starts in.
    this_month = timezone.localdate(timezone.now() + dt.timedelta(hours=1)).month
    expected_meetings = 1 if this_month == timezone.localdate().month else 0
    assert (row["open"], row["late"], row["meetings"], row["published"], row["overdue"]) == (
        2,
        1,
        expected_meetings,
        1,
        1,
    )
    assert next(r for r in data["rows"] if r["code"] == w.regions.xiguan.code)["open"] == 1
    assert "630203100001" not in {r["code"] for r in data["rows"]}
    assert sum(r["open"] for r in data["rows"]) == 3


def test_the_page_links_each_village_to_its_public_page(hall, make):
    w = hall
    _village_world(w, make)
    html = _client(w.township_staff).get("/deliberation/overview/").content.decode()
    assert f'href="/deliberation/v/{w.village.code}/" data-testid="public-page"' in html
    assert 'data-testid="total-overdue">1<' in html
    assert "排水沟" in html and "灌溉渠清淤" in html


def test_an_administrator_drills_down(hall, make):
    w = hall
    _village_world(w, make)
    from tests.factories import UserFactory

    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    client = _client(admin)
    county = w.regions.nianbo.parent
    data = client.get(f"/api/v1/deliberation/overview?region={county.code}").json()
    row = next(r for r in data["rows"] if r["code"] == w.regions.nianbo.code)
    assert row["village"] is False and row["open"] == 3
    html = client.get(f"/deliberation/overview/?region={county.code}").content.decode()
    assert f"?region={w.regions.nianbo.code}" in html


def test_residents_and_village_committees_may_not(hall):
    w = hall
    for user in (w.villagers[0], w.clerk, w.nobody):
        client = _client(user)
        assert client.get("/deliberation/overview/").status_code == 403
        response = client.get("/api/v1/deliberation/overview")
        assert response.status_code == 403 and response.json()["error"] == "forbidden"


def test_a_place_outside_the_area_shows_only_the_own_area(hall, make):
    w = hall
    _village_world(w, make)
    data = _client(w.township_staff).get("/api/v1/deliberation/overview?region=630203100001").json()
    assert data["region"] == w.regions.nianbo.code
    assert "630203100001" not in {r["code"] for r in data["rows"]}
