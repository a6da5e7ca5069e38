"""随手拍 in a real Chromium on a phone-sized screen: log in, let the browser locate the phone,
take a photo, pick the category, send, and land on the tracking page."""

import json
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect

from gongzhi.cases.models import Attachment, Case

from .phone import PHONE, a_photo, log_in, phone_options, phone_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(chromium, live_server, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with phone_page(chromium, live_server.url, world.point, device_scale_factor=2) as page:
        yield page


def test_a_resident_reports_a_missing_manhole_cover_from_a_phone(phone, world, tmp_path):
    page = phone
    log_in(page, world.resident.username, world.password)
    page.goto(page.base_url + "/cases/report/")

    # The browser's position arrives and the pin is set to it.
    expect(page.locator("#id_lng")).not_to_have_value("")
    lng = float(page.input_value("#id_lng"))
    lat = float(page.input_value("#id_lat"))
    assert abs(lng - world.point[0]) < 1e-5 and abs(lat - world.point[1]) < 1e-5
    page.wait_for_selector("[data-testid=location-place]:has-text('西关社区')")
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)  # drawn once the map is up
    # The pin is the platform's own image file (the sharp one on this 2× screen), loaded.
    pin = page.locator(".leaflet-marker-icon")
    marker = json.loads(page.locator("#base-map").text_content())["marker"]
    assert pin.get_attribute("src") == marker["iconRetinaUrl"]
    expect(pin).not_to_have_js_property("naturalWidth", 0)

    # A photo from the "camera", previewed.
    page.set_input_files("[data-testid=photos]", str(a_photo(tmp_path)))
    page.wait_for_selector("[data-testid=photo-previews] img")
    assert page.locator("[data-testid=photo-previews] li").count() == 1

    # The category picker: search, see the full path, pick.
    page.fill("[data-testid=category-search]", "井盖")
    option = page.locator("[data-testid=category-option]", has_text="井盖缺失破损").first
    option.wait_for()
    assert option.get_attribute("data-name") == "道路与井盖 / 井盖缺失破损"
    option.click()
    assert page.locator("[data-testid=category-chosen]").inner_text() == "道路与井盖 / 井盖缺失破损"
    assert page.input_value("[data-testid=category-id]") == str(world.manhole.pk)

    # With category and place known, the nearby hint answers (nothing known yet).
    page.wait_for_selector("[data-testid=nearby-hint][data-count='0']")

    page.fill("[data-testid=description]", "西关路口的井盖不见了，晚上很危险")
    # Nothing on the page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.click("[data-testid=submit]")

    page.wait_for_url("**/cases/track/**")
    case = Case.objects.get()
    assert page.locator("[data-testid=case-number]").inner_text() == case.number
    assert case.number in page.locator(".messages").inner_text()
    assert page.locator("[data-testid=track-photos] img").count() == 1
    assert case.grid_id == world.grid.pk and case.reporter_id == world.resident.pk
    assert case.category_id == world.manhole.pk and case.channel == "quick_report"
    assert Attachment.objects.filter(case=case).count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _fill_a_report(page):
    page.goto(page.base_url + "/cases/report/")
    expect(page.locator("#id_lng")).not_to_have_value("")
    page.fill("[data-testid=category-search]", "井盖")
    page.locator("[data-testid=category-option]", has_text="井盖缺失破损").first.click()
    page.fill("[data-testid=description]", "井盖缺失")


def test_a_double_tap_or_a_resend_makes_no_second_case(phone, world):
    page = phone
    log_in(page, world.resident.username, world.password)
    _fill_a_report(page)
    assert len(page.input_value("[name=idempotency_key]")) >= 32
    page.dblclick("[data-testid=submit]")  # an impatient thumb
    page.wait_for_url("**/cases/track/**")
    first = page.url
    assert Case.objects.count() == 1
    # Back to the form (the browser restores the text) and the same report sent again:
    # the same case, said so.
    page.go_back()
    page.wait_for_url("**/cases/report/")
    if page.input_value("#id_category") == "":
        page.fill("[data-testid=category-search]", "井盖")
        page.locator("[data-testid=category-option]", has_text="井盖缺失破损").first.click()
    if page.input_value("[data-testid=description]") == "":
        page.fill("[data-testid=description]", "井盖缺失")
    page.click("[data-testid=submit]")
    page.wait_for_url("**/cases/track/**")
    assert page.url == first and Case.objects.count() == 1
    assert "HD-" in page.locator(".messages").inner_text()
    # Another problem from the same tab is a new case.
    page.goto(page.base_url + "/cases/report/")
    expect(page.locator("#id_lng")).not_to_have_value("")
    page.fill("[data-testid=category-search]", "坑洼")
    page.locator("[data-testid=category-option]", has_text="路面坑洼").first.click()
    page.fill("[data-testid=description]", "路面有个大坑")
    page.click("[data-testid=submit]")
    page.wait_for_url("**/cases/track/**")
    assert Case.objects.count() == 2


def test_two_simultaneous_submissions_make_one_case(phone, world):
    from django.db import connection

    if connection.vendor == "sqlite":
        # The live server shares the test's single in-memory SQLite connection between its
        # threads, so truly simultaneous writes cannot be tested there.
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    page = phone
    log_in(page, world.resident.username, world.password)
    _fill_a_report(page)
    statuses = page.evaluate("""() => { const f = document.querySelector('[data-testid=report-form]');
        const d = new FormData(f);
        return Promise.all([1, 2, 3].map(() => fetch(location.href,
            {method: 'POST', body: d, credentials: 'same-origin'}).then(r => r.status))); }""")
    assert statuses == [200, 200, 200]  # each followed its redirect to the tracking page
    assert Case.objects.count() == 1


def test_the_hotline_operator_enters_a_call(phone, world):
    from tests.world import report_case

    known = report_case(world, world.pothole, title="西关街路面坑洼")  # in 西关社区, open
    page = phone
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, world.operator.username, world.password)
    page.goto(page.base_url + "/cases/hotline/")
    page.fill("#id_reporter_name", "王先生")
    page.fill("[data-testid=reporter-phone]", "13812345678")
    page.fill("[data-testid=address]", "乐都区碾伯镇西关街")
    # While typing, the form says where the address will place the call (there is no pin).
    hint = page.wait_for_selector("[data-testid=address-hint]")
    placed_in = hint.get_attribute("data-region")
    assert placed_in == world.regions.xiguan.code and "碾伯镇 · 西关社区" in hint.inner_text()
    page.fill("[data-testid=category-search]", "坑洼")
    page.locator("[data-testid=category-option]", has_text="路面坑洼").first.click()
    page.fill("[data-testid=description]", "西关街路面有大坑")
    # No pin, yet the call is checked against open reports where the address places it.
    page.wait_for_selector("[data-testid=nearby-by-place]")
    assert page.locator("[data-testid=nearby-case]").get_attribute("data-number") == known.number
    page.click("[data-testid=submit]")
    page.wait_for_selector("[data-testid=hotline-saved]")
    case = Case.objects.exclude(pk=known.pk).get()
    assert page.locator("[data-testid=hotline-saved]").get_attribute("data-number") == case.number
    assert case.channel == "hotline" and case.entered_by_id == world.operator.pk
    assert case.region.code == placed_in  # where the hint said
    # A fresh form with a fresh retry key, ready for the next call.
    assert page.input_value("[data-testid=reporter-phone]") == ""
    assert page.input_value("[name=idempotency_key]") != ""


def test_a_report_sent_back_keeps_the_pin_and_the_category(phone, world):
    page = phone
    log_in(page, world.resident.username, world.password)
    page.goto(page.base_url + "/cases/report/")
    expect(page.locator("#id_lng")).not_to_have_value("")
    page.fill("[data-testid=category-search]", "井盖")
    page.locator("[data-testid=category-option]", has_text="井盖缺失破损").first.click()
    page.click("[data-testid=submit]")  # no description
    page.wait_for_selector("[data-testid=error-description]")
    assert not Case.objects.exists()
    # The pin, the category and the nearby hint are back; the cursor waits in the description.
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)  # drawn once the map is up
    expect(page.locator("[data-testid=category-chosen]")).to_have_text("道路与井盖 / 井盖缺失破损")
    page.wait_for_selector("[data-testid=nearby-hint]")
    assert page.evaluate("document.activeElement.name") == "description"
    page.fill("[data-testid=description]", "井盖缺失")
    page.click("[data-testid=submit]")
    page.wait_for_url("**/cases/track/**")
    assert Case.objects.count() == 1


def _scale_metres(page) -> float:
    """The distance the map's scale bar stands for, as the user reads it ("500 m", "2 km")."""
    number, unit = page.locator(".leaflet-control-scale-line").first.inner_text().split()
    return float(number) * (1000 if unit == "km" else 1)


@contextmanager
def report_page_without_a_position(chromium, live_server, user, password):
    """The 随手拍 page on a phone that gives no position, its map loaded."""
    options = phone_options((0.0, 0.0))
    del options["geolocation"], options["permissions"]  # no position at all
    context = chromium.new_context(**options)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base_url = live_server.url
        log_in(page, user.username, password)
        page.goto(page.base_url + "/cases/report/")
        page.wait_for_selector("[data-testid=map][data-ready='1']")
        yield page
    finally:
        context.close()


def test_a_grid_worker_without_a_position_sees_their_own_grid(chromium, live_server, world):
    # The phone gives no position: the map must still open on the grid worker's grid (they
    # see no region outline, only their grids), not on the whole city with the grid a speck.
    with report_page_without_a_position(
        chromium, live_server, world.grid_worker, world.password
    ) as page:
        assert _scale_metres(page) <= 1000  # the grid is ~1 × 2 km; the city ~100 km
        page.locator("[data-testid=map]").click()  # the middle of the view: inside the grid
        page.wait_for_selector(f"[data-testid=location-place]:has-text('{world.grid.name}')")


def test_a_resident_without_a_position_sees_the_territorys_outlines(chromium, live_server, world):
    # A resident's own scope holds no region: the map still draws the public outlines to
    # find a place by, instead of an empty canvas.
    with report_page_without_a_position(
        chromium, live_server, world.resident, world.password
    ) as page:
        # Fitted to the outlines (the world is ~7 km across), not the fallback view (~100 km).
        assert _scale_metres(page) <= 5000
