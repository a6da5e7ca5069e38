"""The base map: tiles from the tile service named in the settings under every map, and
none at all when none is named (an offline intranet)."""

import pytest

from .test_intake_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TILES = "/tiles/{z}/{x}/{y}.png"


def tile_sources(page):
    page.wait_for_selector("[data-testid=cases-map][data-ready='1']")  # cases drawn, view set
    return page.eval_on_selector_all(".leaflet-tile", "els => els.map(e => e.src)")


def test_the_case_map_draws_the_configured_tiles(page, world, settings):
    settings.GONGZHI = {
        **settings.GONGZHI,
        "MAP_TILES": [page.base_url + TILES],
        "MAP_ATTRIBUTION": "测试底图",
    }
    log_in(page, world.dispatcher.username, world.password)
    page.goto(page.base_url + "/cases/map/")
    sources = tile_sources(page)
    assert sources and all(s.startswith(page.base_url + "/tiles/") for s in sources)
    assert "测试底图" in page.locator(".leaflet-control-attribution").inner_text()


def test_without_a_tile_service_no_tile_is_requested(page, world, settings):
    settings.GONGZHI = {**settings.GONGZHI, "MAP_TILES": []}
    log_in(page, world.dispatcher.username, world.password)
    page.goto(page.base_url + "/cases/map/")
    assert tile_sources(page) == []
