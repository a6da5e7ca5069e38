"""Dates as an attacker types them into the rates page and its export (issue 22, defect 10):
an impossible day, or a year the calendar arithmetic overflows on, is a 400 that says what
is wrong, never a 500."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

BAD = [
    {"start": "2026-02-30"},
    {"end": "9999-12-31"},
    {"start": "0001-01-01", "end": "0001-01-02"},
]


@pytest.fixture
def dispatcher(world, settings):
    settings.LANGUAGE_CODE = "en"
    client = Client(raise_request_exception=False)
    client.force_login(world.dispatcher)
    return client


@pytest.mark.parametrize("query", BAD, ids=["feb-30", "year-9999", "year-1"])
def test_the_rates_page_answers_a_bad_date_with_a_400(dispatcher, query):
    response = dispatcher.get(reverse("cases:rates"), query)
    assert response.status_code == 400
    assert "Enter a date between 2000-01-01 and 2099-12-31" in response.content.decode()


@pytest.mark.parametrize("query", BAD, ids=["feb-30", "year-9999", "year-1"])
def test_the_rates_export_answers_a_bad_date_with_a_400(dispatcher, query):
    response = dispatcher.get(reverse("cases:rates_export"), query)
    assert response.status_code == 400
    assert "Enter a date between 2000-01-01 and 2099-12-31" in response.content.decode()


def test_a_good_period_still_works(dispatcher):
    response = dispatcher.get(reverse("cases:rates"), {"start": "2026-01-01", "end": "2026-01-31"})
    assert response.status_code == 200
