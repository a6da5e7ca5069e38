"""区划与网格 in a real Chromium: a city leader clicks down from the city to a community,
sees its grids on the map, a grid worker and an open case."""

import pytest

from tests.world import report_case

from .phone import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_leader_drills_down_from_the_city_to_the_grids(page, world):
    case = report_case(world, world.pothole, title="路面坑洼")
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, world.leader.username, world.password)
    page.goto(page.base_url + "/regions/")
    assert page.get_by_test_id("drill-title").inner_text().startswith("海东市")
    page.get_by_test_id("child-link").filter(has_text="乐都区").click()
    page.wait_for_url("**/regions/area/630202/")
    page.get_by_test_id("child-link").filter(has_text="碾伯镇").click()
    page.wait_for_url("**/regions/area/630202100/")
    # The map draws the township and its communities; a click on one opens it.
    drill_map = page.get_by_test_id("drill-map")
    page.wait_for_selector('[data-testid="drill-map"][data-ready="1"]')
    assert drill_map.get_attribute("data-children") == "2"
    page.get_by_test_id("child-link").filter(has_text="西关社区").click()
    page.wait_for_url("**/regions/area/630202100001/")
    page.wait_for_selector('[data-testid="drill-map"][data-ready="1"]')
    assert drill_map.get_attribute("data-children") == "2"  # its two grids
    row = page.locator('[data-testid="grid-row"][data-code="630202100001-01"]')
    assert row.get_by_test_id("grid-workers").inner_text() == "李建国"
    row.get_by_role("link", name=case.number).click()
    page.wait_for_url(f"**/cases/{case.number}/")
    page.go_back()
    # Back up by the breadcrumb, to the county and no higher than the leader's city.
    page.get_by_test_id("crumb").filter(has_text="乐都区").click()
    page.wait_for_url("**/regions/area/630202/")
    assert not problems, problems
