"""The 12345 desk in a real Chromium (issue 23, item 3): the operator types a caller's
number and sees the caller's earlier case under the field; the dispatcher transfers a case
to another unit from the case page."""

import pytest

from gongzhi.cases.choices import State
from gongzhi.cases.models import Case
from gongzhi.core.models import AuditLog
from tests.factories import case_in
from tests.world import call_case

from .phone import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_callers_history_shows_while_the_number_is_typed(page, world):
    earlier = call_case(world, world.manhole, title="西关街井盖丢失", reporter_phone="13812345678")
    log_in(page, world.operator.username, world.password)
    page.goto(page.base_url + "/cases/hotline/")
    page.locator("[data-testid=reporter-phone]").press_sequentially("138 1234 5678")
    row = page.locator(f"[data-testid=caller-case][data-number='{earlier.number}']")
    row.wait_for()
    assert "西关街井盖丢失" in row.inner_text()
    assert AuditLog.objects.filter(action="caller_history", actor=world.operator).exists()


def test_the_dispatcher_transfers_a_case_on_its_page(page, world):
    case = case_in(world, "in_progress")
    log_in(page, world.dispatcher.username, world.password)
    page.goto(f"{page.base_url}/cases/{case.number}/")
    panel = page.locator("[data-testid=action-transfer]")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    panel.locator("[data-testid=transfer-unit]").select_option(str(world.zjj.pk))
    panel.locator("textarea[name=reason]").fill("属于住建局的窨井")
    panel.locator("button[type=submit]").click()
    step = page.locator("[data-testid=event][data-action=transfer]")
    step.wait_for()
    assert world.cgj.name in step.inner_text() and world.zjj.name in step.inner_text()
    case = Case.objects.get(pk=case.pk)
    assert case.owner == world.zjj and case.state == State.DISPATCHED
