"""The legal-aid API as an app uses it: scoped (404 outside), masked, structured errors with
nothing written, the workflow's own 403/404/409, uploads checked like case photos."""

import pytest

from gongzhi.core.models import AuditLog
from gongzhi.legal.models import AidDocument, Application
from tests.api import conftest as api_fixtures

from .conftest import id_number, pdf, photo

as_token = api_fixtures.as_token
pytestmark = pytest.mark.django_db
ERROR_KEYS = {"error", "message", "field"}


def body(**change):
    data = {
        "matter_type": "wages",
        "summary": "老板拖欠三个月工资共计一万二千元，多次讨要未果。",
        "region": "630202100001",
        "name": "马秀兰",
        "id_number": id_number(),
        "phone": "13900001111",
        "address": "海东市乐都区碾伯镇西关街12号",
        "household_size": 3,
        "monthly_income_per_head": "800",
        "pledge": True,
        "flags": ["migrant_worker"],
    }
    data.update(change)
    return data


def test_apply_upload_and_walk_through_the_api(aid, as_token):
    w = aid
    resident = as_token(w.resident)
    r = resident.post("/legal/aid/applications", body())
    assert r.status_code == 201, r.content
    out = r.json()
    number = out["number"]
    assert out["state"] == "submitted" and out["hardship"] == "exempt"
    assert out["exemptions"] == ["migrant_worker"]

    reviewer = as_token(w.reviewer)
    r = reviewer.post(
        f"/legal/aid/applications/{number}/actions/request_documents", {"items": ["欠条", "工资条"]}
    )
    assert r.status_code == 200 and r.json()["state"] == "awaiting_documents"

    r = resident.client.post(
        f"/api/v1/legal/aid/applications/{number}/documents",
        {"file": photo(), "kind": "supplement", "title": "欠条"},
        headers=resident.headers,
    )
    assert r.status_code == 201, r.content
    assert r.json()["content_type"] == "image/png"
    r = resident.client.post(
        f"/api/v1/legal/aid/applications/{number}/documents",
        {"file": pdf(), "kind": "supplement"},
        headers=resident.headers,
    )
    assert r.status_code == 201 and r.json()["content_type"] == "application/pdf"
    assert (
        resident.post(f"/legal/aid/applications/{number}/actions/supply_documents").status_code
        == 200
    )

    director = as_token(w.director)
    r = director.post(
        f"/legal/aid/applications/{number}/actions/grant", {"expected_state": "submitted"}
    )
    assert r.status_code == 409 and set(r.json()) >= ERROR_KEYS
    assert (
        director.post(f"/legal/aid/applications/{number}/actions/grant").json()["state"]
        == "granted"
    )
    r = director.post(f"/legal/aid/applications/{number}/actions/assign", {"lawyer": w.lawyer.pk})
    assert r.json()["state"] == "assigned"

    detail = as_token(w.lawyer).get(f"/legal/aid/applications/{number}").json()
    assert detail["name"] != "马秀兰" and detail["id_number"] != id_number()
    assert detail["phone"] == "139****1111"
    assert "西关街12号" not in detail["address"]
    assert len(detail["documents"]) == 2
    assert "record_progress" in detail["actions"] and "conclude" in detail["actions"]
    assert [e["action"] for e in detail["timeline"]][:2] == ["apply", "request_documents"]

    rows = resident.get("/legal/aid/applications").json()
    assert rows["count"] == 1 and rows["items"][0]["number"] == number
    assert rows["items"][0]["applicant"] != "马秀兰"
    assert as_token(w.other_resident).get("/legal/aid/applications").json()["count"] == 0


def test_scoped_details_are_not_found(aid, as_token):
    w = aid
    app = w.apply()
    for user in (w.other_resident, w.other_reviewer, w.lawyer, w.bureau_staff):
        r = as_token(user).get(f"/legal/aid/applications/{app.number}")
        assert r.status_code == 404 and set(r.json()) >= ERROR_KEYS
    r = as_token(w.other_reviewer).post(f"/legal/aid/applications/{app.number}/actions/grant")
    assert r.status_code == 404


@pytest.mark.parametrize(
    "change, field",
    [
        ({"matter_type": "nope"}, "matter_type"),
        ({"summary": "短"}, "summary"),
        ({"region": "999999999999"}, "region"),
        ({"id_number": "630202198503071230"}, "id_number"),
        ({"pledge": False}, "pledge"),
        ({"phone": "12"}, "phone"),
    ],
)
def test_bad_applications_are_refused_with_their_field(aid, as_token, change, field):
    r = as_token(aid.resident).post("/legal/aid/applications", body(**change))
    assert r.status_code in (400, 422), r.content
    answer = r.json()
    assert set(answer) >= ERROR_KEYS
    fields = {answer["field"]} | {e["field"] for e in answer.get("errors") or []}
    assert field in fields
    assert Application.objects.count() == 0


def test_several_problems_are_named_at_once(aid, as_token):
    r = as_token(aid.resident).post(
        "/legal/aid/applications", body(summary="短", pledge=False, matter_type="nope")
    )
    assert r.status_code == 400
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"summary", "pledge", "matter_type"} <= fields


def test_action_errors_are_structured(aid, as_token):
    w = aid
    app = w.apply()
    director = as_token(w.director)
    r = director.post(f"/legal/aid/applications/{app.number}/actions/refuse", {"reason": ""})
    assert r.status_code == 400 and r.json()["field"] == "reason"
    r = director.post(f"/legal/aid/applications/{app.number}/actions/fly")
    assert r.status_code == 404 and r.json()["error"] == "unknown_action"
    r = director.post(f"/legal/aid/applications/{app.number}/actions/lapse")
    assert r.status_code == 404
    r = as_token(w.resident).post(f"/legal/aid/applications/{app.number}/actions/grant")
    assert r.status_code == 403 and r.json()["error"] == "not_permitted"
    r = director.post(f"/legal/aid/applications/{app.number}/actions/rate", {"rating": 5})
    assert r.status_code == 403 and r.json()["error"] == "not_allowed_in_state"
    assert Application.objects.get(pk=app.pk).state == "submitted"


def test_uploads_are_checked(aid, as_token):
    w = aid
    app = w.apply()
    client = as_token(w.resident)
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    r = client.client.post(
        f"/api/v1/legal/aid/applications/{app.number}/documents",
        {"file": fake},
        headers=client.headers,
    )
    assert r.status_code == 400 and r.json()["field"] == "file"
    r = client.client.post(
        f"/api/v1/legal/aid/applications/{app.number}/documents",
        {"file": pdf(), "kind": "closing"},
        headers=client.headers,
    )
    assert r.status_code == 403
    assert AidDocument.objects.count() == 0


def test_reveal_is_audited_and_refused_outside_the_role(aid, as_token):
    w = aid
    app = w.apply()
    r = as_token(w.reviewer).post(
        f"/legal/aid/applications/{app.number}/reveal", {"fields": ["phone"]}
    )
    assert r.status_code == 200 and r.json()["phone"] == "13900001111"
    assert AuditLog.objects.filter(action="unmask").count() == 1
    # The centre checks identity: its reviewer may see the ID number too.
    r = as_token(w.reviewer).post(
        f"/legal/aid/applications/{app.number}/reveal", {"fields": ["id_number"]}
    )
    assert r.status_code == 200 and r.json()["id_number"] == app.id_number
    # Another county's reviewer does not see the application at all.
    r = as_token(w.other_reviewer).post(
        f"/legal/aid/applications/{app.number}/reveal", {"fields": ["name"]}
    )
    assert r.status_code == 404
    assert AuditLog.objects.filter(action="unmask").count() == 2


def test_matter_types_are_the_reference_rows(aid, as_token):
    rows = as_token(aid.resident).get("/legal/aid/matter-types").json()
    codes = [r["code"] for r in rows]
    assert "wages" in codes and "good_samaritan" in codes and len(codes) == 15


def test_lists_filter_and_page(aid, as_token):
    w = aid
    first = w.apply()
    second = w.apply(matter_type_id=w.maintenance.pk, id_number=id_number(seq="555"))
    w.act(second, "grant", w.director)
    client = as_token(w.reviewer)
    everything = client.get("/legal/aid/applications").json()
    assert everything["count"] == 2
    assert everything["items"][0]["number"] == second.number  # newest first
    granted = client.get("/legal/aid/applications", {"state": "granted"}).json()
    assert [r["number"] for r in granted["items"]] == [second.number]
    wages = client.get("/legal/aid/applications", {"type": "wages"}).json()
    assert [r["number"] for r in wages["items"]] == [first.number]
    paged = client.get("/legal/aid/applications", {"page_size": 1, "page": 2}).json()
    assert paged["count"] == 2 and [r["number"] for r in paged["items"]] == [first.number]
    assert client.get("/legal/aid/applications", {"state": "flying"}).status_code in (400, 422)


def test_free_text_is_masked_for_staff(aid, as_token):
    w = aid
    app = w.apply(summary="我叫马秀兰，电话13900001111，老板拖欠工资一万二千元。")
    detail = as_token(w.reviewer).get(f"/legal/aid/applications/{app.number}").json()
    assert "马秀兰" not in detail["summary"] and "13900001111" not in detail["summary"]
    assert "拖欠工资" in detail["summary"]
