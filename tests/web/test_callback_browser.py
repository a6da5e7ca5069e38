"""回访 in a real Chromium: the hotline operator opens the callback list from the menu,
calls the caller (the number shown on request, audited) and records the answer; the case
leaves the list."""

import pytest

from gongzhi.cases.choices import Satisfaction, State
from gongzhi.cases.models import Callback, Case
from gongzhi.cases.workflow import table as workflow
from gongzhi.core.models import AuditLog
from tests.world import call_case

from .phone import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Who moves a call on, state by state, until it is closed.
TO_CLOSED = {
    State.REPORTED: ("accept", "dispatcher"),
    State.ACCEPTED: ("dispatch", "dispatcher"),
    State.DISPATCHED: ("sign_for", "handler"),
    State.IN_PROGRESS: ("resolve", "handler"),
    State.RESOLVED: ("verify_pass", "dispatcher"),
}


def closed_call(w, title):
    case = call_case(w, w.manhole, title=title, reporter_phone="13812345678")
    while case.state != State.CLOSED:
        action, who = TO_CLOSED[case.state]
        params = {"result": "已补装井盖"} if action == "resolve" else {}
        case = workflow.transition(case_id=case.pk, action=action, actor=getattr(w, who), **params)
    return case


def test_the_operator_calls_back_from_the_list_and_the_case_leaves_it(page, world):
    case = closed_call(world, "西关街井盖丢失")
    log_in(page, world.operator.username, world.password)
    page.click("[data-testid=nav-callbacks]")
    page.wait_for_url("**awaiting_callback=on**")
    rows = page.locator("[data-testid=case-row]")
    assert rows.count() == 1 and rows.get_attribute("data-number") == case.number

    rows.get_by_role("link", name=case.number).click()
    page.wait_for_selector("[data-testid=case-page]")
    phone = page.locator("[data-testid=reporter-phone]")
    assert "13812345678" not in phone.inner_text()  # masked until asked for
    page.locator("[data-testid=reporter] .reveal-form input[name=reason]").fill("回访核实")
    page.locator("[data-testid=reporter] .reveal-form button").click()
    page.wait_for_selector("text=13812345678")
    assert AuditLog.objects.filter(action="unmask", actor=world.operator).count() == 1

    panel = page.locator("[data-testid=action-callback]")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    panel.locator("input[name=resolved][value=yes]").check()
    panel.locator(f"input[name=satisfaction][value={Satisfaction.BASIC}]").check()
    panel.locator("textarea[name=comment]").fill("来电人说井盖已补上")
    panel.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=callbacks]")
    answer = Callback.objects.get(case=case)
    assert answer.by_phone and answer.recorded_by == world.operator
    assert answer.satisfaction == Satisfaction.BASIC and answer.resolved
    assert Case.objects.get(pk=case.pk).state == State.CLOSED

    page.click("[data-testid=nav-callbacks]")
    page.wait_for_url("**awaiting_callback=on**")
    assert page.locator("[data-testid=case-row]").count() == 0
