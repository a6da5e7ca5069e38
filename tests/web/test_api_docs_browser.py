"""The API's interactive docs in a real browser, with every other host unreachable (an
offline intranet): Swagger UI comes from our own static files and lists the operations."""

from urllib.parse import urlsplit

import pytest

from .test_intake_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
    # Swagger UI renders the operations tag by tag: wait for one of the last tags' paths.
    page.wait_for_selector('.opblock-summary-path[data-path="/api/v1/regions/locate"]')
    paths = page.eval_on_selector_all(
        ".opblock-summary-path", "els => els.map(e => e.getAttribute('data-path'))"
    )
    assert "/api/v1/cases/{number}/transitions" in paths and "/api/v1/regions/locate" in paths
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
