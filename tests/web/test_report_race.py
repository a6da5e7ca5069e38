"""The phone's outbox sends one report twice at the same instant (the page and its worker's
Background Sync both decide it is time) with one idempotency key, through the live server's
real HTTP path: both sends are answered, 201 and 200 with the same case, and one case exists.

On PostgreSQL and on a file SQLite database the two requests really race in do_report. On the
in-memory test database the live server takes one request at a time (tests/web/conftest.py):
before that, this failed about one round in two with a 500 (see there why).
"""

import json
import secrets
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.test import Client

from gongzhi.cases.models import Case
from tests.concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 10


def phone(live_server, user):
    """POST the report form as the outbox script does: signed in, with its CSRF token, asking
    for JSON. Returns a function of the form's fields giving (status, answer)."""
    client = Client()
    client.force_login(user)
    csrf = secrets.token_hex(16)  # an unmasked secret: the cookie and the header carry it
    headers = {
        "Accept": "application/json",
        "X-CSRFToken": csrf,
        "Cookie": f"sessionid={client.cookies['sessionid'].value}; csrftoken={csrf}",
    }
    url = live_server.url + "/cases/report/"

    def send(form):
        body = urllib.parse.urlencode(form).encode()
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")[:500]

    return send


def test_one_report_sent_twice_at_once_makes_one_case_and_two_answers(live_server, world):
    lng, lat = world.point
    sends = [phone(live_server, world.resident) for _ in range(2)]
    for n in range(ROUNDS):
        form = {
            "category": world.pothole.pk,
            "description": f"村口路面塌了一个大坑（第{n}次）",
            "lng": lng,
            "lat": lat,
            "idempotency_key": secrets.token_hex(12),
        }
        answers, errors = race(*(lambda send=send, form=form: send(form) for send in sends))
        assert errors == [None, None]
        assert sorted(status for status, _answer in answers) == [200, 201], answers
        numbers = {answer["number"] for _status, answer in answers}
        case = Case.objects.get(description=form["description"])
        assert numbers == {case.number}
