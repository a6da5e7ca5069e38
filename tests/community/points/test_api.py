"""The points API: my account and code, awards and reversals by staff, the goods and the
counter, with the errors in the shared shape."""

from __future__ import annotations

import pytest
from django.test import Client

from gongzhi.community.points import services

pytestmark = pytest.mark.django_db
API = "/api/v1/community/points"


def _as(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_my_points_and_entries(pw):
    pw.points.give(0, hours=2)
    pw.points.give(1, hours=3)
    body = _as(pw.villagers[0]).get(f"{API}/me").json()
    assert body["balance"] == 20 and len(body["entries"]) == 1
    assert body["entries"][0]["reason"].startswith("志愿服务")
    listed = _as(pw.villagers[0]).get(f"{API}/entries").json()
    assert [e["points"] for e in listed] == [20]
    assert _as(pw.nobody).get(f"{API}/me").status_code == 404


def test_award_and_reverse_by_staff(pw):
    hh = pw.points.hh(2)
    c = _as(pw.clerk)
    r = c.post(
        f"{API}/awards",
        {"household": hh.pk, "rule": "courtyard_tidy", "reason": "美丽庭院"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["points"] == 10
    entry = r.json()["id"]
    r = c.post(
        f"{API}/entries/{entry}/reverse", {"reason": "误登"}, content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["reverses"] == entry
    r = c.post(
        f"{API}/entries/{entry}/reverse", {"reason": "误登"}, content_type="application/json"
    )
    assert r.status_code == 409 and r.json()["error"] == "reversed"
    r = _as(pw.villagers[2]).post(
        f"{API}/awards",
        {"household": hh.pk, "rule": "courtyard_tidy", "reason": "自评"},
        content_type="application/json",
    )
    assert r.status_code == 403
    assert c.get(f"{API}/entries").json()[0]["household"] == hh.pk


def test_code_goods_and_the_counter(pw):
    p = pw.points
    p.give(0, hours=6)
    me = _as(pw.villagers[0])
    goods = me.get(f"{API}/goods").json()
    assert [g["name"] for g in goods] == ["大米10斤", "肥皂"]
    code = me.post(f"{API}/me/code").json()
    assert me.get(f"{API}/me/code/{code['nonce']}").json() == {
        "redeemed": False,
        "redemption": None,
    }
    counter = _as(pw.clerk)
    send = {"code": code["token"], "goods": p.rice.pk, "quantity": 1}
    r = counter.post(f"{API}/redeem", send, content_type="application/json")
    assert r.status_code == 201 and r.json()["balance_after"] == 10
    state = me.get(f"{API}/me/code/{code['nonce']}").json()
    assert state["redeemed"] and state["redemption"]["goods"] == "大米10斤"
    r = counter.post(f"{API}/redeem", send, content_type="application/json")
    assert r.status_code == 409 and r.json()["field"] == "code"
    r = counter.post(f"{API}/redeem", {**send, "code": "nonsense"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["error"] == "forged"


def test_goods_of_another_village_are_not_found(pw):
    r = _as(pw.other_clerk).get(f"{API}/goods", {"region": pw.village.path})
    assert r.status_code == 404
    r = _as(pw.clerk).get(f"{API}/goods", {"region": pw.village.path})
    assert len(r.json()) == 2
    assert services.goods_of(pw.village.path).count() == 2
