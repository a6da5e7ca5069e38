"""The API as an app uses it: registering (warnings in the answer, never a refusal), bad
input refused with nothing changed, the steps, the rules and the figures, all scoped as
the pages are."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.community.models import Ceremony, CustomRule
from tests.api import conftest as api_fixtures
from tests.api.conftest import API

from .conftest import register

as_token = api_fixtures.as_token
pytestmark = pytest.mark.django_db


def body(hh, **change):
    data = {
        "household": hh.pk,
        "kind": "wedding",
        "date": "2026-05-16",
        "days": 1,
        "guests": 260,
        "tables": 26,
        "gift": 200,
        "place": "村文化广场",
    }
    data.update(change)
    return data


def test_a_resident_registers_over_the_caps_and_is_warned(cw, as_token):
    me = as_token(cw.villagers[0])
    r = me.post("/community/customs/ceremonies", body(cw.household))
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["state"] == "registered" and out["within_caps"] is False
    assert [(x["field"], x["cap"], x["figure"]) for x in out["warnings"]] == [
        ("tables", 20, 26),
        ("guests", 200, 260),
    ]
    assert all(x["message"] for x in out["warnings"])
    assert out["actions"] == ["cancel"]
    clerk = as_token(cw.clerk)
    r = clerk.post(
        f"/community/customs/ceremonies/{out['id']}/actions/acknowledge", {"note": "请控制桌数"}
    )
    assert r.status_code == 200 and r.json()["state"] == "acknowledged"
    r = clerk.post(f"/community/customs/ceremonies/{out['id']}/actions/acknowledge", {})
    assert r.status_code == 409 and set(r.json()) >= {"error", "message"}
    r = me.post(f"/community/customs/ceremonies/{out['id']}/actions/hold", {})
    assert r.status_code == 403
    r = clerk.post(f"/community/customs/ceremonies/{out['id']}/actions/fly", {})
    assert r.status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date": "1999-12-31"}, "date"),
        ({"date": "2100-01-01"}, "date"),
        ({"guests": -1}, "guests"),
        ({"tables": -3}, "tables"),
        ({"gift": -100}, "gift"),
        ({"days": 0}, "days"),
        ({"kind": "birthday"}, "kind"),
        ({"household": 999999}, "household"),
        ({"place": "场" * 201}, "place"),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(cw, as_token, change, field):
    r = as_token(cw.villagers[0]).post(
        "/community/customs/ceremonies", body(cw.household, **change)
    )
    assert r.status_code in (400, 422), r.content
    out = r.json()
    assert out["field"] == field, out
    assert Ceremony.objects.count() == 0


def test_each_sees_only_what_is_theirs(cw, as_token):
    w = cw
    mine = register(w.villagers[0], w.household)
    neighbours = register(w.villagers[1], w.households[1])

    def ids(user):
        r = as_token(user).get("/community/customs/ceremonies")
        assert r.status_code == 200
        return {c["id"] for c in r.json()}

    assert ids(w.villagers[0]) == {mine.pk}
    assert ids(w.villagers[1]) == {neighbours.pk}
    assert ids(w.clerk) == {mine.pk, neighbours.pk}
    assert ids(w.township_staff) == {mine.pk, neighbours.pk}
    assert ids(w.community_staff) == set()
    assert ids(w.outsider) == set()
    r = as_token(w.villagers[1]).get(f"/community/customs/ceremonies/{mine.pk}")
    assert r.status_code == 404


def test_rules_through_the_api(cw, as_token):
    w = cw
    clerk = as_token(w.clerk)

    def put(client, data):
        return client.client.put(
            API + "/community/customs/rules",
            data,
            content_type="application/json",
            headers=client.headers,
        )

    r = put(clerk, {"region": w.village.pk, "kind": "wedding", "max_tables": 12, "max_gift": 100})
    assert r.status_code == 200, r.content
    assert r.json()["max_tables"] == 12 and r.json()["max_guests"] is None
    r = put(clerk, {"region": w.regions.xiguan.pk, "kind": "wedding", "max_tables": 5})
    assert r.status_code == 403
    r = put(clerk, {"region": w.village.pk, "kind": "wedding", "max_tables": -5})
    assert r.status_code == 400 and r.json()["field"] == "max_tables"
    assert CustomRule.objects.get(region=w.village, kind="wedding").max_tables == 12
    r = clerk.get("/community/customs/rules", {"region": w.village.pk})
    assert {x["kind"]: x["max_tables"] for x in r.json()} == {"wedding": 12, "funeral": 15}


def test_monthly_figures_per_village(cw, as_token):
    w = cw
    register(w.villagers[0], w.household, date=dt.date(2026, 4, 3), tables=10, guests=100)
    register(w.villagers[1], w.households[1], date=dt.date(2026, 4, 20), tables=30, guests=300)
    register(
        w.villagers[2],
        w.households[2],
        date=dt.date(2026, 4, 21),
        kind="funeral",
        tables=8,
        guests=80,
    )
    gone = register(w.villagers[3], w.households[3], date=dt.date(2026, 4, 22))
    register(w.villagers[4], w.households[4], date=dt.date(2026, 5, 2), tables=14, guests=140)
    from gongzhi.community.customs import services

    services.do_step(actor=w.clerk, pk=gone.pk, action="cancel")
    r = as_token(w.township_staff).get(
        "/community/customs/figures", {"start": "2026-01-01", "end": "2026-12-31"}
    )
    assert r.status_code == 200, r.content
    rows = {row["month"]: row for row in r.json()}
    april = rows["2026-04"]
    assert april["region_name"] == "大古城村"
    assert (april["weddings"], april["funerals"], april["within_caps"], april["over_caps"]) == (
        2,
        1,
        2,
        1,
    )
    assert april["avg_tables"] == 16.0 and april["avg_guests"] == 160.0
    assert rows["2026-05"]["total"] == 1
    assert as_token(w.villagers[0]).get("/community/customs/figures").status_code == 403
    assert as_token(w.community_staff).get("/community/customs/figures").json() == []
    r = as_token(w.township_staff).get("/community/customs/figures", {"start": "1990-01-01"})
    assert r.status_code in (400, 422)
