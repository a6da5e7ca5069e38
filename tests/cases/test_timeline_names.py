"""Timelines name units and officials: a reader sees 乐都区社会治理综合指挥中心, not
630202-ZZZX, and the colleague who acted in office by name; a resident stays masked."""

import re

import pytest

from gongzhi.accounts.masking import mask_name
from tests.factories import case_in, move

pytestmark = pytest.mark.django_db


def timeline_html(client, viewer, case) -> str:
    client.force_login(viewer)
    html = client.get(f"/cases/{case.number}/").content.decode()
    start = html.index('data-testid="timeline"')
    return html[start : html.index("</ol>", start)]


def event_html(timeline: str, action: str) -> str:
    found = re.search(rf'data-action="{action}".*?</li>', timeline, re.S)
    assert found, action
    return found.group(0)


def test_an_escalation_names_both_command_centres_not_their_codes(client, world):
    w = world
    case = case_in(w, "escalated")
    timeline = timeline_html(client, w.city_dispatcher, case)
    escalation = event_html(timeline, "escalate")
    assert w.command.name in escalation and w.city_command.name in escalation
    assert w.command.code not in timeline and w.city_command.code not in timeline


def test_a_recategorised_case_names_both_categories_not_their_codes(client, world):
    w = world
    case = case_in(w, "accepted")
    move(case, "categorise", w.dispatcher, category=w.pothole)
    step = event_html(timeline_html(client, w.dispatcher, case), "categorise")
    assert w.manhole.full_name in step and w.pothole.full_name in step
    assert w.manhole.code not in step and w.pothole.code not in step
    assert "to_name" not in step


def test_staff_see_the_official_who_acted_by_name_and_the_resident_masked(client, world):
    w = world
    case = case_in(w, "in_progress")
    timeline = timeline_html(client, w.handler, case)
    names = dict(re.findall(r'data-action="(\w+)".*?data-testid="actor">([^<]*)<', timeline, re.S))
    assert names["dispatch"] == w.dispatcher.display_name  # 祁玉梅, a colleague in office
    assert names["sign_for"] == w.handler.display_name
    assert names["report"] == mask_name(w.resident.display_name) != w.resident.display_name
    assert w.resident.display_name not in timeline


def test_a_resident_sees_no_official_names(client, world):
    w = world
    case = case_in(w, "in_progress")
    client.force_login(w.resident)
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert w.dispatcher.display_name not in html and w.handler.display_name not in html


def test_the_api_timeline_gives_names_and_keeps_codes_apart(client, world):
    w = world
    case = case_in(w, "escalated")
    client.force_login(w.city_dispatcher)
    events = client.get(f"/api/v1/cases/{case.number}/timeline").json()
    by_action = {e["action"]: e for e in events}
    escalation = by_action["escalate"]
    assert escalation["unit"] == w.command.name
    assert escalation["unit_code"] == w.command.code
    assert escalation["actor"] == w.dispatcher.display_name
    assert escalation["data"] == {"from": w.command.code, "to": w.city_command.code}
    assert escalation["details"] == {"from": w.command.name, "to": w.city_command.name}
    assert by_action["report"]["actor"] == mask_name(w.resident.display_name)

    client.force_login(w.resident)
    mine = client.get(f"/api/v1/cases/{case.number}/timeline").json()
    assert all(e["actor"] is None and e["details"] == {} for e in mine)
