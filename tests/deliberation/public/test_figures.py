"""The hall's figures (page, API and Excel): topics raised, answered in time, decided;
matters by state; implemented on time; participation; per region and period, scoped."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.deliberation.choices import ImplementationState, MatterState, TopicState
from gongzhi.deliberation.models import Topic, TopicEvent, Vote

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _reached(make, *, answered_after=None, agenda_after=None, raised_days_ago=40):
    """A topic that reached its threshold 30 days ago (answer due 5 days later) and was
    answered or put on an agenda ``*_after`` days after reaching it (or never)."""
    now = timezone.now()
    reached = now - dt.timedelta(days=30)
    due = reached + dt.timedelta(days=5)
    topic = make.topic(
        state=TopicState.DUE,
        threshold_reached_at=reached,
        answer_due=due,
        households_count=3,
    )
    if answered_after is not None:
        at = reached + dt.timedelta(days=answered_after)
        Topic.objects.filter(pk=topic.pk).update(
            state=TopicState.ANSWERED, answered_at=at, answer="村里研究后答复如下。"
        )
    if agenda_after is not None:
        TopicEvent.objects.create(
            topic=topic,
            at=reached + dt.timedelta(days=agenda_after),
            action="put_on_agenda",
            from_state=TopicState.DUE,
            to_state=TopicState.ON_AGENDA,
        )
        Topic.objects.filter(pk=topic.pk).update(state=TopicState.ON_AGENDA)
    Topic.objects.filter(pk=topic.pk).update(created_at=now - dt.timedelta(days=raised_days_ago))
    return topic


@pytest.fixture
def counted(hall, make):
    """In 大古城村: 4 topics raised in the last year (one two years ago), 3 of them reached
    the threshold — one put on an agenda in time, one answered late, one not answered; a
    decision resolved with three implementations due (one on time); 4 of 12 households took
    part in a meeting, a fifth household voted. In 西关社区: one topic."""
    w = hall
    today = timezone.localdate()
    _reached(make, agenda_after=2)
    _reached(make, answered_after=8)
    _reached(make)
    make.topic(title="刚提出的议题")
    old = make.topic(title="两年前的议题")
    Topic.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=800))
    make.topic(region=w.regions.xiguan, title="西关社区的议题", author=w.urban_residents[0])
    road = make.decision(state=MatterState.IMPLEMENTING)
    make.decision(title="拟议事项", state=MatterState.PROPOSED, resolved_at=None)
    make.implementation(
        road,
        due_on=today - dt.timedelta(days=10),
        percent=100,
        state=ImplementationState.COMPLETED,
        completed_on=today - dt.timedelta(days=12),
    )
    make.implementation(
        road,
        due_on=today - dt.timedelta(days=10),
        percent=100,
        state=ImplementationState.COMPLETED,
        completed_on=today - dt.timedelta(days=2),
    )
    make.implementation(road, due_on=today - dt.timedelta(days=1), percent=50)
    make.implementation(road, due_on=today + dt.timedelta(days=100), percent=0)  # not yet due
    meeting = make.meeting(starts_at=timezone.now() - dt.timedelta(days=5))
    make.attend(meeting, 4)
    item = make.item(meeting)
    Vote.objects.create(item=item, ballot=f"h{w.households[6].pk}", choice="for")
    Vote.objects.create(item=item, ballot=f"r{w.heads[0].pk}", choice="for")  # already counted
    return w


def test_the_township_reads_its_villages(counted):
    w = counted
    response = _client(w.township_staff).get("/api/v1/deliberation/figures")
    assert response.status_code == 200
    data = response.json()
    assert data["region"] == w.regions.nianbo.code
    village = next(r for r in data["places"] if r["code"] == w.village.code)
    assert village["topics_raised"] == 4
    assert village["topics_reached_threshold"] == 3
    assert village["answered_in_time"] == 1
    assert village["answered_in_time_share"] == pytest.approx(1 / 3, abs=1e-3)
    assert village["decisions"] == 1
    assert village["matters_by_state"]["implementing"] == 1
    assert village["matters_by_state"]["proposed"] == 1
    assert (village["implementations_due"], village["implemented_on_time"]) == (3, 1)
    assert (village["households"], village["households_taking_part"]) == (12, 5)
    assert village["participation"] == pytest.approx(5 / 12, abs=1e-3)
    xiguan = next(r for r in data["places"] if r["code"] == w.regions.xiguan.code)
    assert xiguan["topics_raised"] == 1
    assert data["total"]["topics_raised"] == 5


def test_a_period_leaves_out_what_happened_outside_it(counted):
    w = counted
    today = timezone.localdate()
    start = (today - dt.timedelta(days=3)).isoformat()
    data = (
        _client(w.township_staff)
        .get(f"/api/v1/deliberation/figures?region={w.village.code}&start={start}")
        .json()
    )
    assert data["region"] == w.village.code and data["places"] == []
    total = data["total"]
    assert total["topics_raised"] == 1  # only the one raised just now
    assert total["topics_reached_threshold"] == 0
    assert total["implementations_due"] == 1  # due yesterday, not done
    assert total["households_taking_part"] == 0  # the meeting was five days ago


def test_a_committee_reads_only_its_village(counted):
    w = counted
    data = _client(w.clerk).get("/api/v1/deliberation/figures").json()
    assert data["region"] == w.village.code and data["total"]["topics_raised"] == 4
    response = _client(w.clerk).get(f"/api/v1/deliberation/figures?region={w.regions.xiguan.code}")
    assert response.status_code == 403 and response.json()["field"] == "region"


def test_residents_and_strangers_are_refused(counted):
    w = counted
    for user in (w.villagers[0], w.nobody):
        response = _client(user).get("/api/v1/deliberation/figures")
        assert response.status_code == 403 and response.json()["error"] == "forbidden"
        assert _client(user).get("/deliberation/figures/").status_code == 403


def test_bad_input_is_a_clear_error(counted):
    client = _client(counted.township_staff)
    response = client.get("/api/v1/deliberation/figures?region=999999999999")
    assert response.status_code == 400 and response.json()["field"] == "region"
    response = client.get("/api/v1/deliberation/figures?start=2026-05-01&end=2026-01-01")
    assert response.status_code == 400 and response.json()["field"] == "start"
    response = client.get("/api/v1/deliberation/figures?start=1066-10-14")
    assert response.status_code == 400
    html = client.get("/deliberation/figures/?start=2026-05-01&end=2026-01-01").content.decode()
    assert 'data-testid="figures-error"' in html


def test_the_page_and_the_excel_show_the_same_numbers(counted):
    w = counted
    client = _client(w.township_staff)
    html = client.get("/deliberation/figures/").content.decode()
    assert 'data-testid="overall-raised">5<' in html
    assert f'data-code="{w.village.code}" data-raised="4"' in html
    response = client.get("/deliberation/figures/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    village = next(r for r in rows if r[0] == "大古城村")
    assert village[1] == 4  # topics raised
    assert village[-3:-1] == (12, 5)  # households, households taking part
