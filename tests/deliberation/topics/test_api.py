"""The topics API as an app uses it: scoped (404 outside the caller's villages), names
masked, structured errors with nothing written, the table's own 403 and 409."""

from __future__ import annotations

import pytest

from gongzhi.deliberation.models import Comment, Support, Topic, TopicEvent
from tests.api import conftest as api_fixtures

from .conftest import a_photo

as_token = api_fixtures.as_token
pytestmark = pytest.mark.django_db
ERROR_KEYS = {"error", "message", "field"}
BASE = "/deliberation/topics"


def raise_(client, **change):
    data = {"title": "村口路灯坏了", "body": "村口的三盏路灯坏了一个月，晚上出行不安全。"}
    data.update(change)
    return client.post_multipart(BASE, data)


def test_raise_support_comment_and_act_through_the_api(tw, as_token):
    author = as_token(tw.villagers[0])
    r = raise_(author, place="村口", lng="102.37", lat="36.47", photos=a_photo())
    assert r.status_code == 201, r.content
    out = r.json()
    number = out["number"]
    assert out["state"] == "open" and out["threshold"] == 3 and out["photos"] == 1
    assert "support" in out["actions"] and "withdraw" in out["actions"]

    for person in tw.villagers[1:4]:
        r = as_token(person).post(f"{BASE}/{number}/support")
        assert r.status_code == 200, r.content
    out = r.json()
    assert out["state"] == "due" and out["households"] == 3 and out["answer_due"]
    assert out["supported"] is True

    r = as_token(tw.villagers[1]).post(f"{BASE}/{number}/support")
    assert r.status_code == 409 and set(r.json()) >= ERROR_KEYS
    assert Support.objects.filter(topic__number=number).count() == 3

    r = as_token(tw.villagers[2]).post(f"{BASE}/{number}/comments", {"body": "早该修了"})
    assert r.status_code == 201
    comment_id = r.json()["id"]
    r = as_token(tw.clerk).post(
        f"{BASE}/{number}/comments", {"body": "本周安排", "parent": comment_id}
    )
    assert r.status_code == 201

    clerk = as_token(tw.clerk)
    r = clerk.post(f"{BASE}/{number}/comments/{comment_id}/hide", {"reason": "  "})
    assert r.status_code == 400 and r.json()["field"] == "reason"
    r = clerk.post(f"{BASE}/{number}/comments/{comment_id}/hide", {"reason": "与议题无关"})
    assert r.status_code == 200
    shown = r.json()["comments"][0]
    assert shown["hidden"] and shown["reason"] == "与议题无关" and shown["body"] == "早该修了"
    # A villager sees that it was hidden and why, not its words.
    shown = author.get(f"{BASE}/{number}").json()["comments"][0]
    assert shown["hidden"] and shown["body"] == "" and len(shown["replies"]) == 1
    assert Comment.objects.get(pk=comment_id).body == "早该修了"

    meeting = tw.meeting()
    r = as_token(tw.villagers[1]).post(
        f"{BASE}/{number}/actions/put_on_agenda", {"meeting": meeting.number}
    )
    assert r.status_code == 403
    r = clerk.post(f"{BASE}/{number}/actions/put_on_agenda", {"meeting": "YH-NONE"})
    assert r.status_code == 400 and r.json()["field"] == "meeting"
    r = clerk.post(
        f"{BASE}/{number}/actions/put_on_agenda",
        {"meeting": meeting.number, "expected_state": "due"},
    )
    assert r.status_code == 200 and r.json()["state"] == "on_agenda"
    # Out of order: answered after it is on the agenda.
    r = clerk.post(f"{BASE}/{number}/actions/answer", {"answer": "这件事已经交给镇上统一处理。"})
    assert r.status_code == 409 and r.json()["error"] == "not_allowed_in_state"
    assert Topic.objects.get(number=number).state == "on_agenda"
    r = author.post(f"{BASE}/{number}/actions/withdraw", {})
    assert r.status_code == 409


def test_bad_input_is_a_structured_error_and_writes_nothing(tw, as_token):
    client = as_token(tw.villagers[0])
    r = raise_(client, title="路", body="短", lng="x")
    assert r.status_code in (400, 422)
    assert set(r.json()) >= ERROR_KEYS
    r = raise_(client, title="路", body="短")
    assert r.status_code == 400
    assert {e["field"] for e in r.json()["errors"]} == {"title", "body"}
    r = raise_(as_token(tw.nobody))
    assert r.status_code == 403 and r.json()["error"] == "not_villager"
    assert not Topic.objects.exists() and not TopicEvent.objects.exists()


def test_lists_and_details_are_scoped(tw, as_token):
    mine = tw.raise_topic()
    theirs = tw.raise_topic(tw.outsider, title="东村的水渠")
    numbers = lambda client: {t["number"] for t in client.get(BASE).json()["items"]}  # noqa: E731

    assert numbers(as_token(tw.villagers[5])) == {mine.number}
    assert numbers(as_token(tw.clerk)) == {mine.number}
    assert numbers(as_token(tw.township_staff)) == {mine.number}
    assert numbers(as_token(tw.outsider)) == {theirs.number}
    assert numbers(as_token(tw.other_clerk)) == {theirs.number}
    assert numbers(as_token(tw.nobody)) == set()
    r = as_token(tw.outsider).get(f"{BASE}/{mine.number}")
    assert r.status_code == 404 and set(r.json()) >= ERROR_KEYS
    r = as_token(tw.outsider).post(f"{BASE}/{mine.number}/support")
    assert r.status_code == 404
    assert as_token(tw.villagers[1]).get(BASE, {"state": "due"}).json()["count"] == 0


def test_names_are_masked_for_other_people(tw, as_token):
    topic = tw.raise_topic()
    services_comment = as_token(tw.villagers[1]).post(
        f"{BASE}/{topic.number}/comments", {"body": "同意"}
    )
    assert services_comment.status_code == 201
    full = tw.villagers[0].display_name
    seen = as_token(tw.villagers[2]).get(f"{BASE}/{topic.number}").json()
    assert seen["author"] != full and seen["author"].startswith(full[0])
    assert seen["comments"][0]["author"] != tw.villagers[1].display_name
    assert full not in str(seen)
    own = as_token(tw.villagers[0]).get(f"{BASE}/{topic.number}").json()
    assert own["author"] == full
