"""随手拍 without signal, through Django's test client: the manifest, the service worker, the
shell it keeps, the session check, and the JSON answer to a report sent later by the phone."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from gongzhi.cases.models import Case

pytestmark = pytest.mark.django_db

REPORT = reverse("cases:report")
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "en"


def report(world, **overrides):
    data = {
        "category": world.manhole.pk,
        "lng": world.point[0],
        "lat": world.point[1],
        "description": "村口井盖丢失，晚上很危险",
        "idempotency_key": "5d0c6a2e-3333-4c4c-8d8d-000000000003",
    }
    data.update(overrides)
    return data


def test_the_worker_is_a_script_whose_scope_covers_the_report_page(client, world):
    url = reverse("cases:report_worker")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    # A worker's default scope is the folder of its script: the report page is inside it.
    assert REPORT.startswith(url.rsplit("/", 1)[0] + "/")
    config = json.loads(re.search(r"const CONFIG = (\{.*\});", response.content.decode())[1])
    assert config["shellUrl"] == reverse("cases:report_shell")
    assert "/static/vendor/leaflet/leaflet.js" in config["assets"]
    assert "/static/gongzhi/intake.js" in config["assets"]
    for asset in config["assets"]:
        assert finders.find(asset.removeprefix("/static/")), asset


def test_the_manifest_names_the_report_page_and_its_icons(client, world):
    response = client.get(reverse("cases:report_manifest"))
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == REPORT and manifest["scope"] == REPORT
    assert manifest["display"] == "standalone"
    assert {i["sizes"] for i in manifest["icons"]} == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/"))


def test_the_report_page_links_the_manifest_and_carries_the_categories(client, world):
    client.force_login(world.resident)
    html = client.get(REPORT).content.decode()
    assert reverse("cases:report_manifest") in html
    categories = json.loads(
        re.search(r'<script id="offline-categories" type="application/json">(.*?)</script>', html)[
            1
        ]
    )
    assert {"id": world.manhole.pk, "full_name": "道路与井盖 / 井盖缺失破损"}.items() <= next(
        c for c in categories if c["id"] == world.manhole.pk
    ).items()


def test_the_kept_shell_shows_nobody_s_name_or_reports(client, world):
    client.force_login(world.resident)
    client.post(REPORT, report(world))
    case = Case.objects.get()
    response = client.get(reverse("cases:report_shell"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-shell" in html and 'data-testid="report-form"' in html
    assert world.resident.masked_name not in html
    assert case.number not in html and 'data-testid="my-reports"' not in html
    # The "thank you" waiting for the next page is still there for it.
    assert f"received as case {case.number}" in client.get(REPORT).content.decode()


def test_the_shell_is_for_reporters_only(client, world):
    url = reverse("cases:report_shell")
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(world.dispatcher)
    assert client.get(url).status_code == 403


def test_the_session_check_says_who_is_signed_in_and_gives_a_fresh_token(client, world):
    url = reverse("cases:report_session")
    assert client.get(url).json() == {"signed_in": False}
    client.force_login(world.resident)
    first = client.get(url).json()
    assert first["signed_in"] and first["may_report"] and first["csrf"]
    assert client.get(url).json()["reporter"] == first["reporter"]
    client.force_login(world.other_resident)
    assert client.get(url).json()["reporter"] != first["reporter"]


def test_a_kept_report_sent_later_is_answered_in_json_once(world):
    # The CSRF cookie changed since the report was taken (a new sign-in rotates it): the token
    # in the page is stale, the one the session check gives now works.
    phone = Client(enforce_csrf_checks=True)
    phone.force_login(world.resident)
    stale = phone.get(reverse("cases:report_session")).json()["csrf"]
    del phone.cookies["csrftoken"]
    token = phone.get(reverse("cases:report_session")).json()["csrf"]
    assert phone.post(REPORT, report(world), HTTP_X_CSRFTOKEN=stale, **JSON).status_code == 403

    first = phone.post(REPORT, report(world), HTTP_X_CSRFTOKEN=token, **JSON)
    assert first.status_code == 201
    case = Case.objects.get()
    assert first.json()["number"] == case.number and first.json()["created"] is True
    assert first.json()["track_url"].startswith(reverse("cases:track", args=[case.number]))
    # The answer was lost and the phone sends it again: the same case, none added.
    again = phone.post(REPORT, report(world), HTTP_X_CSRFTOKEN=token, **JSON)
    assert again.status_code == 200
    assert again.json()["number"] == case.number and again.json()["created"] is False
    assert Case.objects.count() == 1


def test_a_kept_report_the_server_refuses_gets_its_reason_and_stores_nothing(client, world):
    client.force_login(world.resident)
    response = client.post(REPORT, report(world, description=""), **JSON)
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid",
        "message": "Please describe the problem.",
        "field": "description",
    }
    assert not Case.objects.exists()


def test_a_signed_out_phone_is_sent_to_the_login_page_not_answered(client, world):
    response = client.post(REPORT, report(world), **JSON)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Case.objects.exists()
