"""The notices API as an app uses it: staff write, publish, remind and read receipts for
their area; a resident lists, reads and answers their household's notices; structured
errors, and 404 outside the caller's reach."""

from __future__ import annotations

import pytest

from gongzhi.community.models import Notice, NoticeDelivery
from tests.api import conftest as api_fixtures

as_token = api_fixtures.as_token
pytestmark = pytest.mark.django_db
ERROR_KEYS = {"error", "message", "field"}


def test_staff_write_publish_and_read_receipts_residents_answer(nw, as_token):
    clerk = as_token(nw.clerk)
    payload = {
        "region": nw.village.path,
        "title": "新农合缴费通知",
        "body": "请于月底前缴纳新农合费用。",
        "audience": {"regions": [nw.village.path]},
        "answer_kind": "choice",
        "answer_choices": ["已缴", "未缴"],
    }
    r = clerk.post("/community/notices", payload)
    assert r.status_code == 201, r.content
    number = r.json()["number"]
    assert r.json()["state"] == "draft"
    r = clerk.client.patch(
        f"/api/v1/community/notices/{number}",
        {"title": "新农合缴费通知（更正）"},
        content_type="application/json",
        headers=clerk.headers,
    )
    assert r.status_code == 200 and r.json()["title"].endswith("（更正）"), r.content
    r = clerk.post(f"/community/notices/{number}/publish")
    assert r.status_code == 200 and r.json()["state"] == "published", r.content
    assert r.json()["households"] == 12

    villager = as_token(nw.villagers[0])
    r = villager.get("/community/my/notices")
    assert r.status_code == 200 and r.json()["count"] == 1
    assert r.json()["items"][0]["read_at"] is None
    r = villager.get(f"/community/my/notices/{number}")
    assert r.status_code == 200 and r.json()["read_at"]
    r = villager.post(f"/community/my/notices/{number}/answer", {"value": "没有这个"})
    assert r.status_code == 400 and set(r.json()) >= ERROR_KEYS
    assert r.json()["error"] == "answer_choice"
    r = villager.post(f"/community/my/notices/{number}/answer", {"value": "已缴"})
    assert r.status_code == 200 and r.json()["answer"] == "已缴"
    r = villager.post(f"/community/my/notices/{number}/answer", {"value": "未缴"})
    assert r.status_code == 409 and r.json()["error"] == "already_answered"

    r = clerk.get(f"/community/notices/{number}/receipts")
    assert r.status_code == 200, r.content
    out = r.json()
    assert (out["total"], out["read"], out["answered"], out["unread"]) == (12, 1, 1, 11)
    assert out["by_grid"] == [
        {"grid": nw.village_grid.name, "total": 12, "unread": 11, "unanswered": 11}
    ]
    assert out["answers"]["counts"][0] == {"choice": "已缴", "count": 1}
    assert len(out["waiting"]) == 11
    # Masked: no household number or address whole.
    assert all(w["household"].endswith("****") for w in out["waiting"])
    assert all(w["address"].endswith("****") for w in out["waiting"])

    r = clerk.post(f"/community/notices/{number}/remind")
    assert r.status_code == 200 and r.json() == {"reminded": 11}
    r = clerk.post(f"/community/notices/{number}/remind")
    assert r.status_code == 409 and r.json()["error"] == "already_reminded"


def test_api_scoping_and_errors(nw, as_token):
    clerk = as_token(nw.clerk)
    r = clerk.post(
        "/community/notices",
        {"region": nw.village.path, "title": "", "body": "", "audience": {}},
    )
    assert r.status_code == 400 and set(r.json()) >= ERROR_KEYS
    assert {e["error"] for e in r.json()["errors"]} >= {"title", "body", "audience"}
    r = as_token(nw.community_staff).post(
        "/community/notices",
        {"region": nw.village.path, "title": "x", "body": "y", "audience": {"regions": []}},
    )
    assert r.status_code == 403
    assert as_token(nw.villagers[0]).get("/community/notices").status_code == 403
    assert not Notice.objects.exists()

    r = clerk.post(
        "/community/notices",
        {
            "region": nw.village.path,
            "title": "给一户的通知",
            "body": "请到村委会领取。",
            "audience": {"households": [nw.households[2].pk]},
        },
    )
    number = r.json()["number"]
    clerk.post(f"/community/notices/{number}/publish")
    assert NoticeDelivery.objects.count() == 1
    assert as_token(nw.other_clerk).get(f"/community/notices/{number}").status_code == 404
    assert as_token(nw.community_staff).get(f"/community/notices/{number}").status_code == 404
    assert as_token(nw.township_staff).get(f"/community/notices/{number}").status_code == 200
    assert as_token(nw.villagers[1]).get(f"/community/my/notices/{number}").status_code == 404
    assert as_token(nw.villagers[1]).get("/community/my/notices").json()["count"] == 0
    assert as_token(nw.villagers[2]).get(f"/community/my/notices/{number}").status_code == 200
