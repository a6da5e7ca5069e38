"""A notary booking in a real Chromium: a resident on a phone answers the questionnaire for
继承 (the estate's value asked only once they say it holds a house), sees the documents and
the fee, books a time at 乐都区公证处 and finds it among their bookings; the office's clerk,
at a desk, sees the booking with the answers and the documents on the day's list."""

import pytest
from django.utils import timezone

from gongzhi.legal.models import NotaryBooking
from tests.web.phone import log_in, phone_options

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_for(chromium, live_server, notary_world):
    contexts = []

    def open_as(user, *, phone=False):
        if phone:
            options = phone_options(notary_world.point)
        else:
            options = {"locale": "zh-CN", "viewport": {"width": 1366, "height": 900}}
        context = chromium.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base_url = live_server.url
        log_in(page, user.username, notary_world.password)
        return page

    yield open_as
    for context in contexts:
        context.close()


def answer(page, key, label):
    page.locator(f"fieldset[data-q={key}] label", has_text=label).first.click()


def test_a_resident_books_an_inheritance_notarisation_from_the_phone(browser_for, notary_world):
    w = notary_world
    phone = browser_for(w.resident, phone=True)
    phone.goto(phone.base_url + "/legal/notary/")
    phone.click("[data-testid=matter-inheritance]")
    value = phone.locator("fieldset[data-q=value]")
    assert value.is_hidden()  # asked only when the estate holds a house
    answer(phone, "will", "否")
    answer(phone, "heirs", "3位")
    answer(phone, "property", "是")
    value.wait_for(state="visible")
    value.locator("input").fill("600000")
    phone.click("[data-testid=evaluate]")
    outcome = phone.locator("[data-testid=outcome]")
    outcome.wait_for()
    documents = phone.locator("[data-testid=documents]").inner_text()
    assert "被继承人的死亡证明" in documents and "不动产权证书（房产证）原件" in documents
    assert "遗嘱原件" not in documents
    assert "5100.00" in phone.locator("[data-testid=fee]").inner_text()
    office = phone.locator("[data-testid='office-630202-GZC']")
    assert "乐都区公证处" in office.inner_text()
    assert not phone.locator("[data-testid='office-630203-GZC']").count()
    # no sideways scrolling on the phone
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    office.locator(f"[data-testid=slot][data-slot='{w.slot.pk}']").click()
    phone.locator("[data-testid=booking]").wait_for()
    number = phone.locator("[data-testid=booking-number]").inner_text().strip()
    booking = NotaryBooking.objects.get(number=number)
    assert booking.resident == w.resident and booking.slot == w.slot
    phone.click("[data-testid=my-bookings]")
    assert number in phone.locator("[data-testid=bookings]").inner_text()

    desk = browser_for(w.notary)
    day = timezone.localdate(w.slot.starts_at)
    desk.goto(f"{desk.base_url}/legal/notary/desk/?day={day:%Y-%m-%d}")
    row = desk.locator(f"[data-testid=desk-row][data-number='{number}']")
    text = row.inner_text()
    assert (
        "继承" in text and "被继承人是否留有遗嘱？" in text and "不动产权证书（房产证）原件" in text
    )
    assert "马秀兰" not in text
    # the clerk opens the booking and shows the applicant's name (recorded in the audit log)
    row.locator(f"a:has-text('{number}')").click()
    desk.click("[data-testid=reveal]")
    assert desk.locator("[data-testid=applicant-name]").inner_text() == "马秀兰"
