"""The figures page and the people map in a real Chromium: a community leader sees the
charts drawn and the map's two layers loaded; a grid worker on a phone sees the map too."""

import pytest
from playwright.sync_api import expect

from tests.people import figures_fixtures
from tests.web.phone import log_in, phone_options

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

fw = figures_fixtures.fw


def open_as(chromium, live_server, user, password, **options):
    context = chromium.new_context(
        **(options or {"locale": "zh-CN", "viewport": {"width": 1366, "height": 900}})
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    log_in(page, user.username, password)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, errors


def test_the_leader_sees_the_charts_and_the_map(chromium, live_server, fw):
    context, page, errors = open_as(chromium, live_server, fw.community_officer, fw.password)
    try:
        page.goto(live_server.url + "/people/figures/")
        for name in ("population", "houses", "groups", "rates", "months"):
            chart = page.locator(f"[data-testid=chart-{name}]")
            expect(page.locator(f"[data-testid=chart-{name}]")).to_have_attribute("data-ready", "1")
            assert chart.locator("canvas").count() == 1
        assert page.locator("[data-testid=total-population]").inner_text() == "3"
        page.goto(live_server.url + "/people/map/")
        expect(page.locator("[data-testid=people-map]")).to_have_attribute("data-ready", "1")
        expect(page.locator("#people-map-count")).to_contain_text("3")
        assert "3" in page.locator("[data-testid=map-count]").inner_text()
        assert not errors, errors
    finally:
        context.close()


def test_a_grid_worker_opens_the_map_on_a_phone(chromium, live_server, fw):
    options = phone_options(fw.point)
    context, page, errors = open_as(chromium, live_server, fw.grid_worker, fw.password, **options)
    try:
        page.goto(live_server.url + "/people/map/")
        expect(page.locator("[data-testid=people-map]")).to_have_attribute("data-ready", "1")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"]
        counter = page.locator("#people-map-count")
        expect(counter).to_have_attribute("data-layers", "houses,visits")
        page.locator("label:has([data-testid=layer-houses])").click()  # the chip, as a thumb
        expect(counter).to_have_attribute("data-layers", "visits")
        assert not errors, errors
    finally:
        context.close()
