"""In a real Chromium on a phone (390×844): a resident registers a wedding over the caps
and sees, at once, each warning naming the cap and the figure; nothing is refused and
the page fits the screen."""

from __future__ import annotations

import pytest

from gongzhi.community.models import Ceremony
from tests.web.phone import log_in, phone_options

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_a_resident_registers_a_wedding_over_the_caps_and_sees_the_warnings(
    chromium, live_server, cw
):
    context = chromium.new_context(**phone_options(cw.village_point, viewport=PHONE))
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.base_url = live_server.url
        log_in(page, cw.villagers[0].username, cw.password)
        page.goto(live_server.url + "/community/customs/")
        page.click("[data-testid=register]")
        page.select_option("#id_kind", "wedding")
        page.fill("#id_date", "2026-10-01")
        page.fill("#id_days", "3")
        page.fill("#id_place", "村文化广场")
        page.fill("#id_tables", "28")
        page.fill("#id_guests", "280")
        page.fill("#id_gift", "500")
        page.click("[data-testid=submit]")
        page.wait_for_selector("[data-testid=warnings]")
        texts = page.locator("[data-testid=warning]").all_inner_texts()
        assert len(texts) == 4
        assert any("28" in t and "20" in t for t in texts)  # tables: the figure and the cap
        assert any("500" in t and "200" in t for t in texts)  # the cash gift
        assert page.locator("[data-testid=state]").get_attribute("data-state") == "registered"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        c = Ceremony.objects.get()
        assert c.household_id == cw.household.pk and len(c.warnings) == 4
    finally:
        context.close()
