"""GET /api/v1/cases/rates — the three rates over HTTP — and the intake endpoint beside it."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.cases import stats
from gongzhi.cases.models import Case
from gongzhi.demo import cases as demo_seed
from gongzhi.regions.models import Grid

pytestmark = [pytest.mark.django_db]

RATES = "/api/v1/cases/rates"
NUMBERS = ("total", "overdue", "response_rate", "resolution_rate", "satisfaction_rate", "counts")


@pytest.fixture
def history(world):
    demo_seed.generate(count=150, grids=Grid.objects.all(), seed=11)
    # The rates read the rollups: counted whole, as the demo command does after loading.
    from gongzhi.command import rollups

    rollups.rebuild()
    return world


def get(client, **params):
    response = client.get(RATES, params)
    return response.status_code, response.json()


def as_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def numbers(rows) -> dict:
    return {r["key"]: {k: r[k] for k in NUMBERS} for r in rows}


@pytest.mark.parametrize("group_by", ["all", "unit", "county", "township", "category"])
def test_numbers_equal_the_service_for_the_viewer(history, group_by):
    w = history
    status, body = get(as_client(w.dispatcher), group_by=group_by)
    assert status == 200 and body["group_by"] == group_by
    expected = stats.rates(viewer=w.dispatcher, group_by=group_by)
    assert numbers(body["rows"]) == numbers(expected)
    assert all(isinstance(r["label"], str) for r in body["rows"])


def test_periods_are_keyed_by_local_date(history):
    status, body = get(as_client(history.admin), group_by="day")
    assert status == 200
    expected = stats.rates(viewer=history.admin, group_by="day")
    assert [r["total"] for r in body["rows"]] == [r["total"] for r in expected]
    for row in body["rows"]:
        dt.date.fromisoformat(row["key"])
        assert row["label"] == row["key"]
    assert sum(r["total"] for r in body["rows"]) == Case.objects.count()


def test_dates_are_whole_local_days_inclusive(history):
    w = history
    end = timezone.localdate() - dt.timedelta(days=20)
    start = end - dt.timedelta(days=30)
    status, body = get(
        as_client(w.admin), group_by="all", start=start.isoformat(), end=end.isoformat()
    )
    assert status == 200 and body["start"] == start.isoformat() and body["end"] == end.isoformat()
    tz = timezone.get_current_timezone()
    expected = stats.rates(
        viewer=w.admin,
        group_by="all",
        start=dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        end=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )
    assert numbers(body["rows"]) == numbers(expected)
    in_range = [
        c
        for c in Case.objects.only("created_at")
        if start <= timezone.localtime(c.created_at).date() <= end
    ]
    assert body["rows"][0]["total"] == len(in_range) > 0


def test_scope_a_pingan_dispatcher_sees_no_ledu_numbers(history):
    w = history
    status, body = get(as_client(w.other_dispatcher), group_by="county")
    assert status == 200
    keys = {r["key"] for r in body["rows"]}
    assert w.regions.ledu.path not in keys
    assert keys <= {w.regions.pingan.path}
    visible = Case.objects.filter(region_path__startswith=w.regions.pingan.path).count()
    assert sum(r["total"] for r in body["rows"]) == visible
    # And the 乐都区 dispatcher sees 乐都区 only.
    _status, body = get(as_client(w.dispatcher), group_by="county")
    assert {r["key"] for r in body["rows"]} == {w.regions.ledu.path}


def test_anonymous_gets_401_in_the_error_shape(world):
    response = Client().get(RATES)
    assert response.status_code == 401
    assert response.json() == {
        "error": "not_authenticated",
        "message": response.json()["message"],
        "field": None,
    }
    assert response.json()["message"]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"group_by": "street"}, "group_by"),
        ({"start": "2026-13-01"}, "start"),
        ({"end": "yesterday"}, "end"),
        ({"start": "2026-05-02", "end": "2026-05-01"}, "end"),
    ],
)
def test_bad_input_gets_400_in_the_error_shape(world, params, field):
    status, body = get(as_client(world.dispatcher), **params)
    assert status == 400
    assert set(body) == {"error", "message", "field"}
    assert body["field"] == field and body["message"] and body["error"]


def test_the_schema_documents_the_endpoints(world):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/cases/rates" in schema["paths"]
    assert "/api/v1/cases" in schema["paths"]


# --- the intake endpoint (POST /api/v1/cases), which bench/intake.py drives ----------------

INTAKE = "/api/v1/cases"


def signed_in(user, password) -> tuple[Client, str]:
    """A client that behaves like a script using the API: it signs in through the login
    page, then sends the session cookie and the CSRF token (rotated at login)."""
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    response = client.post(
        "/accounts/login/",
        {
            "username": user.username,
            "password": password,
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )
    assert response.status_code == 302
    return client, client.cookies["csrftoken"].value


def post(client, token, body, key=None):
    headers = {"X-CSRFToken": token} if token else {}
    if key:
        headers["Idempotency-Key"] = key
    response = client.post(
        INTAKE, json.dumps(body), content_type="application/json", headers=headers
    )
    return response.status_code, response.json()


def manhole(w, **extra) -> dict:
    return {
        "title": "井盖丢失",
        "description": "西关路口井盖丢失",
        "category": w.manhole.code,
        "lng": w.point[0],
        "lat": w.point[1],
        **extra,
    }


def test_a_grid_worker_reports_and_a_retry_returns_the_first_case(world):
    client, token = signed_in(world.grid_worker, world.password)
    status, first = post(client, token, manhole(world), key="bench-0001-abcdef")
    assert status == 201 and first["created"]
    assert first["channel"] == "grid_worker" and first["grid"] == world.grid.code
    assert first["state"] == "accepted"  # the world's grid-worker policy: accept, not dispatch
    status, again = post(client, token, manhole(world), key="bench-0001-abcdef")
    assert status == 200 and not again["created"] and again["number"] == first["number"]
    assert Case.objects.count() == 1


def test_the_same_key_from_someone_else_is_a_case_of_its_own(world):
    a, token_a = signed_in(world.grid_worker, world.password)
    b, token_b = signed_in(world.resident, world.password)
    _s, first = post(a, token_a, manhole(world), key="same-key-123456")
    status, other = post(b, token_b, manhole(world), key="same-key-123456")
    assert status == 201 and other["number"] != first["number"]


def test_intake_needs_the_csrf_token(world):
    client, _token = signed_in(world.resident, world.password)
    status, body = post(client, None, manhole(world))
    assert status == 403 and body["error"] == "csrf_failed"
    assert not Case.objects.exists()


def test_a_resident_cannot_claim_the_grid_worker_channel(world):
    client, token = signed_in(world.resident, world.password)
    status, body = post(client, token, manhole(world, channel="grid_worker"))
    assert (status, body["error"], body["field"]) == (403, "channel_not_allowed", "channel")
    status, body = post(client, token, manhole(world))
    assert status == 201 and body["channel"] == "api"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"category": "NOPE"}, "category"),
        ({"lng": None, "lat": None}, "location"),
        ({"title": "", "description": ""}, "description"),
        ({"lng": "east"}, "lng"),
    ],
)
def test_bad_reports_get_400_and_store_nothing(world, change, field):
    client, token = signed_in(world.resident, world.password)
    status, body = post(client, token, manhole(world, **change))
    assert status == 400 and body["field"] == field
    assert not Case.objects.exists()


def test_every_problem_of_a_report_is_listed_the_first_named_as_before(world):
    client, token = signed_in(world.resident, world.password)
    status, body = post(client, token, manhole(world, title="", description="", lng=None, lat=None))
    assert status == 400 and (body["error"], body["field"]) == ("required", "description")
    assert [e["field"] for e in body["errors"]] == ["description", "location"]
    assert all(e["message"] for e in body["errors"])
    assert not Case.objects.exists()


def test_a_bad_idempotency_key_is_refused(world):
    client, token = signed_in(world.resident, world.password)
    status, body = post(client, token, manhole(world), key="no spaces allowed")
    assert (status, body["field"]) == (400, "Idempotency-Key")
