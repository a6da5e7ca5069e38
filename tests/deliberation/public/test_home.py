"""The hall's home: a villager sees their village; the committee its desk; someone with no
village and no post a plain explanation. And the menu entries by who is looking."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from gongzhi.core.navigation import menu_for
from gongzhi.deliberation.choices import MatterState, MeetingState, TopicState

pytestmark = pytest.mark.django_db


def _home(user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/deliberation/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_villager_sees_their_village(hall, make):
    w = hall
    make.topic(title="村口路灯坏了", supports_count=2, households_count=2)
    make.topic(region=w.regions.xiguan, title="西关社区的议题", author=w.urban_residents[0])
    make.meeting(title="三月议事会")
    road = make.decision(title="硬化村内主干道")
    make.implementation(road, percent=40)
    html = _home(w.villagers[3])
    assert 'data-testid="my-village"' in html
    assert "村口路灯坏了" in html and "三月议事会" in html and "硬化村内主干道" in html
    assert "西关社区的议题" not in html
    assert f"/deliberation/v/{w.village.code}/" in html
    assert 'data-testid="desk"' not in html and 'data-testid="overview-link"' not in html


def test_the_committee_sees_its_desk(hall, make):
    w = hall
    now = timezone.now()
    make.topic(
        title="灌溉渠清淤",
        state=TopicState.DUE,
        answer_due=now - dt.timedelta(hours=2),
        households_count=3,
    )
    make.topic(title="村道积水", state=TopicState.DUE, answer_due=now + dt.timedelta(days=2))
    make.topic(
        region=w.regions.xiguan,
        title="西关社区到期议题",
        state=TopicState.DUE,
        answer_due=now - dt.timedelta(days=1),
    )
    make.meeting(title="待发通知的会", state=MeetingState.SCHEDULED)
    make.meeting(title="待开的会", state=MeetingState.NOTIFIED)
    make.decision(title="拟议事项", state=MatterState.PROPOSED)
    late = make.decision(title="迟滞的实施")
    make.implementation(late, title="排水沟", due_on=timezone.localdate() - dt.timedelta(days=5))
    html = _home(w.clerk)
    desk = html[html.index('data-testid="desk"') :]
    late_part = desk[desk.index('data-testid="desk-late-topic"') :]
    assert "灌溉渠清淤" in late_part[:400]
    assert 'data-testid="desk-due-topic"' in desk and "村道积水" in desk
    assert "西关社区到期议题" not in html
    assert "待发通知的会" in desk and "待开的会" in desk
    assert 'data-state="proposed"><b>1</b>' in desk
    assert "排水沟" in desk[desk.index("desk-late-implementations") :]
    assert 'data-testid="my-village"' not in html  # the clerk is in no register here


def test_township_staff_are_sent_to_the_overview(hall):
    html = _home(hall.township_staff)
    assert 'data-testid="overview-link"' in html and 'data-testid="figures-link"' in html
    assert 'data-testid="no-village"' not in html


def test_someone_with_no_village_and_no_post_is_told_why(hall):
    html = _home(hall.nobody)
    assert 'data-testid="no-village"' in html
    assert 'data-testid="my-village"' not in html and 'data-testid="desk"' not in html


def test_signing_in_is_needed(hall):
    response = Client().get("/deliberation/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def _menu(user) -> set[str]:
    return {item.name for items in menu_for(user).values() for item in items}


def test_the_menu_by_who_is_looking(hall):
    w = hall
    assert {"deliberation"} <= _menu(w.villagers[0])
    assert not {"deliberation_overview", "deliberation_figures"} & _menu(w.villagers[0])
    assert "deliberation_figures" in _menu(w.clerk)
    assert "deliberation_overview" not in _menu(w.clerk)
    assert {"deliberation_overview", "deliberation_figures"} <= _menu(w.township_staff)


def test_the_tick_command_runs_the_periodic_work(hall, capsys):
    call_command("deliberation", "tick")
    out = capsys.readouterr().out
    assert '"topics"' in out and '"meetings"' in out and '"openness"' in out


def test_only_the_secretary_is_offered_to_propose_a_major_matter(hall):
    w = hall
    assert "/deliberation/matters/new/" not in _home(w.clerk)
    assert "/deliberation/matters/new/" in _home(w.secretary)
