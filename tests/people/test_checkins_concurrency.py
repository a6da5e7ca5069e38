"""Two watchers scanning for missed check-ins at the same moment, and a tap landing during a
scan: each alert is sent exactly once, and no alert stays open for a day that was checked in.
Real threads with their own connections, on PostgreSQL (SQLite serialises every writer, so
there is no race to test)."""

import datetime as dt

import pytest
from django.db import connection

from gongzhi.notify.models import Delivery, Notification
from gongzhi.people import checkins
from gongzhi.people.models import CheckIn, CheckInAlert
from tests.concurrency import race
from tests.people.factories import HouseholdFactory, ResidentFactory
from tests.people.test_checkins import START, at

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrency tests need PostgreSQL: set DATABASE_URL=postgres://…",
    ),
    pytest.mark.django_db(transaction=True),
]

PLANS = 6


@pytest.fixture
def plans(ppl, settings):
    settings.GONGZHI_SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"
    made = []
    for n in range(PLANS):
        resident = ResidentFactory(household=HouseholdFactory(house=ppl.house))
        made.append(
            checkins.do_start_plan(
                resident=resident,
                actor=ppl.grid_worker,
                family_name="韩小明",
                family_phone=f"1381234{n:04d}",
                started_on=START,
            )
        )
    return made


def test_two_scanners_at_once_send_each_alert_once(ppl, plans):
    d2 = START + dt.timedelta(days=2)
    results, errors = race(*[lambda: checkins.alert_missed(now=at(d2, 20, 30))] * 3)
    assert errors == [None, None, None]
    assert sum(r["worker"] for r in results) == PLANS
    assert sum(r["community"] for r in results) == PLANS
    assert CheckInAlert.objects.count() == 2 * PLANS
    assert Notification.objects.filter(recipient=ppl.grid_worker).count() == PLANS
    assert Notification.objects.filter(recipient=ppl.community_officer).count() == PLANS
    # each plan: its family and its worker (whose mobile is not on file: skipped, once)
    assert Delivery.objects.filter(channel="sms").count() == 2 * PLANS


def test_a_tap_during_a_scan_leaves_no_open_alert_for_that_day(ppl, plans):
    d1 = START + dt.timedelta(days=1)
    taps = [
        (lambda token=p.token: checkins.do_check_in(token=token, now=at(d1, 20, 29))) for p in plans
    ]
    _results, errors = race(lambda: checkins.alert_missed(now=at(d1, 20, 30)), *taps)
    assert errors == [None] * (PLANS + 1)
    assert CheckIn.objects.count() == PLANS
    assert not CheckInAlert.objects.filter(resolved_at__isnull=True).exists()
