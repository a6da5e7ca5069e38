"""The community home and figures in a real Chromium at phone width (390 px): a resident's
cards, the committee's desk and the township's figures fit the screen (no horizontal
scroll), and the figures' table turns into cards."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD
from tests.web.phone import log_in, phone_options

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _fits(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_home_and_figures_fit_a_phone(chromium, live_server, rows):
    w = rows.w
    for user, path, seen in (
        (w.urban_residents[3], "/community/", "card-notices"),
        (w.villagers[0], "/community/", "custom-rules"),
        (w.community_staff, "/community/", "desk-repairs"),
        (w.township_staff, "/community/figures/", "places-table"),
    ):
        context = chromium.new_context(**phone_options(w.point, viewport=PHONE))
        try:
            page = context.new_page()
            page.set_default_timeout(15_000)
            page.base_url = live_server.url
            log_in(page, user.username, PASSWORD)
            page.goto(live_server.url + path)
            page.locator(f"[data-testid={seen}]").wait_for()
            assert _fits(page), (user.username, path)
            if seen == "card-notices":
                assert page.locator("[data-testid=notices-unread]").inner_text() == "1"
            if seen == "places-table":
                # On a phone the table's head is hidden and each place is a card.
                assert not page.locator("[data-testid=places-table] thead").is_visible()
                assert page.locator("[data-testid=place-row]").count() == 3
        finally:
            context.close()
