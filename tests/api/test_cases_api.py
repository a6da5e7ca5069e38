"""The cases API as apps and integrations use it: scoped like the pages (404 outside the
caller's scope), personal data masked, filters and pages, the workflow's own checks on
every action, idempotent and rate-limited intake, photos through the scoped view."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.cases.models import Attachment, Case
from tests.cases.test_supports import quick_report
from tests.factories import call_case, case_in, png, report

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"error", "message", "field"}


def numbers(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["number"] for row in response.json()["items"]}


def hotline_case(w):
    return call_case(w, w.manhole, title="路灯不亮", description="西关街路灯不亮")


# -- reading ------------------------------------------------------------------------------


def test_lists_and_pages_are_scoped_like_the_ui(world, as_token):
    w = world
    ledu = report(w)
    pingan = report(w, point=w.other_point, reporter="other_resident")
    assert numbers(as_token(w.dispatcher).get("/cases")) == {ledu.number}
    assert numbers(as_token(w.other_dispatcher).get("/cases")) == {pingan.number}
    assert numbers(as_token(w.city_dispatcher).get("/cases")) == {ledu.number, pingan.number}
    assert numbers(as_token(w.resident).get("/cases")) == {ledu.number}
    for path in ["", "/timeline", "/attachments"]:
        response = as_token(w.other_dispatcher).get(f"/cases/{ledu.number}{path}")
        assert response.status_code == 404, path
        assert set(response.json()) == ERROR_KEYS
        assert as_token(w.dispatcher).get(f"/cases/{ledu.number}{path}").status_code == 200


def test_the_reporters_personal_data_is_masked(world, as_token):
    case = hotline_case(world)
    body = as_token(world.dispatcher).get(f"/cases/{case.number}").json()
    assert body["reporter_name"] == "马**" and body["reporter_phone"] == "139****1111"
    assert "13900001111" not in str(body)
    mine = as_token(world.resident).get(f"/cases/{report(world).number}").json()
    assert mine["reporter_name"] == "马**" and mine["reporter_phone"] == "139****1111"


def test_the_detail_lists_the_actions_the_case_page_offers(world, as_token):
    case = report(world)
    body = as_token(world.dispatcher).get(f"/cases/{case.number}").json()
    assert body["state"] == "reported" and body["grid"] == world.grid.code
    assert {"accept", "reject", "merge", "escalate"} <= set(body["actions"])
    # The reporter may withdraw their own report, nothing else.
    assert as_token(world.resident).get(f"/cases/{case.number}").json()["actions"] == ["withdraw"]


def test_pages(world, as_token):
    for i in range(5):
        report(world, title=f"井盖丢失{i}")
    client = as_token(world.dispatcher)
    first = client.get("/cases", {"page_size": 2}).json()
    assert first["count"] == 5 and len(first["items"]) == 2
    last = client.get("/cases", {"page_size": 2, "page": 3}).json()
    assert len(last["items"]) == 1
    assert not {r["number"] for r in first["items"]} & {r["number"] for r in last["items"]}
    too_big = client.get("/cases", {"page_size": 1000})
    assert too_big.status_code == 400 and too_big.json()["field"] == "page_size"


def test_filters_and_ordering(world, as_token):
    w = world
    old = report(w, title="旧的井盖")
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    accepted = case_in(w, "accepted", title="路面坑洼")
    Case.objects.filter(pk=accepted.pk).update(category=w.pothole)
    late = case_in(w, "dispatched", title="逾期井盖")
    Case.objects.filter(pk=late.pk).update(sign_for_due=timezone.now() - timedelta(hours=1))
    hotline = hotline_case(w)
    client = as_token(w.city_dispatcher)
    today = timezone.localdate()

    def get(**params):
        return numbers(client.get("/cases", params))

    # The hotline's reports are accepted on arrival (its channel policy).
    assert get(state="accepted") == {accepted.number, hotline.number}
    assert get(state=["reported", "dispatched"]) == {old.number, late.number}
    assert get(category="G02") == {old.number, accepted.number, late.number, hotline.number}
    assert get(category=w.pothole.code) == {accepted.number}
    assert get(channel="hotline") == {hotline.number}
    assert get(overdue="true") == {late.number}
    assert late.number not in get(overdue="false")
    assert get(q="坑洼") == {accepted.number}
    assert get(q=late.number[-6:]) == {late.number}
    assert old.number not in get(created_from=(today - timedelta(days=7)).isoformat())
    assert get(created_to=(today - timedelta(days=30)).isoformat()) == {old.number}
    assert get(region="630203") == set()
    assert len(get(region="630202100")) == 4
    for bad in [{"region": "999999"}, {"category": "X99"}, {"state": "lost"}]:
        response = client.get("/cases", bad)
        assert response.status_code == 400 and set(response.json()) == ERROR_KEYS, bad
    newest = [r["number"] for r in client.get("/cases").json()["items"]]
    assert newest[-1] == old.number
    by_deadline = [
        r["number"] for r in client.get("/cases", {"ordering": "deadline"}).json()["items"]
    ]
    assert by_deadline[0] == late.number


# -- acting -------------------------------------------------------------------------------


def test_transitions_run_the_workflow_with_the_pages_checks(world, as_token):
    w = world
    case = report(w)
    path = f"/cases/{case.number}/transitions"
    refused = as_token(w.grid_worker).post(path, {"action": "accept"})
    assert refused.status_code == 403 and refused.json()["error"] == "not_permitted"
    assert as_token(w.other_dispatcher).post(path, {"action": "accept"}).status_code == 404
    done = as_token(w.dispatcher).post(path, {"action": "accept", "params": {"note": "受理"}})
    assert done.status_code == 200 and done.json()["state"] == "accepted"
    stale = as_token(w.dispatcher).post(path, {"action": "dispatch", "expected_state": "reported"})
    assert stale.status_code == 409 and stale.json()["error"] == "state_changed"
    missing = as_token(w.dispatcher).post(path, {"action": "reject", "params": {}})
    assert missing.status_code == 400 and missing.json()["field"] == "reason"
    unknown = as_token(w.dispatcher).post(path, {"action": "teleport"})
    assert unknown.status_code == 400
    case.refresh_from_db()
    assert case.state == "accepted" and case.events.count() == 2
    dispatched = as_token(w.dispatcher).post(path, {"action": "dispatch"})
    assert dispatched.json()["state"] == "dispatched"
    assert Case.objects.get(pk=case.pk).owner == w.cgj
    # A unit the dispatcher's page would not offer is refused, as on the page.
    other = case_in(w, "accepted")
    response = as_token(w.dispatcher).post(
        f"/cases/{other.number}/transitions",
        {"action": "dispatch", "params": {"organisation": w.other_cgj.pk}},
    )
    assert response.status_code == 400 and response.json()["field"] == "organisation"


def test_the_timeline_shows_a_resident_only_the_public_entries(world, as_token):
    w = world
    case = case_in(w, "dispatched")
    as_token(w.dispatcher).post(
        f"/cases/{case.number}/transitions", {"action": "comment", "params": {"note": "内部备注"}}
    )
    staff = as_token(w.dispatcher).get(f"/cases/{case.number}/timeline").json()
    assert [e["action"] for e in staff] == ["report", "accept", "dispatch", "comment"]
    # A colleague acting for their unit by name; the resident who reported masked.
    assert staff[1]["actor"] == "祁玉梅" and staff[0]["actor"] == "马**"
    mine = as_token(w.resident).get(f"/cases/{case.number}/timeline").json()
    assert [e["action"] for e in mine] == ["report", "accept", "dispatch"]
    assert all(e["actor"] is None and e["data"] == {} for e in mine)


def test_the_reporter_rates_a_closed_case_once(world, as_token):
    w = world
    case = case_in(w, "closed")
    path = f"/cases/{case.number}/callback"
    assert (
        as_token(w.other_resident)
        .post(path, {"resolved": True, "satisfaction": "satisfied"})
        .status_code
        == 404
    )
    done = as_token(w.resident).post(
        path, {"resolved": True, "satisfaction": "basic", "comment": "修好了"}
    )
    assert done.status_code == 200 and done.json()["state"] == "closed"
    assert case.callbacks.get().satisfaction == "basic"
    again = as_token(w.resident).post(path, {"resolved": True, "satisfaction": "satisfied"})
    assert again.status_code == 400 and again.json()["error"] == "already_answered"
    unhappy = case_in(w, "closed")
    reopened = as_token(w.resident).post(
        f"/cases/{unhappy.number}/callback", {"resolved": False, "satisfaction": "unsatisfied"}
    )
    assert reopened.json()["state"] == "reopened"


def test_photos_come_with_their_action_and_go_through_the_scoped_view(
    world, as_token, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    w = world
    case = case_in(w, "in_progress")
    path = f"/cases/{case.number}/attachments"
    handler = as_token(w.handler)
    bad = handler.post_multipart(
        path,
        {"action": "resolve", "result": "已补装井盖", "photos": [png(), _text_file()]},
    )
    assert bad.status_code == 400 and bad.json()["field"] == "photos"
    assert Case.objects.get(pk=case.pk).state == "in_progress" and not Attachment.objects.exists()
    done = handler.post_multipart(
        path, {"action": "resolve", "result": "已补装井盖", "photos": [png()]}
    )
    assert done.status_code == 200 and done.json()["state"] == "resolved"
    listed = as_token(w.dispatcher).get(path).json()
    assert [a["stage"] for a in listed] == ["resolution"]
    photo = as_token(w.dispatcher).client.get(
        listed[0]["url"], headers=as_token(w.dispatcher).headers
    )
    assert photo.status_code == 200
    assert b"".join(photo.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"
    outsider = as_token(w.other_dispatcher)
    assert outsider.client.get(listed[0]["url"], headers=outsider.headers).status_code == 404


def _text_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("notes.png", b"not an image", content_type="image/png")


# -- intake: idempotency and rate limits ---------------------------------------------------

REPORT = {"title": "井盖丢失", "description": "西关街井盖丢失", "lng": 102.405, "lat": 36.47}


def test_a_retried_report_returns_the_first_case(world, as_token):
    client = as_token(world.resident)
    body = {**REPORT, "category": world.manhole.code}
    first = client.post("/cases", body, headers={"Idempotency-Key": "key-000000001"})
    again = client.post("/cases", body, headers={"Idempotency-Key": "key-000000001"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["number"] == again.json()["number"] and Case.objects.count() == 1


def test_reports_are_rate_limited_per_token_and_retries_do_not_count(world, as_token, settings):
    settings.GONGZHI = {**settings.GONGZHI, "RATE_LIMITS": {"api_report": "2/h"}}
    body = {**REPORT, "category": world.manhole.code}
    client = as_token(world.resident)
    assert (
        client.post("/cases", body, headers={"Idempotency-Key": "key-000000001"}).status_code == 201
    )
    for _ in range(3):  # retries of a report already made
        assert (
            client.post("/cases", body, headers={"Idempotency-Key": "key-000000001"}).status_code
            == 200
        )
    assert client.post("/cases", body).status_code == 201
    refused = client.post("/cases", body)
    assert refused.status_code == 429
    assert set(refused.json()) == ERROR_KEYS and refused.json()["error"] == "throttled"
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert Case.objects.count() == 2
    # Another token (another app) has its own allowance.
    assert as_token(world.other_resident).post("/cases", body).status_code == 201


def test_a_category_switched_off_is_refused_at_once(world, as_token):
    # Intake reads categories from the per-process reference table: an edit must reach it.
    client = as_token(world.resident)
    assert client.post("/cases", {**REPORT, "category": world.manhole.code}).status_code == 201
    world.manhole.enabled = False
    world.manhole.save()
    refused = client.post("/cases", {**REPORT, "category": world.manhole.code})
    assert refused.status_code == 400 and refused.json()["error"] == "unknown_category"
    unknown = client.post("/cases", {**REPORT, "category": "no-such-code"})
    assert unknown.status_code == 400 and unknown.json()["field"] == "category"
    assert Case.objects.count() == 1


def test_a_nul_character_is_refused_before_the_database_sees_it(world, as_token):
    client = as_token(world.dispatcher)
    body = {**REPORT, "title": "井盖\x00丢失", "category": world.manhole.code}
    response = client.post("/cases", body)
    assert response.status_code == 400 and set(response.json()) == ERROR_KEYS
    assert client.get("/cases", {"q": "井盖\x00"}).status_code == 400
    assert client.get("/cases/HD-\x00").status_code == 400
    assert not Case.objects.exists()
    assert client.post("/cases", {**body, "title": "井盖丢失"}).status_code == 201


@pytest.mark.parametrize(
    "state,action,params",
    [
        ("accepted", "dispatch", {"organisation": 99999999999999999999}),
        ("accepted", "dispatch", {"organisation": "-5"}),
        ("dispatched", "add_co_handlers", {"organisations": [99999999999999999999]}),
        ("accepted", "categorise", {"category": "99999999999999999999"}),
        ("in_progress", "request_extension", {"new_due": "99999-01-01T00:00", "reason": "需要"}),
        ("accepted", "merge", {"into": ["a", "b"]}),
        ("in_progress", "decide_extension", {"approve": [1, 2]}),
        ("closed", "callback", {"resolved": 1.5, "satisfaction": None}),
    ],
)
def test_malformed_parameters_are_a_400_and_change_nothing(world, as_token, state, action, params):
    case = case_in(world, state)
    events = case.events.count()
    response = as_token(world.admin).post(
        f"/cases/{case.number}/transitions", {"action": action, "params": params}
    )
    # Several problems at once are also listed under "errors".
    assert response.status_code == 400 and ERROR_KEYS <= set(response.json()) <= ERROR_KEYS | {
        "errors"
    }
    case.refresh_from_db()
    assert case.state == state and case.events.count() == events


def test_personal_data_is_revealed_audited_to_roles_that_need_it(world, as_token):
    from gongzhi.core.models import AuditLog

    case = hotline_case(world)
    path = f"/cases/{case.number}/reveal"
    shown = as_token(world.operator).post(path, {"reason": "回访"})
    assert shown.status_code == 200
    assert shown.json() == {"reporter_name": "马秀兰", "reporter_phone": "13900001111"}
    entry = AuditLog.objects.get(action="unmask")
    assert entry.actor == world.operator and entry.reason == "回访"
    refused = as_token(world.leader).post(path, {"fields": ["reporter_phone"]})
    assert refused.status_code == 403 and set(refused.json()) == ERROR_KEYS
    assert AuditLog.objects.filter(action="unmask_denied", actor=world.leader).exists()
    assert as_token(world.other_dispatcher).post(path, {}).status_code == 404


def test_the_list_query_count_does_not_grow_with_the_rows(
    world, as_token, django_assert_max_num_queries
):
    client = as_token(world.dispatcher)
    for i in range(3):
        case_in(world, "dispatched", title=f"井盖丢失{i}")
    client.get("/cases")  # warm the token's last-used stamp and the caches
    with django_assert_max_num_queries(8) as few:
        assert len(client.get("/cases").json()["items"]) == 3
    for i in range(12):
        case_in(world, "dispatched", title=f"路面坑洼{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/cases").json()["items"]) == 15


def test_me_too_through_the_api(world, as_token):
    """我也遇到 as an app offers it: one support per person, the hint's rules on who may."""
    from gongzhi.cases.models import CaseSupport
    from gongzhi.taxonomy.models import Category

    w = world
    case = quick_report(w, "西关路口井盖丢失", 0, w.other_resident)
    resident = as_token(w.resident)
    first = resident.post(f"/cases/{case.number}/supports")
    assert first.status_code == 200, first.content
    assert first.json() == {"number": case.number, "supports": 1, "created": True}
    again = resident.post(f"/cases/{case.number}/supports").json()
    assert again == {"number": case.number, "supports": 1, "created": False}
    own = as_token(w.other_resident).post(f"/cases/{case.number}/supports")
    assert own.status_code == 400 and own.json()["error"] == "own_case"
    tip = quick_report(
        w, "出租屋有人聚众吸毒", 0, w.other_resident, Category.objects.get(code="G03.02")
    )
    hidden = resident.post(f"/cases/{tip.number}/supports")  # not public, not in scope
    assert hidden.status_code == 404 and set(hidden.json()) == ERROR_KEYS
    assert resident.post("/cases/HD-20000101-000001/supports").status_code == 404
    assert CaseSupport.objects.count() == 1
