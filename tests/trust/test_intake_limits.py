"""Web intake as an attacker tries it (issue 22, defects 9–11): a burst of reports from one
account, a retry racing its own first send, and points far outside the platform's regions."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.cases.intake import services
from gongzhi.cases.models import Case

pytestmark = pytest.mark.django_db

REPORT = reverse("cases:report")
API = "/api/v1/cases"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "en"


def web(world, n=1, **overrides):
    data = {
        "category": world.manhole.pk,
        "lng": world.point[0],
        "lat": world.point[1],
        "description": f"西关路口井盖丢失，晚上很危险 {n}",
        "idempotency_key": f"trust-intake-{n:06d}",
    }
    data.update(overrides)
    return data


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_web_reports_are_rate_limited_per_person_and_retries_are_not_counted(world, settings):
    settings.GONGZHI = {**settings.GONGZHI, "RATE_LIMITS": {"web_report": "2/h"}}
    client = signed_in(world.resident)
    assert client.post(REPORT, web(world, 1)).status_code == 302
    assert client.post(REPORT, web(world, 2)).status_code == 302
    # A retry of a report already received is answered, not counted.
    assert client.post(REPORT, web(world, 1)).status_code == 302
    refused = client.post(REPORT, web(world, 3))
    assert refused.status_code == 429
    assert refused["Retry-After"].isdigit()
    assert "Too many reports" in refused.content.decode()
    as_json = client.post(REPORT, web(world, 4), HTTP_ACCEPT="application/json")
    assert as_json.status_code == 429
    assert as_json.json()["error"] == "rate_limited"
    assert Case.objects.count() == 2
    # Somebody else is not held back by this person's reports.
    assert signed_in(world.other_resident).post(REPORT, web(world, 5)).status_code == 302


def test_a_retry_that_loses_the_race_gets_the_first_case(world, monkeypatch):
    """The retry checks its key before the first send has committed, then meets the unique
    index: it must answer with the first case, not a 500, and leave the connection usable."""
    client = signed_in(world.grid_worker)
    first = client.post(REPORT, web(world, 7), HTTP_ACCEPT="application/json")
    assert first.status_code == 201
    # The first look for the key misses, as when the first send commits just after it.
    real, calls = services.Case.objects.filter, []

    def late_filter(*args, **kwargs):
        if "idempotency_key" in kwargs and not calls:
            calls.append(kwargs)
            return services.Case.objects.none()
        return real(*args, **kwargs)

    monkeypatch.setattr(services.Case.objects, "filter", late_filter)
    again = client.post(REPORT, web(world, 7), HTTP_ACCEPT="application/json")
    monkeypatch.undo()
    assert calls  # the race was staged
    assert again.status_code == 200, again.content
    assert again.json()["number"] == first.json()["number"]
    assert Case.objects.count() == 1
    assert client.get(REPORT).status_code == 200  # the next request works as well


@pytest.mark.parametrize("where", [(0.0, 0.0), (2.3522, 48.8566)], ids=["null-island", "paris"])
def test_a_point_outside_the_platforms_regions_is_refused(world, where):
    client = signed_in(world.grid_worker)
    page = client.post(REPORT, web(world, 8, lng=where[0], lat=where[1]))
    assert page.status_code == 400
    assert "outside the area this platform serves" in page.content.decode()
    body = {"title": "井盖丢失", "category": world.manhole.code, "lng": where[0], "lat": where[1]}
    api = client.post(API, json.dumps(body), content_type="application/json")
    assert api.status_code == 400
    assert api.json()["error"] == "outside_area" and api.json()["field"] == "location"
    assert Case.objects.count() == 0


def test_lng_without_lat_is_a_clear_400(world):
    client = signed_in(world.grid_worker)
    body = {"title": "井盖丢失", "category": world.manhole.code, "lng": world.point[0]}
    api = client.post(API, json.dumps(body), content_type="application/json")
    assert api.status_code == 400 and api.json()["field"] == "location"
    page = client.post(REPORT, web(world, 9, lat=""))
    assert page.status_code == 400
    assert Case.objects.count() == 0
