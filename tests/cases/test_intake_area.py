"""A point outside the platform's area — (0, 0) from a phone without a fix, Beijing, Paris —
is refused with the same clear message on every channel, and nothing is stored: the 随手拍
page, the phone's outbox (the same page answering in JSON), the 12345 form, the JSON API and
Open311. Every one reaches ``cases.intake.services._check_point``."""

import pytest
from django.urls import reverse

from gongzhi.accounts import tokens
from gongzhi.cases.models import Case
from tests.api.conftest import TokenClient
from tests.open311.conftest import o311  # noqa: F401 - a client with a key, the questions

pytestmark = pytest.mark.django_db


def as_token(user) -> TokenClient:
    """The JSON API as an app calls it, with a bearer token of ``user``."""
    _token, raw = tokens.do_issue(user=user, name="test")
    return TokenClient(raw)


OUTSIDE = {"null island": (0.0, 0.0), "Beijing": (116.4, 39.9), "Paris": (2.35, 48.85)}
POINTS = pytest.mark.parametrize("point", list(OUTSIDE.values()), ids=list(OUTSIDE))
MESSAGE = "outside the area this platform serves"


@pytest.fixture(autouse=True)
def _english(settings, tmp_path):
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = tmp_path / "media"


def _web(world, point, **extra):
    return {
        "category": world.pothole.pk,
        "lng": point[0],
        "lat": point[1],
        "description": "路面坑洼，车辆通行困难",
        "idempotency_key": "0c0c0c0c-6666-4a4a-9b9b-000000000001",
        **extra,
    }


@POINTS
def test_the_quick_report_page_refuses_it(client, world, point):
    client.force_login(world.resident)
    response = client.post(reverse("cases:report"), _web(world, point))
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()
    assert not Case.objects.exists()


@POINTS
def test_the_phones_outbox_is_told_why_in_json(client, world, point):
    client.force_login(world.grid_worker)
    response = client.post(
        reverse("cases:report"), _web(world, point), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "lng" and MESSAGE in response.json()["message"]
    assert not Case.objects.exists()


@POINTS
def test_the_hotline_form_refuses_it(client, world, point):
    client.force_login(world.operator)
    data = _web(world, point, reporter_phone="13812345678", address="碾伯镇西关街")
    response = client.post(reverse("cases:hotline"), data)
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()
    assert not Case.objects.exists()


@POINTS
def test_the_api_refuses_it(world, point):
    api = as_token(world.resident)
    body = {"description": "路面坑洼", "category": world.pothole.code}
    response = api.post("/cases", {**body, "lng": point[0], "lat": point[1]})
    assert response.status_code == 400
    assert response.json()["error"] == "outside_area" and response.json()["field"] == "location"
    assert not Case.objects.exists()


@POINTS
def test_open311_refuses_it(client, o311, point):  # noqa: F811
    data = {
        "api_key": o311.key,
        "service_code": o311.pothole.code,
        "lat": str(point[1]),
        "long": str(point[0]),
        "description": "路面坑洼",
    }
    response = client.post("/open311/v2/requests.json", data)
    assert response.status_code == 400
    assert MESSAGE in response.json()[0]["description"]
    assert not Case.objects.exists()


def test_a_point_inside_is_taken_on_every_page(client, world):
    client.force_login(world.resident)
    assert client.post(reverse("cases:report"), _web(world, world.point)).status_code == 302
    assert Case.objects.get().grid_id == world.grid.pk
