"""The API's interactive docs in a real browser, with every other host unreachable (an
offline intranet): Swagger UI comes from our own static files and lists the operations."""

from urllib.parse import urlsplit

import pytest

from .test_intake_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _every_path(page) -> list[str]:
    """Swagger UI renders a long list of operations (150 rows and more) only where the window
    is (a virtualised list): scroll to the end, collecting what each screen shows."""
    paths: list[str] = []
    page.wait_for_selector(".opblock-summary-path")
    for _ in range(400):
        for path in page.eval_on_selector_all(
            ".opblock-summary-path", "els => els.map(e => e.getAttribute('data-path'))"
        ):
            if path not in paths:
                paths.append(path)
        at_end = page.evaluate(
            "window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 2"
        )
        if at_end and "/api/v1/command/safety" in paths:
            break
        page.mouse.wheel(0, 500)
        page.wait_for_timeout(30)
    return paths


def test_the_docs_work_with_no_way_out(page, world):
    ours = urlsplit(page.base_url).netloc
    elsewhere = []

    def only_ours(route):
        if urlsplit(route.request.url).netloc == ours:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_ours)
    log_in(page, world.dispatcher.username, world.password)
    page.goto(page.base_url + "/api/v1/docs")
    paths = _every_path(page)
    # Every app's operations are listed, the last tags' too, each once.
    for path in (
        "/api/v1/cases/{number}/transitions",
        "/api/v1/regions/locate",
        "/api/v1/deliberation/topics",
        "/api/v1/community/repairs",
        "/api/v1/community/patrols/{patrol_id}/scans",
        "/api/v1/command/safety",
    ):
        assert path in paths, path
    assert elsewhere == []


def test_a_signed_in_reader_can_try_a_write_from_the_docs(page, world):
    """The docs send the session's CSRF token, so a POST tried there reaches the endpoint
    (which answers the example body's unknown category) instead of failing the CSRF check."""
    log_in(page, world.dispatcher.username, world.password)
    page.goto(page.base_url + "/api/v1/docs#/cases/gongzhi_cases_api_report")
    operation = page.locator("#operations-cases-gongzhi_cases_api_report")
    operation.locator(".try-out__btn").click()
    operation.locator(".execute").click()
    answer = operation.locator(".live-responses-table td.response-col_description:not(.col_header)")
    answer.wait_for()
    assert "unknown_category" in answer.inner_text()
    assert "csrf_failed" not in answer.inner_text()
