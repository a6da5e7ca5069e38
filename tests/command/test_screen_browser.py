"""The big screen in a real Chromium on a 1920×1080 wall: a report made while it is open
appears in the ticker and in today's count within two seconds, a click on a place drills
down county → township → grid, and the panels fit a 4K wall and a laptop."""

import time

import pytest
from playwright.sync_api import expect

from gongzhi.accounts.models import Role
from tests.factories import UserFactory, report_case
from tests.web.phone import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIVE_MS = 2000


@pytest.fixture
def wall(chromium, live_server, world):
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    leader = UserFactory(
        username="countylead",
        display_name="县领导",
        organisation=world.command.parent,
        role=Role.LEADER,
    )
    log_in(page, leader.username, world.password)
    yield page
    context.close()


def _reported_today(page) -> int:
    return int(page.locator("[data-testid=today-reported] b").inner_text())


def test_a_new_report_appears_live_and_the_leader_drills_down(wall, world):
    page = wall
    page.goto(page.base_url + "/command/screen/")
    expect(page.locator("[data-push-indicator]")).to_have_attribute("data-state", "live")
    before = _reported_today(page)

    started = time.monotonic()
    case = report_case(world, world.manhole, title="西关街口井盖缺失")
    left = max(LIVE_MS - (time.monotonic() - started) * 1000, 1)
    item = page.locator(f"[data-testid=ticker-item][data-number='{case.number}']")
    expect(item).to_be_visible(timeout=left)
    left = max(LIVE_MS - (time.monotonic() - started) * 1000, 1)
    expect(page.locator("[data-testid=today-reported] b")).to_have_text(
        str(before + 1), timeout=left
    )
    assert "西关街口井盖缺失" in item.inner_text()
    # A report of another county never reaches this screen.
    other = report_case(world, world.manhole, point=world.other_point, title="平安区的井盖")
    page.wait_for_timeout(1500)
    assert not page.locator(f"[data-testid=ticker-item][data-number='{other.number}']").count()

    # The network drops: the screen says so, reconnects by itself when it is back, and
    # what was reported meanwhile arrives without a reload.
    indicator = page.locator("[data-push-indicator]")
    page.context.set_offline(True)
    expect(indicator).not_to_have_attribute("data-state", "live", timeout=10_000)
    meanwhile = report_case(world, world.pothole, title="断网时上报的路面坑洼")
    page.context.set_offline(False)
    expect(indicator).to_have_attribute("data-state", "live", timeout=15_000)
    expect(
        page.locator(f"[data-testid=ticker-item][data-number='{meanwhile.number}']")
    ).to_be_visible()

    # The leader's screen is their county's: its townships are the places to drill into;
    # township → grid, each by a click on the place's row of the ranking.
    expect(page.locator("#screen-map")).to_have_attribute("data-click-level", "township")
    page.locator("[data-testid=regions] tr[data-code='630202100']").click()
    page.wait_for_url("**/command/screen/?region=630202100")
    expect(page.locator("[data-testid=screen-place]")).to_have_text("碾伯镇")
    expect(page.locator("#screen-map")).to_have_attribute("data-click-level", "grid")
    page.locator(f"[data-testid=regions] tr[data-code='{world.grid.code}']").click()
    page.wait_for_url(f"**/command/screen/?grid={world.grid.code}")
    expect(page.locator("[data-testid=screen-place]")).to_have_text(world.grid.name)
    expect(page.locator("#screen-map")).to_have_attribute("data-cases", "2")
    # The figure opens the queue on the records it counts.
    href = page.locator("[data-testid=today-reported]").get_attribute("href")
    assert href and href.startswith("/cases/")


def test_no_panel_leaves_the_window_on_a_4k_wall_or_a_laptop(wall):
    page = wall
    for width, height in ((3840, 2160), (1366, 768)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(page.base_url + "/command/screen/")
        page.locator("#screen-map[data-ready='1']").wait_for()
        screen = page.locator("[data-testid=screen]").bounding_box()
        # The 1920×1080 box is scaled to fill the window's width or its height.
        assert abs(screen["width"] - width) < 2 or abs(screen["height"] - height) < 2
        panels = page.locator(".panel, .screen-head")
        assert panels.count() >= 10
        for i in range(panels.count()):
            box = panels.nth(i).bounding_box()
            where = (width, i, box)
            assert box["x"] >= -1 and box["y"] >= -1, where
            assert box["x"] + box["width"] <= width + 1, where
            assert box["y"] + box["height"] <= height + 1, where
