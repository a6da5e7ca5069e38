"""Intake and the desk in a real Chromium (issue 23): a hotline caller without an account
withdraws on the tracking page; the caller's history is a compact table on a desk and cards
on a phone; 随手拍 warns when the typed address and the pin disagree; a category's required
question is asked with no signal and its answer kept and sent with the report."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from gongzhi.cases.choices import State
from gongzhi.cases.models import Case
from gongzhi.demo import questions as demo_questions
from tests.factories import move
from tests.world import call_case

from .phone import PHONE, log_in, phone_page
from .test_phone_cards_browser import MEASURE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


@pytest.fixture
def phone(chromium, live_server, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with phone_page(chromium, live_server.url, world.point) as page:
        yield page


def test_a_hotline_caller_withdraws_on_the_tracking_page_with_the_phones_last_digits(phone, world):
    case = call_case(world, world.manhole, title="西关街井盖丢失", reporter_phone="13912348765")
    if case.state == State.REPORTED:
        case = move(case, "accept", world.dispatcher)
    assert case.reporter_id is None
    page = phone  # nobody signed in: the link the caller was texted
    page.goto(page.base_url + case.tracking_url())
    panel = page.locator("[data-testid=withdraw]")
    panel.locator("summary").click()
    panel.locator("[data-testid=withdraw-phone]").fill("1111")
    panel.locator("textarea[name=reason]").fill("井盖已经有人盖上了")
    panel.locator("[data-testid=withdraw-submit]").click()
    error = page.locator("[data-testid=withdraw-error]")
    expect(error).to_be_visible()
    assert Case.objects.get(pk=case.pk).state != State.WITHDRAWN
    # The right digits: the report is withdrawn, as a reporter with an account would.
    panel.locator("[data-testid=withdraw-phone]").fill("8765")
    panel.locator("textarea[name=reason]").fill("井盖已经有人盖上了")
    panel.locator("[data-testid=withdraw-submit]").click()
    expect(page.locator("[data-testid=case-state]")).to_have_text(zh("Withdrawn by the reporter"))
    expect(page.locator("[data-testid=timeline] [data-action=withdraw]")).to_contain_text(
        "井盖已经有人盖上了"
    )
    assert page.locator("[data-testid=withdraw]").count() == 0
    assert Case.objects.get(pk=case.pk).state == State.WITHDRAWN


def _row_display(page) -> str:
    return page.evaluate(
        "() => getComputedStyle(document.querySelector('[data-testid=caller-case]')).display"
    )


def _history_rows(page, world):
    page.goto(page.base_url + "/cases/hotline/")
    page.locator("[data-testid=reporter-phone]").press_sequentially("13812345678")
    rows = page.locator("[data-testid=caller-case]")
    expect(rows).to_have_count(3)
    return page.evaluate(MEASURE, "[data-testid=caller-case]")


def test_the_callers_history_is_a_compact_table_on_a_desk_and_cards_on_a_phone(
    chromium, live_server, world
):
    long_title = "西关社区平安路与滨河路交叉口东北角井盖缺失，夜间行人多，很危险，请尽快处理"
    for title in ("西关街井盖丢失", "路口路灯不亮", long_title):
        call_case(world, world.manhole, title=title[:60], reporter_phone="13812345678")

    desk = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    try:
        page = desk.new_page()
        page.set_default_timeout(30_000)  # a busy machine
        page.base_url = live_server.url
        log_in(page, world.operator.username, world.password)
        rows = _history_rows(page, world)
        # A short row a case (a long title takes two lines at most), the header shown.
        assert all(r["height"] <= 48 for r in rows), rows  # two lines at most
        assert page.locator("[data-testid=caller-history-table] thead").is_visible()
        assert _row_display(page) == "table-row"
        size = page.evaluate(
            "() => getComputedStyle(document.querySelector('[data-testid=caller-case] td'))"
            ".fontSize"
        )
        assert float(size.removesuffix("px")) < 16  # compact, smaller than the form's text
    finally:
        desk.close()

    with phone_page(chromium, live_server.url, world.point) as page:
        page.set_default_timeout(30_000)
        log_in(page, world.operator.username, world.password)
        rows = _history_rows(page, world)
        assert _row_display(page) == "flex"  # a card, the column headers as labels
        for row in rows:  # a card each: inside the screen, short, no number broken
            assert row["left"] >= 0 and row["right"] <= PHONE["width"], row
            assert row["height"] <= 110, row
            assert not row["broken"], row
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"]


def test_quick_report_warns_when_the_address_names_another_place_than_the_pin(phone, world):
    page = phone
    log_in(page, world.resident.username, world.password)
    page.goto(page.base_url + "/cases/report/")
    expect(page.locator("#id_lng")).not_to_have_value("")  # the phone's position: 西关社区
    address = page.locator("[data-testid=address]")
    address.fill("高庙镇高庙村村委会门口")
    warning = page.locator("[data-testid=address-mismatch]")
    expect(warning).to_be_visible()
    assert "高庙" in warning.inner_text()
    # An address that agrees with the pin: the warning goes.
    address.fill("西关社区小学门口")
    expect(warning).to_have_count(0)


def test_a_required_question_is_asked_offline_and_its_answer_sent_with_the_report(
    chromium, live_server, world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    demo_questions.load()  # 井盖缺失破损 asks “井盖是什么情况？” (required)
    # No worker here, so that only the page sends: the questions come from the page's list.
    with phone_page(chromium, live_server.url, world.point, service_workers="block") as page:
        log_in(page, world.resident.username, world.password)
        page.goto(page.base_url + "/cases/report/")
        expect(page.locator("#id_lng")).not_to_have_value("")
        page.context.set_offline(True)
        page.fill("[data-testid=category-search]", "井盖")
        page.locator("[data-testid=category-option]", has_text="井盖缺失破损").first.click()
        question = page.locator("[data-testid=question][data-question=manhole_state]")
        expect(question).to_be_visible()
        assert question.get_attribute("data-required") == "1"
        page.fill("[data-testid=description]", "学校门口井盖丢了")
        page.click("[data-testid=submit]")
        error = page.locator("[data-testid=outbox-error]")
        expect(error).to_be_visible()
        assert "井盖是什么情况？" in error.inner_text()
        assert page.locator("[data-testid=outbox-item]").count() == 0
        question.locator("input[value=missing]").check()
        page.click("[data-testid=submit]")
        expect(page.locator("[data-testid=outbox-item][data-status=waiting]")).to_have_count(1)
        expect(question).to_have_count(0)  # the form is ready for the next report
        assert not Case.objects.exists()

        page.context.set_offline(False)
        expect(page.locator("[data-testid=outbox-item][data-status=sent]")).to_have_count(1)
        case = Case.objects.get()
        assert case.attributes == {"manhole_state": "missing"}
        assert case.reporter_id == world.resident.pk
