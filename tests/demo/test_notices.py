"""The demo's last days told through the workflow's effects: in the app, never by SMS."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.workflow import effects
from gongzhi.demo import cases as demo_cases
from gongzhi.demo import notices
from gongzhi.notify.models import Delivery, Notification
from gongzhi.regions.models import Grid

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 16, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_no_caller_is_texted_even_with_a_gateway(world, settings):
    settings.GONGZHI_SMS_GATEWAY_URL = "http://sms.invalid/send"
    demo_cases.generate(count=200, days=30, grids=Grid.objects.all(), now=NOW, seed=4)
    since = NOW - timedelta(days=notices.NOTICE_DAYS)
    # Steps of the last days that the effects would text a hotline caller about.
    texted = CaseEvent.objects.filter(
        at__gte=since,
        action__in=list(effects.CALLER_TEXTS),
        case__channel="hotline",
        case__reporter__isnull=True,
    )
    assert texted.exists()

    made = notices.replay(now=NOW)

    assert made == Notification.objects.count() > 0
    assert not Delivery.objects.exists()
    # The callers' numbers are left as they were: only the effects did not see them.
    assert not Case.objects.filter(channel="hotline", reporter_phone="").exists()
    assert notices.replay(now=NOW) == 0  # once


def test_a_callback_that_reopened_a_case_tells_the_command_centre(world):
    demo_cases.generate(count=200, days=30, grids=Grid.objects.all(), now=NOW, seed=4)
    notices.replay(now=NOW)
    reopened = CaseEvent.objects.filter(
        action="callback", to_state="reopened", at__gte=NOW - timedelta(days=notices.NOTICE_DAYS)
    )
    for event in reopened:
        assert Notification.objects.filter(
            kind="case.callback", data__case=event.case.number, created_at=event.at
        ).exists()
    told = set(Notification.objects.filter(kind="case.callback").values_list("created_at"))
    assert told and told == {(e.at,) for e in reopened}  # a kept case's callback tells nobody
