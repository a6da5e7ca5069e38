"""Volunteering in a real Chromium on a phone (390×844): an approved resident finds the
open shift on "my volunteering", signs up, and the page fits the screen; the committee's
shift page shows the sign-up and the QR code."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from gongzhi.community.models import SignUp
from tests.web.phone import log_in, phone_options

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
POINT = (102.405, 36.47)


def test_a_volunteer_signs_up_on_the_phone(chromium, live_server, vol):
    w = vol.w
    a = vol.approved(w.urban_residents[0])
    s = vol.shift(capacity=2, title="邻里节帮忙", kind="festival")
    context = chromium.new_context(**phone_options(POINT, viewport=PHONE))
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.base_url = live_server.url
        log_in(page, a.user.username, w.password)
        page.goto(live_server.url + "/community/volunteers/")
        page.click(f"[data-testid=open-shift][data-id='{s.pk}'] a")
        page.click("[data-testid=sign-up]")
        page.wait_for_selector("[data-testid=my-signup]")
        assert SignUp.objects.filter(shift=s, volunteer=a, state="signed_up").exists()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.context.clear_cookies()
        log_in(page, w.community_staff.username, w.password)
        page.goto(live_server.url + f"/community/volunteers/shifts/{s.pk}/")
        assert page.locator("[data-testid=signup-row]").count() == 1
        expect(page.locator("[data-testid=qr]")).not_to_have_js_property("naturalWidth", 0)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()
