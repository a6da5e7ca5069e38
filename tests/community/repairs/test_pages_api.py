"""The repairs pages and API as a resident, a company and community staff use them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.cases.workflow.services import do_transition
from gongzhi.community.models import RepairRequest
from gongzhi.community.repairs import services
from tests.factories import jpeg

pytestmark = pytest.mark.django_db
API = "/api/v1/community"


def test_resident_asks_on_the_page_with_a_photo(repairs, client):
    w = repairs
    client.force_login(w.resident_a)
    page = client.get("/community/repairs/new/")
    assert page.status_code == 200 and "西关花园" in page.content.decode()
    answer = client.post(
        "/community/repairs/new/",
        {"category": w.water.pk, "description": "卫生间水管漏水", "photos": jpeg(), "key": "k1"},
    )
    repair = RepairRequest.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/community/repairs/{repair.pk}/"
    assert repair.case.attachments.count() == 1
    detail = client.get(answer["Location"]).content.decode()
    assert "卫生间水管漏水" in detail and w.company.name in detail
    assert 'data-testid="timeline"' in detail
    # the same form posted twice (a double tap) makes one request
    client.post(
        "/community/repairs/new/",
        {"category": w.water.pk, "description": "卫生间水管漏水", "key": "k1"},
    )
    assert RepairRequest.objects.count() == 1
    listing = client.get("/community/repairs/").content.decode()
    assert 'data-testid="own-repairs"' in listing and repair.case.number in listing


def test_bad_form_shows_the_error(repairs, client):
    w = repairs
    client.force_login(w.resident_a)
    answer = client.post("/community/repairs/new/", {"category": "", "description": ""})
    assert answer.status_code == 400
    assert 'data-testid="form-error"' in answer.content.decode()
    assert not RepairRequest.objects.exists()


def test_resident_sees_only_their_household(repairs, client):
    w = repairs
    mine = services.do_request(user=w.resident_a, category_id=w.water.pk, description="水管漏水了")
    client.force_login(w.resident_b)
    assert client.get(f"/community/repairs/{mine.pk}/").status_code == 404
    assert client.get(f"{API}/repairs/{mine.pk}").status_code == 404
    assert client.get(f"{API}/repairs").json()["items"] == []
    client.force_login(w.company_staff)
    assert client.get(f"{API}/repairs/{mine.pk}").status_code == 200
    assert client.get("/community/repairs/estates/").status_code == 200
    client.force_login(w.villagers[0])
    assert client.get("/community/repairs/estates/").status_code == 404


def test_api_request_track_and_rate(repairs, client):
    w = repairs
    client.force_login(w.resident_a)
    made = client.post(f"{API}/repairs", {"category": w.lift.pk, "description": "电梯门关不上"})
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["state"] == "dispatched" and body["company"] == w.company.name
    assert body["can_rate"] is False
    assert [e["action"] for e in body["timeline"]][:1] == ["report"]
    bad = client.post(f"{API}/repairs", {"category": w.manhole.pk, "description": "井盖坏了"})
    assert bad.status_code == 400 and bad.json()["field"] == "category"
    repair = RepairRequest.objects.get(pk=body["id"])
    early = client.post(
        f"{API}/repairs/{repair.pk}/rating",
        {"resolved": True, "satisfaction": "satisfied"},
        content_type="application/json",
    )
    assert early.status_code == 400 and early.json()["error"] == "not_closed"
    case = do_transition(case=repair.case, action="sign_for", actor=w.company_staff)
    case = do_transition(case=case, action="resolve", actor=w.company_staff, result="已修好")
    do_transition(case=case, action="verify_pass", actor=w.grid_worker)
    assert client.get(f"{API}/repairs/{repair.pk}").json()["can_rate"] is True
    rated = client.post(
        f"{API}/repairs/{repair.pk}/rating",
        {"resolved": True, "satisfaction": "basic", "comment": "还行"},
        content_type="application/json",
    )
    assert rated.status_code == 200, rated.content
    assert rated.json()["rating"]["satisfaction"] == "basic"
    assert rated.json()["can_rate"] is False


def test_companies_ranking_page_and_api(repairs, client):
    w = repairs
    services.do_score_month(month=timezone.localdate())
    client.force_login(w.resident_a)
    page = client.get("/community/repairs/companies/").content.decode()
    assert w.company.name in page and 'data-testid="formula"' in page
    rows = client.get(f"{API}/companies").json()
    assert [r["company"] for r in rows] == [w.company.name]
    assert rows[0]["score"] == 100.0 and rows[0]["rank"] == 1
    month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    assert client.get(f"{API}/companies?month={month}").json() == []
    assert client.get(f"/community/repairs/companies/{w.company.pk}/").status_code == 200
    client.force_login(w.other_clerk)  # another district: not its company
    assert client.get(f"{API}/companies").json() == []
    assert client.get(f"/community/repairs/companies/{w.company.pk}/").status_code == 404
