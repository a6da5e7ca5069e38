"""The elderly person's check-in page in a real Chromium on the cheapest phone's screen
(360 px, no login): large type, one big button, and after one tap today's confirmation."""

import pytest

from gongzhi.people import checkins
from gongzhi.people.models import CheckIn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(chromium, live_server):
    context = chromium.new_context(
        locale="zh-CN", viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    yield page
    context.close()


def test_an_old_man_taps_the_big_button_on_a_small_phone(phone, ppl):
    plan = checkins.do_start_plan(
        resident=ppl.resident,
        actor=ppl.grid_worker,
        family_name="韩小明",
        family_phone="13812345678",
    )
    phone.goto(f"{phone.base_url}/people/checkin/{plan.token}/")
    button = phone.locator("[data-testid=checkin-button]")
    size = button.evaluate("b => parseFloat(getComputedStyle(b).fontSize)")
    box = button.bounding_box()
    body = phone.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 28 and body >= 28, "large type"
    assert box["width"] >= 300 and box["height"] >= 150, "a button no finger misses"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    button.tap()
    phone.wait_for_selector("[data-testid=checkin-done]")
    checkin = CheckIn.objects.get(plan=plan)
    assert phone.locator("[data-testid=checkin-time]").inner_text() == (
        checkin.at.astimezone(checkins.local().tzinfo).strftime("%H:%M")
    )
    assert not phone.locator("[data-testid=checkin-button]").count()
    phone.reload()  # reloading the confirmation taps nothing
    assert CheckIn.objects.filter(plan=plan).count() == 1
