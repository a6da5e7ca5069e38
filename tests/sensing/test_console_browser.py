"""The duty console in a real Chromium: an event a camera raises while the officer watches
appears without a reload (live push), they confirm it, and a video case exists; a sensor's
alarm appears the same way."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.cases.choices import Channel
from gongzhi.cases.models import Case
from gongzhi.sensing import alarms, events
from gongzhi.sensing.choices import EventState
from gongzhi.sensing.models import Event, Rule, RuleKind
from tests.factories import seeded_taxonomy
from tests.web.phone import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def officer_page(chromium, live_server, sns, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    seeded_taxonomy()
    Rule.objects.create(
        camera=sns.camera,
        code="zone_enter",
        name="进入禁区",
        kind=RuleKind.ZONE,
        category_code="G05.01",
        dedup_seconds=0,
    )
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    log_in(page, sns.township_dispatcher.username, sns.password)
    yield page
    context.close()


def test_an_event_appears_live_and_the_officer_makes_it_a_case(officer_page, sns):
    page = officer_page
    page.goto(page.base_url + "/sensing/console/")
    page.wait_for_selector("[data-testid=push-indicator][data-state=live]")
    assert not page.locator("[data-testid=console-event]").count()

    event = events.record_event(
        camera=sns.camera,
        rule_code="zone_enter",
        at=timezone.now(),
        details={"people": 1},
    )
    assert event is not None
    started = time.monotonic()
    row = page.locator(f"#event-{event.pk}")
    row.wait_for()
    shown_after = time.monotonic() - started
    assert shown_after < 3, f"the event took {shown_after:.1f}s to appear"
    assert "西关街口" in row.inner_text()

    row.locator("[data-testid=confirm-event]").click()
    page.locator(f"#event-{event.pk} [data-testid=event-case] a").wait_for()
    event.refresh_from_db()
    assert event.state == EventState.CONFIRMED
    case = Case.objects.get(number=event.case_number)
    assert case.channel == Channel.VIDEO
    assert page.locator(f"#event-{event.pk} [data-testid=event-case] a").inner_text() == case.number
    assert Event.objects.filter(state=EventState.NEW).count() == 0

    # A manhole cover tilts past its threshold twice in a row (its debounce): the alarm
    # and its case appear too, again without a reload.
    now = timezone.now()
    alarms.ingest(sns.cover.code, 40.0, now - timedelta(seconds=1))
    result = alarms.ingest(sns.cover.code, 41.0, now)
    assert result.raised and result.case_number
    alarm = page.locator(f"#alarm-{result.raised}")
    alarm.wait_for()
    assert result.case_number in alarm.inner_text()
