"""Redeeming at the counter in real Chromium at phone size (375×812): a villager opens
their points and shows their code; the clerk's phone reads it with the camera (Chromium's
fake capture playing that very code, as the patrol walk does), picks a bag of rice and
redeems; the household's balance and the stock drop, the villager's code page says so, and
the same code a second time is refused with a message, changing nothing."""

from __future__ import annotations

import pytest
from django.utils.translation import gettext, override

from gongzhi.community.models import Goods, PointAccount, Redemption
from tests.community.patrols.test_walk_browser import qr_y4m
from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.web.phone import log_in, phone_options

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_villager_redeems_at_the_counter_and_the_code_works_once(
    chromium, live_server, pw, tmp_path
):
    pw.points.give(0, hours=10)  # 100 points
    rice = pw.points.rice
    villager = chromium.new_context(**phone_options(pw.village_point, viewport=PHONE))
    counter_browser = None
    try:
        resident = villager.new_page()
        resident.set_default_timeout(40_000)
        resident.base_url = live_server.url
        log_in(resident, pw.villagers[0].username, pw.password)
        resident.goto(live_server.url + "/community/points/")
        assert resident.inner_text("[data-testid=balance]") == "100"
        resident.click("[data-testid=show-code]")
        resident.wait_for_selector("[data-testid=qr] svg")
        resident.wait_for_selector("[data-testid=code-state] [data-testid=waiting]")
        fits(resident)
        token = resident.text_content("[data-testid=token]").strip()

        # The counter: a phone whose camera sees the villager's screen.
        video = qr_y4m(token, tmp_path / "code.y4m")
        counter_browser = chromium.browser_type.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        counter_context = counter_browser.new_context(
            **phone_options(pw.village_point, viewport=PHONE)
        )
        counter_context.grant_permissions(["camera"])
        counter = counter_context.new_page()
        counter.set_default_timeout(40_000)
        counter.base_url = live_server.url
        log_in(counter, pw.clerk.username, pw.password)
        desk = live_server.url + f"/community/points/desk/{pw.village.pk}/"
        counter.goto(desk)
        counter.click("[data-testid=scan-camera]")
        counter.wait_for_selector("#id_code[data-scanned='1']")
        assert counter.input_value("#id_code") == token
        counter.select_option("#id_goods", str(rice.pk))
        counter.fill("#id_quantity", "1")
        counter.click("[data-testid=redeem]")
        counter.wait_for_selector(".messages .success")
        assert rice.name in counter.inner_text(".messages .success")
        row = counter.locator(f"[data-testid=household][data-id='{pw.households[0].pk}']")
        assert row.locator("[data-testid=household-balance]").inner_text() == "50"
        fits(counter)

        # The villager's code page sees the redemption; their balance dropped.
        resident.wait_for_selector("[data-testid=code-state] [data-testid=redeemed]")
        assert rice.name in resident.inner_text("[data-testid=redeemed]")
        resident.goto(live_server.url + "/community/points/")
        assert resident.inner_text("[data-testid=balance]") == "50"

        # The same code again (scanned once more): refused, nothing changes.
        counter.click("[data-testid=scan-camera]")
        counter.wait_for_selector("#id_code[data-scanned='1']")
        counter.select_option("#id_goods", str(rice.pk))
        counter.click("[data-testid=redeem]")
        counter.wait_for_selector("[data-testid=error]")
        with override("zh-hans"):
            said = gettext("This code was already used: ask for a new one.")
        assert said in counter.inner_text("[data-testid=error]")
        fits(counter)
    finally:
        villager.close()
        if counter_browser is not None:
            counter_browser.close()

    assert PointAccount.objects.get(household=pw.households[0]).balance == 50
    assert Goods.objects.get(pk=rice.pk).stock == 9
    assert Redemption.objects.count() == 1
