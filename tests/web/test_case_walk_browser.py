"""One case's whole life in a real Chromium, each person in their own browser:
a resident's photo report → the dispatcher accepts and dispatches → the department signs
for and resolves with a photo → the dispatcher verifies → the resident rates it."""

import pytest
from playwright.sync_api import expect

from gongzhi.cases.choices import Satisfaction, State
from gongzhi.cases.models import Callback, Case

from .phone import a_photo, log_in, phone_options

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_for(chromium, live_server, world, settings, tmp_path):
    """A fresh browser context (own cookies) for each person, phone- or desk-sized."""
    settings.MEDIA_ROOT = tmp_path / "media"
    contexts = []

    def open_as(user, *, phone=False):
        if phone:
            options = phone_options(world.point)
        else:
            options = {"locale": "zh-CN", "viewport": {"width": 1366, "height": 900}}
        context = chromium.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base_url = live_server.url
        log_in(page, user.username, world.password)
        return page

    yield open_as
    for context in contexts:
        context.close()


def act(page, action, fill=None):
    """Open the action's panel on the case page, fill it, send it, wait for the new state."""
    panel = page.locator(f"[data-testid=action-{action}]")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    if fill:
        fill(panel)
    before = page.locator("[data-testid=case-page]").get_attribute("data-state")
    panel.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=case-page]")).not_to_have_attribute("data-state", before)
    assert not page.locator("[data-testid=action-error]").count()
    return page.locator("[data-testid=case-page]").get_attribute("data-state")


def test_a_photo_report_is_dispatched_handled_verified_and_rated(browser_for, world, tmp_path):
    # 1. The resident reports a missing manhole cover from the phone, with a photo.
    phone = browser_for(world.resident, phone=True)
    phone.goto(phone.base_url + "/cases/report/")
    expect(phone.locator("#id_lng")).not_to_have_value("")
    phone.set_input_files("[data-testid=photos]", str(a_photo(tmp_path)))
    phone.fill("[data-testid=category-search]", "井盖")
    phone.locator("[data-testid=category-option]", has_text="井盖缺失破损").first.click()
    phone.fill("[data-testid=description]", "西关路口的井盖不见了，晚上很危险")
    phone.click("[data-testid=submit]")
    phone.wait_for_url("**/cases/track/**")
    case = Case.objects.get()
    track_url = phone.url
    assert case.state == State.REPORTED

    # 2. The county dispatcher finds it at the top of the queue, accepts and dispatches it
    #    to the unit the routing rules suggest (the county's city-management bureau).
    desk = browser_for(world.dispatcher)
    desk.goto(desk.base_url + "/cases/")
    desk.locator("[data-testid=case-row]", has_text=case.number).get_by_role(
        "link", name=case.number
    ).click()
    desk.wait_for_selector("[data-testid=case-page]")
    assert desk.locator("[data-testid=photo]").count() == 1
    act(desk, "accept")
    act(
        desk,
        "dispatch",
        lambda panel: panel.locator("[data-testid=dispatch-unit]").select_option(str(world.cgj.pk)),
    )
    case.refresh_from_db()
    assert case.state == State.DISPATCHED and case.owner_id == world.cgj.pk

    # 3. The bureau's handler sees it in the inbox, signs for it and resolves it.
    handler = browser_for(world.handler)
    handler.goto(handler.base_url + "/cases/inbox/")
    handler.get_by_role("link", name=case.number).first.click()
    handler.wait_for_selector("[data-testid=case-page]")
    act(handler, "sign_for")

    def resolution(panel):
        panel.locator("textarea[name=result]").fill("已更换新井盖并设置警示标志")
        panel.locator("input[name=photos]").set_input_files(str(a_photo(tmp_path)))

    act(handler, "resolve", resolution)
    case.refresh_from_db()
    assert case.state == State.RESOLVED
    assert case.attachments.count() == 2  # the report's photo and the result's

    # 4. The dispatcher checks the result and closes the case.
    desk.reload()
    act(desk, "verify_pass")
    case.refresh_from_db()
    assert case.state == State.CLOSED

    # 5. The resident sees the outcome on the tracking page and rates it.
    phone.goto(track_url)
    assert "已更换新井盖" in phone.locator("[data-testid=timeline]").inner_text()
    phone.locator("input[name=resolved][value=yes]").check()
    phone.locator(f"input[name=satisfaction][value={Satisfaction.SATISFIED}]").check()
    phone.click("[data-testid=callback-submit]")
    phone.wait_for_selector(".messages")
    assert not phone.locator("[data-testid=callback]").count()  # rated once, form gone
    rating = Callback.objects.get(case=case)
    assert rating.resolved is True and rating.satisfaction == Satisfaction.SATISFIED
    actions = list(case.events.order_by("at", "id").values_list("action", flat=True))
    assert actions[:1] == ["report"]
    for step in ("accept", "dispatch", "sign_for", "resolve", "verify_pass", "callback"):
        assert step in actions
