"""四议两公开 in a real Chromium: the secretary proposes a matter from the form, the clerk
records the two committees' deliberation on the matter page, and the page shows the steps
taken with who took part and the minutes (and, to a villager, the names masked)."""

import pytest

from gongzhi.deliberation.models import Matter
from tests.web.phone import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_for(chromium, live_server, hall):
    contexts = []

    def open_as(user, *, viewport=None):
        context = chromium.new_context(
            locale="zh-CN", viewport=viewport or {"width": 1366, "height": 900}
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base_url = live_server.url
        log_in(page, user.username, hall.password)
        return page

    yield open_as
    for context in contexts:
        context.close()


def test_the_secretary_proposes_and_the_clerk_records_the_deliberation(browser_for, hall):
    w = hall
    # 1. The secretary proposes: the minutes forgotten first, said inline.
    secretary = browser_for(w.secretary)
    secretary.goto(secretary.base_url + "/deliberation/matters/")
    secretary.click("[data-testid=propose]")
    secretary.fill("#id_title", "硬化村东主干道")
    secretary.fill("#id_summary", "村东主干道长期泥泞，拟使用村集体资金硬化道路一公里。")
    secretary.fill("#id_budget", "180000")
    secretary.fill("#id_participants", "祁书记、马委员、韩委员")
    secretary.click("[data-testid=submit]")
    error = secretary.locator("[data-testid=error-minutes]")
    assert error.is_visible() and error.inner_text().strip()
    assert not Matter.objects.exists()
    secretary.fill("#id_minutes", "支部委员会讨论，一致同意提议。")
    secretary.click("[data-testid=submit]")
    secretary.wait_for_selector("[data-testid=matter-page][data-state=proposed]")
    matter = Matter.objects.get()
    assert secretary.locator("[data-testid=step][data-taken=yes]").count() == 1

    # 2. The clerk finds it in the list and records the two committees' deliberation.
    clerk = browser_for(w.clerk)
    clerk.goto(clerk.base_url + "/deliberation/matters/")
    clerk.click(f"[data-testid=matter-row][data-number='{matter.number}'] a")
    clerk.wait_for_selector("[data-testid=matter-page][data-state=proposed]")
    panel = clerk.locator("[data-testid=action-deliberate]")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    panel.locator("select[name=outcome]").select_option("passed")
    panel.locator("textarea[name=participants]").fill("祁书记、韩文书、马成0、韩成1")
    panel.locator("textarea[name=minutes]").fill("两委联席会议商议同意，提交党员大会审议。")
    panel.locator("[data-testid=submit-deliberate]").click()
    clerk.wait_for_selector("[data-testid=matter-page][data-state=deliberated]")
    taken = clerk.locator("[data-testid=step][data-taken=yes]")
    assert taken.count() == 2
    deliberation = clerk.locator("[data-testid=step][data-kind=deliberate]")
    assert (
        "马成0" in deliberation.inner_text() and "两委联席会议商议同意" in deliberation.inner_text()
    )
    assert "4" in deliberation.locator("[data-testid=participants]").inner_text()
    assert clerk.locator("[data-testid=event]").count() == 2

    # 3. A villager on the phone sees the same steps, the names masked.
    villager = browser_for(w.villagers[4], viewport={"width": 390, "height": 844})
    villager.goto(villager.base_url + f"/deliberation/matters/{matter.number}/")
    villager.wait_for_selector("[data-testid=matter-page][data-state=deliberated]")
    text = villager.locator("[data-testid=step][data-kind=deliberate]").inner_text()
    assert "马**" in text and "马成0" not in text
    assert villager.locator("[data-testid=no-actions]").is_visible()
    assert Matter.objects.get(pk=matter.pk).state == "deliberated"
