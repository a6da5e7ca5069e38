"""Every page of the dispatcher's console loads cleanly in a real Chromium: no failed
request (a missing script, style, tile or icon) and no script error."""

import pytest
from playwright.sync_api import expect

from tests.world import report_case

from .phone import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["/", "/cases/", "/cases/map/", "/cases/rates/", "/cases/triage/", "/cases/hotspots/"]


def test_the_console_pages_load_without_a_failed_request_or_script_error(page, world):
    case = report_case(world, world.manhole)
    problems = []
    # The browser's own requests (the tab's icon) show only as console errors.
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    log_in(page, world.dispatcher.username, world.password)
    for path in [*PAGES, f"/cases/{case.number}/"]:
        response = page.goto(page.base_url + path)
        page.wait_for_load_state("networkidle")
        assert response.status == 200, path
        assert not problems, (path, problems)


def test_a_countdown_turns_due_soon_then_overdue_as_time_passes(page, world):
    """The queue's countdowns move on in the page: due soon from when the unit is warned,
    overdue once the deadline has passed, without a reload."""
    from datetime import datetime, timedelta

    from django.utils import timezone

    from gongzhi.cases.models import Case
    from gongzhi.cases.workflow import deadlines
    from tests.cases.test_permissions import case_in

    case = case_in(world, "in_progress")
    now = timezone.now()
    dispatched, due = now - timedelta(hours=10), now + timedelta(hours=3)
    soon_from = deadlines.warn_from(dispatched, due)
    Case.objects.filter(pk=case.pk).update(
        dispatched_at=dispatched + (now + timedelta(seconds=20) - soon_from),
        resolve_due=due + (now + timedelta(seconds=20) - soon_from),
    )  # shifted so that it is due soon 20 s from now
    page.clock.install(time=datetime.now())
    log_in(page, world.dispatcher.username, world.password)
    page.goto(page.base_url + "/cases/")
    deadline = page.locator(f'[data-number="{case.number}"] [data-testid="deadline"]')
    assert "soon" not in deadline.get_attribute("class")
    page.clock.fast_forward("00:40")
    assert "soon" in deadline.get_attribute("class")
    page.clock.fast_forward("03:00:00")
    classes = deadline.get_attribute("class").split()
    assert "late" in classes and "soon" not in classes


def test_the_queue_export_takes_the_filters_just_changed_in_place(page, world):
    """Filters change the list in place (htmx); the export button downloads that list."""
    import io

    from openpyxl import load_workbook

    lamp = report_case(world, world.manhole, title="平安路路灯不亮")
    report_case(world, world.manhole, title="西关街井盖缺失")
    log_in(page, world.dispatcher.username, world.password)
    page.goto(page.base_url + "/cases/")
    page.fill("input[name=q]", "路灯")
    expect(page.locator("[data-testid=case-row]")).to_have_count(1, timeout=10_000)
    with page.expect_download() as download:
        page.click('[data-testid="export-queue"]')
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True)
    numbers = [row[0] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert numbers == [lamp.number]
    assert download.value.suggested_filename.endswith(".xlsx")


# The labels in the header taller than one line of their text (padding left out).
ONE_LINE = """() => [...document.querySelectorAll('header a, header button')]
  .filter(el => el.offsetParent !== null)
  .filter(el => {
    const s = getComputedStyle(el);
    const text = el.clientHeight - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom);
    return text > 2 * parseFloat(s.fontSize);
  })
  .map(el => el.textContent.trim())"""


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_on_a_phone_the_header_breaks_no_label_and_stays_short(
    chromium, live_server, world, locale
):
    # A grid worker's phone: "退出登录" was split over two lines, and the header took a
    # quarter of the screen before the page began.
    from .phone import PHONE

    context = chromium.new_context(locale=locale, viewport=PHONE, is_mobile=True)
    try:
        page = context.new_page()
        page.base_url = live_server.url
        log_in(page, world.grid_worker.username, world.password)
        page.goto(page.base_url + "/cases/tasks/")
        assert page.evaluate(ONE_LINE) == []
        assert page.locator("header").bounding_box()["height"] <= 140
    finally:
        context.close()
