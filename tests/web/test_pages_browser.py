"""Every page of the dispatcher's console loads cleanly in a real Chromium: no failed
request (a missing script, style, tile or icon) and no script error."""

import pytest

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
