"""The 12345 desk in a real Chromium (issue 23, item 3, continued): the dispatcher splits a
call raising two problems on the case page; the operator answers a consultation straight
from the hotline form with an answer picked from the knowledge base; a unit's request to
suspend a case is approved by the command centre and the unit resumes it."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.cases.choices import State
from gongzhi.cases.models import Answer, Case, Suspension
from tests.factories import call_case, case_in

from .phone import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WAIT = 30_000  # generous: the machine is shared


def _open(page, name):
    panel = page.locator(f"[data-testid=action-{name}]")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    return panel


def test_the_dispatcher_splits_a_call_on_its_page(page, world):
    w = world
    call = call_case(
        w, w.manhole, title="井盖丢失还有大坑", description="西关街井盖丢失，旁边有大坑"
    )
    log_in(page, w.dispatcher.username, w.password)
    page.goto(f"{page.base_url}/cases/{call.number}/")
    panel = _open(page, "split")
    parts = panel.locator("[data-testid=split-part]")
    parts.nth(0).locator("[data-testid=part-description]").fill("西关街井盖丢失")
    second = parts.nth(1)
    second.locator("[data-testid=part-description]").fill("西关街井盖旁路面有大坑")
    second.locator("[data-testid=part-category]").select_option(str(w.pothole.pk))
    second.locator("[data-testid=part-unit]").select_option(str(w.zjj.pk))
    panel.locator("[data-testid=split-submit]").click()
    link = page.locator("[data-testid=split-case]")
    link.wait_for(timeout=WAIT)
    (new,) = Case.objects.filter(split_from=call)
    assert link.get_attribute("data-number") == new.number
    assert new.category == w.pothole and new.owner == w.zjj and new.state == State.DISPATCHED
    # The new case's page names the case it was split from.
    link.click()
    page.locator("[data-testid=split-from]").wait_for(timeout=WAIT)
    assert call.number in page.locator("[data-testid=split-from]").inner_text()


def test_the_operator_answers_a_call_from_the_hotline_form_with_a_kb_answer(page, world):
    w = world
    permit = Answer.objects.create(
        question="怎么办理居住证",
        answer="携带身份证、租房合同到辖区派出所户籍窗口办理居住证。",
    )
    log_in(page, w.operator.username, w.password)
    page.goto(page.base_url + "/cases/hotline/")
    page.fill("#id_reporter_name", "王先生")
    page.fill("[data-testid=reporter-phone]", "13812345678")
    page.fill("[data-testid=address]", "乐都区碾伯镇西关街")
    page.fill("[data-testid=category-search]", "坑洼")
    page.locator("[data-testid=category-option]", has_text="路面坑洼").first.click()
    page.fill("[data-testid=description]", "来电咨询居住证怎么办")
    page.locator("[data-testid=kb-search]").press_sequentially("居住证怎么办理")
    entry = page.locator(f"[data-testid=kb-entry][data-entry='{permit.pk}']")
    entry.wait_for(timeout=WAIT)
    entry.locator("[data-testid=kb-pick]").click()
    page.locator("[data-testid=kb-picked]").wait_for(timeout=WAIT)
    assert "派出所户籍窗口" in page.locator("[data-testid=answer-text]").input_value()
    page.click("[data-testid=direct-answer-submit]")
    saved = page.locator("[data-testid=hotline-saved]")
    saved.wait_for(timeout=WAIT)
    case = Case.objects.get(number=saved.get_attribute("data-number"))
    assert case.state == State.ANSWERED and "派出所户籍窗口" in case.result
    assert Answer.objects.get(pk=permit.pk).times_used == 1


def test_the_dispatcher_answers_a_case_on_its_page_from_the_knowledge_base(page, world):
    """On the case page the search and the pick live inside the action's form: they make
    their own requests (nothing of the form's target or button-disabling is inherited)."""
    w = world
    permit = Answer.objects.create(
        question="怎么办理居住证",
        answer="携带身份证、租房合同到辖区派出所户籍窗口办理居住证。",
    )
    call = call_case(w, w.pothole, title="咨询居住证怎么办理", description="来电咨询居住证怎么办")
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, w.dispatcher.username, w.password)
    page.goto(f"{page.base_url}/cases/{call.number}/")
    panel = _open(page, "answer")
    entry = panel.locator(f"[data-testid=kb-entry][data-entry='{permit.pk}']")
    entry.wait_for(timeout=WAIT)  # searched for the case's title as the panel opened
    entry.locator("[data-testid=kb-pick]").click()
    panel.locator("[data-testid=kb-picked]").wait_for(timeout=WAIT)
    assert "派出所户籍窗口" in panel.locator("[data-testid=answer-text]").input_value()
    panel.locator("button[type=submit]").last.click()
    page.locator("[data-testid=case-page][data-state=answered]").wait_for(timeout=WAIT)
    call.refresh_from_db()
    assert call.state == State.ANSWERED and "派出所户籍窗口" in call.result
    assert not errors, errors


def test_a_suspension_is_asked_approved_and_resumed(page, world, chromium, live_server):
    w = world
    case = case_in(w, "in_progress")
    log_in(page, w.handler.username, w.password)
    page.goto(f"{page.base_url}/cases/{case.number}/")
    panel = _open(page, "request_suspension")
    panel.locator("[data-testid=suspension-reason]").fill("等待井盖到货")
    day = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    panel.locator("[data-testid=suspension-resume-on]").fill(day)
    panel.locator("button[type=submit]").click()
    page.locator("[data-testid=suspension][data-status=pending]").wait_for(timeout=WAIT)

    # The dispatcher, in a browser of their own, approves.
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    try:
        desk = context.new_page()
        desk.set_default_timeout(WAIT)
        desk.base_url = live_server.url
        log_in(desk, w.dispatcher.username, w.password)
        desk.goto(f"{desk.base_url}/cases/{case.number}/")
        panel = _open(desk, "decide_suspension")
        assert "等待井盖到货" in panel.inner_text()
        panel.locator("[data-testid=suspension-approve]").click()
        desk.locator("[data-testid=suspended]").wait_for(timeout=WAIT)
    finally:
        context.close()
    assert Case.objects.get(pk=case.pk).state == State.SUSPENDED

    # The unit sees the badge 挂起 in its inbox, and resumes the case.
    page.goto(page.base_url + "/cases/inbox/")
    page.locator("[data-state=suspended]").first.wait_for(timeout=WAIT)
    page.goto(f"{page.base_url}/cases/{case.number}/")
    panel = _open(page, "resume")
    panel.locator("[data-testid=resume-submit]").click()
    page.locator("[data-testid=suspension][data-status=ended]").wait_for(timeout=WAIT)
    assert Case.objects.get(pk=case.pk).state == State.IN_PROGRESS
    assert Suspension.objects.get(case=case).status == "ended"
