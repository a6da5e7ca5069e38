"""统计分析 in a real Chromium: the city leader opens the analytics, sees the charts and the
grid map drawn, drills into a county and downloads a table as Excel."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from gongzhi.command import assessment
from tests.factories import case_in, report_case
from tests.web.phone import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_city_leader_drills_into_a_county_and_downloads_a_table(page, world):
    w = world
    assessment.seed_defaults()  # a transactional test before may have flushed them
    case_in(w, "in_progress")
    report_case(w, w.pothole, point=w.other_point)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, w.leader.username, w.password)

    page.goto(page.base_url + "/command/analytics/")
    for name in ("categories", "channels", "units"):
        expect(page.locator(f"[data-testid=chart-{name}]")).to_have_attribute("data-ready", "1")
    expect(page.locator("[data-testid=grid-map]")).to_have_attribute("data-ready", "1")
    assert (
        page.locator(
            "[data-testid=grid-map] path.leaflet-interactive, [data-testid=grid-map] canvas"
        ).count()
        >= 1
    )

    # 乐都区 in the table of places: a click shows the county's own figures.
    page.locator("[data-testid=table-regions] a", has_text=w.regions.ledu.name).click()
    page.wait_for_url("**region=630202**")
    assert page.locator("[data-testid=region-name]").inner_text() == w.regions.ledu.name
    assert page.locator("[data-testid=row-categories]").count() == 1  # the pothole is elsewhere

    with page.expect_download() as download:
        page.locator("[data-testid=export-categories]").click()
    book = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    rows = list(book.active.iter_rows(values_only=True))
    assert w.regions.ledu.name in rows[0][0]
    assert rows[2][1] == 1  # one report in the county's one category
    assert not errors, errors
