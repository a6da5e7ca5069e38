"""Meetings through the JSON API: calling, the steps in order (409 out of order, nothing
changed), sign-in by the clerk and by the QR key (a forged one refused), ballots, the
show of hands, and the masked sign-in list."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.deliberation.models import Attendance, Meeting, MeetingEvent, Vote
from tests.api import conftest as api_fixtures

pytestmark = pytest.mark.django_db
as_token = api_fixtures.as_token


def test_call_and_walk_a_meeting_through_the_api(hall, meet, as_token):
    w = hall
    clerk = as_token(w.clerk)
    starts = (timezone.now() + dt.timedelta(days=5)).isoformat()
    r = clerk.post(
        "/deliberation/meetings",
        {
            "region": w.village.code,
            "kind": "hall",
            "title": "路灯维修",
            "place": "村委会",
            "starts_at": starts,
        },
    )
    assert r.status_code == 201, r.content
    number = r.json()["number"]
    r = clerk.post(f"/deliberation/meetings/{number}/items", {"title": "是否更换路灯"})
    assert r.status_code == 201
    r = clerk.post(f"/deliberation/meetings/{number}/actions/send_notice")
    assert r.status_code == 200 and r.json()["state"] == "notified"
    assert r.json()["households_notified"] == 12
    # Too early to open: more than an hour before.
    r = clerk.post(f"/deliberation/meetings/{number}/actions/open")
    assert r.status_code == 400 and r.json()["error"] == "too_early"
    assert Meeting.objects.get(number=number).state == "notified"


def test_a_step_out_of_order_is_409_and_changes_nothing(hall, meet, as_token):
    meeting = meet.call(notice=False)
    clerk = as_token(hall.clerk)
    before = MeetingEvent.objects.filter(meeting=meeting).count()
    for action, body in (("open", {}), ("open_voting", {}), ("close", {"minutes": "纪要内容"})):
        r = clerk.post(f"/deliberation/meetings/{meeting.number}/actions/{action}", body)
        assert r.status_code == 409, (action, r.content)
        assert r.json()["error"] == "not_allowed_in_state" and r.json()["message"]
    m = Meeting.objects.get(pk=meeting.pk)
    assert (m.state, m.opened_at, m.minutes) == ("scheduled", None, "")
    assert MeetingEvent.objects.filter(meeting=meeting).count() == before
    r = clerk.post(f"/deliberation/meetings/{meeting.number}/actions/jump")
    assert r.status_code == 404


def test_stale_expected_state_is_a_conflict(hall, meet, as_token):
    meeting = meet.call()
    r = as_token(hall.clerk).post(
        f"/deliberation/meetings/{meeting.number}/actions/open", {"expected_state": "scheduled"}
    )
    assert r.status_code == 409 and r.json()["error"] == "state_changed"


def test_residents_cannot_act_and_outsiders_do_not_see(hall, meet, as_token):
    meeting = meet.call()
    r = as_token(hall.villagers[0]).post(f"/deliberation/meetings/{meeting.number}/actions/open")
    assert r.status_code == 403
    for outsider in (hall.outsider, hall.other_clerk, hall.nobody):
        r = as_token(outsider).get(f"/deliberation/meetings/{meeting.number}")
        assert r.status_code == 404
    assert (
        as_token(hall.township_staff).get(f"/deliberation/meetings/{meeting.number}").status_code
        == 200
    )
    assert Meeting.objects.get(pk=meeting.pk).state == "notified"


def test_sign_in_vote_and_masked_list(hall, meet, as_token):
    w = hall
    meeting = meet.sitting(present=meet.adults()[:12])
    url = f"/deliberation/meetings/{meeting.number}"
    villager = as_token(w.villagers[11])  # household 11's head, not yet signed in
    r = villager.post(f"{url}/sign-in", {"token": "x" * 43})
    assert r.status_code == 404 and r.json()["error"] == "bad_token"
    assert not Attendance.objects.filter(meeting=meeting, resident=w.heads[11]).exists()
    r = villager.post(f"{url}/sign-in", {"token": meeting.sign_in_token})
    assert r.status_code == 201 and r.json() == {
        "meeting": meeting.number,
        "method": "qr",
        "present": 13,
    }
    r = villager.post(f"{url}/sign-in", {"token": meeting.sign_in_token})
    assert r.status_code == 409 and r.json()["error"] == "already_signed_in"
    r = villager.post(f"{url}/sign-in", {"resident": w.heads[10].pk})
    assert r.status_code == 403  # only the clerk signs others in
    clerk = as_token(w.clerk)
    r = clerk.post(f"{url}/actions/open_voting", {"minutes": "15"})
    assert r.status_code == 200 and r.json()["state"] == "voting"
    item = r.json()["items"][0]["id"]
    r = villager.post(f"{url}/items/{item}/vote", {"choice": "for"})
    assert r.status_code == 201
    r = villager.post(f"{url}/items/{item}/vote", {"choice": "against"})
    assert r.status_code == 409 and r.json()["error"] == "already_voted"
    assert Vote.objects.filter(item_id=item).count() == 1
    seen = villager.get(url).json()
    names = [a["name"] for a in seen["attendance"]]
    assert len(names) == 13 and w.heads[0].name not in names
    assert all("*" in n for n in names)
    assert w.heads[0].name in [a["name"] for a in clerk.get(url).json()["attendance"]]
    r = clerk.post(f"{url}/items/{item}/hands", {"votes_for": 3, "votes_against": 1})
    assert r.status_code == 409  # ballots were cast: they are the count
    r = clerk.post(f"{url}/actions/close", {"minutes": "  "})
    assert r.status_code == 400 and r.json()["field"] == "minutes"
    r = clerk.post(f"{url}/actions/close", {"minutes": "表决通过。"})
    assert r.status_code == 200 and r.json()["state"] == "closed"
    assert r.json()["items"][0]["outcome"] == "rejected"  # 1 of 13 present
