"""普法 in a real Chromium: 碾伯司法所's staff set a campaign and write an article with a quiz
at the desk; the campaign starts (the tick); the resident, on a phone, finds it in the
inbox, reads it and answers the quiz; the desk then shows it read in 西关社区."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.legal.models import Article, Delivery, QuizAnswer
from gongzhi.legal.outreach import services
from tests.legal.outreach.conftest import QUIZ
from tests.web.phone import log_in, phone_options

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TITLE = "春节前工资结算，农民工如何依法讨薪"


@pytest.fixture
def browser_for(chromium, live_server, pf):
    contexts = []

    def open_as(user, *, phone=False):
        options = (
            phone_options(pf.point)
            if phone
            else {"locale": "zh-CN", "viewport": {"width": 1366, "height": 900}}
        )
        context = chromium.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base_url = live_server.url
        log_in(page, user.username, pf.password)
        return page

    yield open_as
    for context in contexts:
        context.close()


def test_staff_write_campaign_starts_resident_reads_and_answers(pf, browser_for):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    desk = browser_for(pf.sfs_staff)
    desk.goto(desk.base_url + "/legal/")
    desk.click("[data-testid=desk-legal_outreach_desk]")
    desk.click("[data-testid=new-campaign]")
    form = desk.locator("[data-testid=campaign-form]")
    form.locator("#id_title").fill("农民工欠薪维权普法")
    form.locator("#id_region").select_option(label="碾伯镇")
    form.locator("#id_starts_on").fill(tomorrow.isoformat())
    form.locator("#id_ends_on").fill((tomorrow + dt.timedelta(days=20)).isoformat())
    form.locator("[data-testid=save-campaign]").click()
    desk.wait_for_selector("[data-testid=campaign-row]")

    desk.click("[data-testid=new-article]")
    form = desk.locator("[data-testid=article-form]")
    form.locator("#id_title").fill(TITLE)
    form.locator("#id_body").fill(
        "保留劳动合同、考勤记录和工资条；可以向劳动保障监察投诉，也可以申请法律援助。"
    )
    form.locator("#id_regions").select_option(label="\u3000西关社区")
    form.locator("#id_campaign").select_option(label="农民工欠薪维权普法")
    form.locator("#id_quiz").fill(QUIZ)
    form.locator("[data-testid=save-article]").click()
    desk.wait_for_url("**/legal/outreach/desk/*/")
    article = Article.objects.get(title=TITLE)
    assert not Delivery.objects.filter(article=article).exists()  # the campaign has not started

    # The campaign's first day: the platform's tick sends it.
    start = timezone.now() + dt.timedelta(days=1)
    assert services.tick(now=start)["sent"] == 1  # 西关社区's one resident
    assert services.tick(now=start)["sent"] == 0

    phone = browser_for(pf.resident, phone=True)
    phone.goto(phone.base_url + "/legal/")
    assert phone.locator("[data-testid=unread-count]").inner_text() == "1"
    phone.goto(phone.base_url + "/notify/")
    phone.get_by_text(TITLE).first.click()
    phone.wait_for_selector("[data-testid=article-page]")
    assert "劳动保障监察" in phone.locator("[data-testid=article-body]").inner_text()
    questions = phone.locator("[data-testid=question]")
    assert questions.count() == 3
    for n, pick in enumerate(["是", "12月4日", "不受保护"]):
        questions.nth(n).get_by_label(pick, exact=True).check()
    phone.click("[data-testid=quiz-submit]")
    score = phone.wait_for_selector("[data-testid=score]")
    assert (score.get_attribute("data-score"), score.get_attribute("data-total")) == ("2", "3")
    assert phone.locator(".quiz .right").count() == 3
    assert QuizAnswer.objects.get(user=pf.resident).score == 2
    phone.goto(phone.base_url + "/legal/outreach/")
    assert phone.locator("[data-testid=article]").first.get_attribute("data-read") == "1"

    desk.goto(desk.base_url + f"/legal/outreach/desk/{article.pk}/")
    row = desk.locator("[data-testid=region-row][data-region=西关社区]")
    assert (row.get_attribute("data-sent"), row.get_attribute("data-read")) == ("1", "1")
