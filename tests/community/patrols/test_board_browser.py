"""The team leader's board in real Chromium at phone size: it goes live on the push, and a
patrol started and scanned on the route appears and counts up on the open page without a
reload. While the push is live the board does not ask by itself, so only a pushed message
can redraw it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from gongzhi.community.patrols import services
from tests.web.phone import log_in, phone_options

from .conftest import at, code_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}


def test_the_leaders_board_follows_a_patrol_live(chromium, live_server, pw):
    context = chromium.new_context(**phone_options(pw.village_point, viewport=PHONE))
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.base_url = live_server.url
        log_in(page, pw.leader.username, pw.password)
        page.goto(live_server.url + "/community/patrols/board/")
        expect(page.get_by_test_id("board-empty")).to_be_visible()
        expect(page.get_by_test_id("push-indicator")).to_have_attribute("data-state", "live")

        patrol = services.do_start(actor=pw.walker, route=pw.route)
        card = page.locator(f"[data-testid=board-patrol][data-patrol='{patrol.pk}']")
        expect(card).to_contain_text("0/3")

        services.do_scan(actor=pw.walker, patrol=patrol, code=code_of(pw.cps[0]), **at(pw.cps[0]))
        expect(card).to_contain_text("1/3")
        services.do_finish(actor=pw.walker, patrol=patrol)
        expect(card).to_have_attribute("data-state", "finished")
        expect(card.locator(".pt-flag")).to_contain_text("2")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()
