"""GET endpoints: discovery, services, service definitions, requests (every filter and
the 90-day / 1000 rule), one request, jurisdictions, errors; XML carries what JSON does;
no personal data goes out."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.cases.models import Case
from gongzhi.cases.workflow import table as workflow
from gongzhi.open311 import reads, statuses
from tests.factories import photo

from . import local_schemas
from .conftest import get, report, same_in_both, valid, xml_data

pytestmark = pytest.mark.django_db


def test_discovery_names_the_endpoint_and_its_formats(client, o311):
    status, data = same_in_both(client, "discovery")
    assert status == 200
    valid(local_schemas.DISCOVERY, data)
    (endpoint,) = data["endpoints"]
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["formats"] == ["application/json", "text/xml"]


def test_services_list_every_enabled_category_with_its_group(client, o311):
    status, data = same_in_both(client, "services", item="service")
    assert status == 200
    by_code = {s["service_code"]: s for s in data}
    manhole = by_code["G02.01"]
    assert manhole["service_name"] == "井盖缺失破损"
    assert manhole["group"] == "道路与井盖"
    assert manhole["metadata"] is True  # the demo asks what state the manhole is in
    assert by_code["G02.02"]["metadata"] is False
    assert "井盖" in manhole["keywords"].split(",")


def test_service_definition_lists_the_questions_and_their_answers(client, o311):
    status, data = same_in_both(client, "services/G02.01", item=None)
    assert status == 200
    assert data["service_code"] == "G02.01"
    first = data["attributes"][0]
    assert first["code"] == "manhole_state" and first["required"] is True
    assert first["datatype"] == "singlevaluelist"
    assert {"key": "missing", "name": "缺失"} in first["values"]
    assert [a["order"] for a in data["attributes"]] == [1, 2]


def test_an_unknown_service_is_a_404_error_list_in_both_formats(client, o311):
    status, data = same_in_both(client, "services/NOPE", item="error")
    assert status == 404
    valid(local_schemas.ERRORS, data)
    assert data[0]["code"] == 404


def test_requests_never_show_who_reported_and_mask_numbers_in_text(client, o311):
    case = report(o311, text="井盖丢了，联系13900001111，身份证630202199001011234")
    status, data = same_in_both(client, "requests", item="request")
    assert status == 200
    (request,) = data
    body = get(client, "requests").content.decode()
    for secret in ("马秀兰", "13900001111", "630202199001011234", "12号3单元402室"):
        assert secret not in body
    assert request["service_request_id"] == case.number
    assert "139****1111" in request["description"]
    assert request["address"] == "海东市乐都区碾伯镇西关街****"
    assert request["status"] == "open"
    assert request["lat"] == pytest.approx(36.47) and request["long"] == pytest.approx(102.405)


def test_a_request_shows_its_deadline_unit_and_latest_public_note(client, o311):
    case = report(o311)
    workflow.transition(case_id=case.pk, action="accept", actor=o311.dispatcher, note="已受理")
    case = workflow.transition(case_id=case.pk, action="dispatch", actor=o311.dispatcher)
    workflow.transition(case_id=case.pk, action="comment", actor=o311.dispatcher, note="内部意见")
    status, (one,) = same_in_both(client, f"requests/{case.number}", item="request")
    assert status == 200
    assert one["status_notes"] == "已受理"  # the internal comment is not public
    assert one["agency_responsible"] == o311.cgj.name
    assert one["expected_datetime"] == timezone.localtime(case.resolve_due).isoformat(
        timespec="seconds"
    )
    assert one["expected_datetime"].endswith("+08:00")
    assert one["service_name"] == "路面坑洼"


def test_closed_rejected_and_merged_requests_are_closed(client, o311):
    rejected = report(o311)
    workflow.transition(case_id=rejected.pk, action="reject", actor=o311.dispatcher, reason="重复")
    still_open = report(o311)
    data = get(client, "requests").json()
    status = {r["service_request_id"]: r["status"] for r in data}
    assert status == {rejected.number: "closed", still_open.number: "open"}
    assert [r["service_request_id"] for r in get(client, "requests", status="closed").json()] == [
        rejected.number
    ]
    assert [r["service_request_id"] for r in get(client, "requests", status="open").json()] == [
        still_open.number
    ]
    assert len(get(client, "requests", status="open,closed").json()) == 2


def _age(case, days):
    Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - dt.timedelta(days=days))


def test_filters_by_id_service_and_period(client, o311):
    a = report(o311, category=o311.manhole)
    b = report(o311)
    old = report(o311)
    _age(old, 100)

    def numbers(r):
        return sorted(x["service_request_id"] for x in r.json())

    assert numbers(get(client, "requests")) == sorted([a.number, b.number])  # the last 90 days
    assert numbers(get(client, "requests", service_code="G02.01")) == [a.number]
    assert numbers(get(client, "requests", service_code="G02.01,G02.03")) == sorted(
        [a.number, b.number]
    )
    # A list of ids overrides every other filter, the 90 days included.
    assert numbers(
        get(client, "requests", service_request_id=f"{old.number},{a.number}", service_code="X")
    ) == sorted([old.number, a.number])
    start = (timezone.now() - dt.timedelta(days=120)).isoformat()
    end = (timezone.now() - dt.timedelta(days=95)).isoformat()
    assert numbers(get(client, "requests", start_date=start, end_date=end)) == [old.number]
    assert numbers(get(client, "requests", start_date=start)) == [old.number]  # 90 days on
    assert numbers(get(client, "requests", end_date=end)) == [old.number]


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-06-01T00:00:00+08:00"},
        {"start_date": "2026-06-01T00:00:00+08:00", "end_date": "2026-01-01T00:00:00+08:00"},
        {"start_date": "yesterday"},
        {"status": "pending"},
        {"page_size": "0"},
        {"page_size": "1001"},
        {"page": "x"},
    ],
)
def test_bad_filters_are_400_errors(client, o311, params):
    status, data = same_in_both(client, "requests", item="error", **params)
    assert status == 400
    valid(local_schemas.ERRORS, data)


def test_an_empty_filter_is_the_same_as_none(client, o311):
    case = report(o311)
    data = get(client, "requests", service_code="", status="", start_date="", page="").json()
    assert [r["service_request_id"] for r in data] == [case.number]


def test_pages_and_the_1000_cap(client, o311, monkeypatch):
    made = [report(o311, text=f"路面坑洼第{i}处") for i in range(5)]
    newest_first = [c.number for c in reversed(made)]

    def page(**p):
        return [r["service_request_id"] for r in get(client, "requests", **p).json()]

    assert page(page_size="2") == newest_first[:2]
    assert page(page_size="2", page="2") == newest_first[2:4]
    assert page(page_size="2", page="3") == newest_first[4:]
    monkeypatch.setattr(reads, "MAX_REQUESTS", 3)  # the rule, at a size a test can build
    assert page() == newest_first[:3]
    assert page(page_size="2", page="2") == newest_first[2:3]
    assert page(page_size="2", page="3") == []


def test_a_jurisdiction_is_a_city_or_county_subtree(client, o311):
    ledu = report(o311)
    pingan = report(o311, point=o311.other_point)

    def ids(code):
        return {
            r["service_request_id"] for r in get(client, "requests", jurisdiction_id=code).json()
        }

    assert ids("630202") == {ledu.number}
    assert ids("630203") == {pingan.number}
    assert ids("630200") == {ledu.number, pingan.number}
    for path in ("requests", "services", f"requests/{ledu.number}", "servicerequestupdates"):
        for code in ("999999", "630202100"):  # unknown; a township is not a jurisdiction
            response = get(client, path, jurisdiction_id=code)
            assert response.status_code == 404, path
            assert response.json()[0]["code"] == 404
    assert get(client, f"requests/{ledu.number}", jurisdiction_id="630203").status_code == 404


def test_one_request_unknown_is_404(client, o311):
    status, data = same_in_both(client, "requests/HD-20990101-000001", item="error")
    assert status == 404 and data[0]["code"] == 404


def test_an_unknown_format_or_path_is_an_xml_404(client, o311):
    for url in ("/open311/v2/services.csv", "/open311/v2/nothing.json"):
        response = client.get(url)
        assert response.status_code == 404
        assert xml_data(response, "error")[0]["code"] == "404"


def test_every_json_answer_matches_the_geo_report_schemas(client, o311, schemas):
    case = report(o311, category=o311.manhole)
    workflow.transition(case_id=case.pk, action="accept", actor=o311.dispatcher, note="已受理")
    services = get(client, "services").json()
    schemas.services.validate(services)
    for s in services[:3]:
        schemas.service.validate(s)
    schemas.service_definition.validate(get(client, "services/G02.01").json())
    schemas.service_definition.validate(get(client, "services/G02.02").json())
    requests = get(client, "requests").json()
    schemas.requests.validate(requests)
    schemas.request.validate(requests[0])
    schemas.requests.validate(get(client, f"requests/{case.number}").json())


def test_the_schemas_catch_a_bad_answer(schemas):
    """The validators are live: a service_request_id given as a number is refused."""
    from jsonschema import ValidationError

    bad = [{"service_request_id": 1, "status": "open", "service_code": "G02.01",
            "requested_datetime": "2026-11-30T10:00:00+08:00"}]  # fmt: skip
    with pytest.raises(ValidationError):
        schemas.requests.validate(bad)
    bad[0].update(service_request_id="1", requested_datetime="2026-11-30T10:00:00")
    with pytest.raises(ValidationError):
        schemas.requests.validate(bad)


def test_cases_of_private_categories_are_never_listed(client, o311):
    """A drug tip-off (治安隐患 / 黄赌毒线索) is not published, nor is anything below a
    category kept out of public feeds; it can still be reported."""
    from gongzhi.taxonomy.models import Category

    assert Category.objects.get(code="G03").is_public is False  # so the migration says
    tip = report(o311, text="有人在出租屋聚众吸毒", category=Category.objects.get(code="G03.02"))
    shown = report(o311)
    assert [r["service_request_id"] for r in get(client, "requests").json()] == [shown.number]
    assert get(client, f"requests/{tip.number}").status_code == 404
    assert get(client, "requests", service_request_id=tip.number).json() == []
    updates = get(client, "servicerequestupdates").json()
    assert {u["service_request_id"] for u in updates} == {shown.number}
    assert "G03.02" in {s["service_code"] for s in get(client, "services").json()}


def test_listing_costs_the_same_queries_for_one_request_or_many(client, o311):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost():
        with CaptureQueriesContext(connection) as queries:
            assert get(client, "requests").status_code == 200
            assert get(client, "servicerequestupdates").status_code == 200
        return len(queries)

    report(o311)
    one = cost()
    for i in range(4):
        case = report(o311, text=f"第{i}处坑洼", category=o311.manhole)
        workflow.transition(case_id=case.pk, action="accept", actor=o311.dispatcher, note="收到")
    assert cost() == one


def test_extensions_add_the_lifecycle_photos_and_public_timeline(
    client, o311, schemas, settings, tmp_path
):
    """extensions=true (as Chicago and Bonn serve it): our state and channel, the report's
    photos and the public timeline as notes; the plain answer stays as the standard has it."""
    from gongzhi.cases import media

    settings.MEDIA_ROOT = tmp_path
    case = report(o311)
    (image,) = media.check_photos([photo("p.jpg", (40, 30), fmt="JPEG", colour=(10, 20, 30))])
    media.store_photo(case=case, image=image, stage="report", user=None, event=None)
    workflow.transition(
        case_id=case.pk, action="accept", actor=o311.dispatcher, note="已受理，回电13900001111"
    )
    workflow.transition(case_id=case.pk, action="comment", actor=o311.dispatcher, note="内部意见")
    status, (one,) = same_in_both(
        client, f"requests/{case.number}", item="request", extensions="true"
    )
    assert status == 200
    extra = one["extended_attributes"]
    assert extra["state"] == "accepted" and extra["channel"] == "open311"
    assert extra["extended_status"] == statuses.extended("accepted")
    (url,) = extra["photos"]
    assert client.get(url.removeprefix("http://testserver")).status_code == 200
    assert [n["type"] for n in one["notes"]] == ["report", "accept"]  # not the comment
    assert "139****1111" in one["notes"][1]["description"]
    assert "内部意见" not in str(one) and "13900001111" not in str(one)

    (plain,) = get(client, f"requests/{case.number}").json()
    assert "notes" not in plain and "extended_attributes" not in plain
    listed = get(client, "requests", extensions="true").json()
    schemas.requests.validate(listed)
    assert listed[0]["notes"] == one["notes"]
    for bad in ("yes", "1"):
        assert get(client, "requests", extensions=bad).status_code == 400
        assert get(client, f"requests/{case.number}", extensions=bad).status_code == 400
