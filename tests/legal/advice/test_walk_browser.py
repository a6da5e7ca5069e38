"""A resident on a phone asks a legal question — similar answered questions appear while
typing — and the village's legal adviser answers it at the desk; the resident reads the
answer and rates it. In a real Chromium."""

import pytest
from django.utils import timezone

from gongzhi.legal.models import KnowledgeEntry, Question
from tests.web.phone import log_in, phone_options

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_asks_from_the_phone_and_the_adviser_answers(chromium, live_server, advice):
    w = advice
    KnowledgeEntry.objects.create(
        title="老板拖欠工资三个月怎么办",
        body="老板拖欠我三个月工资一直不给，我该怎么办？",
        answer="可向劳动保障监察大队投诉，或申请劳动仲裁。",
        published_at=timezone.now(),
    )
    phone = chromium.new_context(**phone_options((102.41, 36.47)))
    desk = chromium.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    try:
        page = phone.new_page()
        page.set_default_timeout(15_000)
        page.base_url = live_server.url
        log_in(page, w.resident.username, w.password)
        page.goto(live_server.url + "/legal/advice/ask/")
        page.locator("[data-testid=question-text]").press_sequentially("东家欠着我的工钱不发")
        item = page.locator("[data-testid=similar-item]").first
        item.wait_for()
        assert "老板拖欠工资三个月怎么办" in item.inner_text()
        page.locator("[data-testid=question-text]").fill(
            "东家欠着我两个月的工钱不发，我该怎么要回来？"
        )
        page.select_option("select[name=region]", str(w.regions.xiguan.pk))
        page.locator("[data-testid=submit]").click()
        page.wait_for_url("**/legal/advice/questions/*/")
        q = Question.objects.get()
        assert q.lawyer == w.adviser

        lawyer = desk.new_page()
        lawyer.set_default_timeout(15_000)
        lawyer.base_url = live_server.url
        log_in(lawyer, w.adviser.username, w.password)
        lawyer.goto(live_server.url + "/legal/advice/desk/")
        lawyer.locator(f"[data-testid=desk-row][data-id='{q.pk}'] a").click()
        lawyer.locator("textarea[name=answer]").fill("可向劳动保障监察大队投诉，或申请劳动仲裁。")
        lawyer.locator("[data-testid=send-answer]").click()
        lawyer.wait_for_url("**/legal/advice/desk/")

        page.reload()
        assert "劳动保障监察大队" in page.locator("[data-testid=answer]").inner_text()
        page.select_option("select[name=rating]", "5")
        page.locator("[data-testid=rate-form] button").click()
        page.locator("[data-testid=rating]").wait_for()
        assert Question.objects.get().rating == 5
    finally:
        phone.close()
        desk.close()
