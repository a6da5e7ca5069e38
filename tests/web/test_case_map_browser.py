"""The map of open cases asks for the cases of its view (issue 25): once it has found where
the viewer's cases are, each pan or zoom reloads the open cases in the new box (when the
last answer did not already hold them all)."""

import re

import pytest
from playwright.sync_api import expect

from gongzhi.cases.views import console
from tests.factories import report

from .phone import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NUMBER = r"-?\d+\.\d+"
BOX = re.compile(rf"^{NUMBER},{NUMBER},{NUMBER},{NUMBER}$")


def test_panning_the_map_asks_for_the_new_box(page, world, monkeypatch):
    # One point an answer at most: every answer is capped, so every new view asks again.
    monkeypatch.setattr(console, "MAP_MAX_POINTS", 1)
    report(world, title="井盖丢失")
    report(world, point=world.other_point, title="平安区路灯")
    log_in(page, world.city_dispatcher.username, world.password)
    page.goto(page.base_url + "/cases/map/")
    cases_map = page.get_by_test_id("cases-map")
    # The first answer set the view; the view's box was then asked for.
    expect(cases_map).to_have_attribute("data-bbox", BOX)
    expect(page.get_by_test_id("map-count")).to_contain_text("1")
    first = [float(v) for v in cases_map.get_attribute("data-bbox").split(",")]
    box = cases_map.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    with page.expect_request(lambda r: "/cases/map/data/" in r.url and "bbox=" in r.url) as asked:
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x - 150, y, steps=8)
        page.mouse.up()
    sent = re.search(r"bbox=([^&]+)", asked.value.url).group(1).replace("%2C", ",")
    west, south, east, north = (float(v) for v in sent.split(","))
    # Dragged to the left: the view moved east, as wide as before.
    assert west > first[0] and east > first[2]
    assert abs((east - west) - (first[2] - first[0])) < 1e-3
    expect(cases_map).to_have_attribute("data-bbox", sent)
