"""In Chromium: the hotline operator types a call without a pin; the "already reported?" hint
marks the open case that is probably the same problem and says why (the place both name),
and the dispatcher's ranked merge offers for a repeat say why too."""

import pytest

from gongzhi.triage.duplicates import score_pair
from tests.factories import report_case
from tests.web.phone import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_operator_sees_why_an_open_case_is_probably_the_same(page, world):
    known = report_case(
        world, world.pothole, title="西关街路面坑洼", description="西关街路面坑洼，车辆经过很颠簸"
    )
    page.set_default_timeout(60_000)  # a shared, busy machine
    log_in(page, world.operator.username, world.password)
    page.goto(page.base_url + "/cases/hotline/")
    page.fill("#id_reporter_name", "王先生")
    page.fill("[data-testid=reporter-phone]", "13812345678")
    page.fill("[data-testid=address]", "乐都区碾伯镇西关街")
    page.fill("[data-testid=category-search]", "坑洼")
    page.locator("[data-testid=category-option]", has_text="路面坑洼").first.click()
    page.fill("[data-testid=description]", "西关街路面有大坑，车开过去颠得厉害")
    row = page.locator(f"[data-testid=nearby-case][data-number='{known.number}'][data-likely]")
    row.wait_for()
    assert "西关街" in row.locator("[data-testid=why-places]").inner_text()
    assert row.locator("[data-testid=why-days]").count() == 1


def test_the_dispatcher_sees_why_on_the_ranked_merge_offers(page, world):
    first = report_case(
        world, world.manhole, title="幸福路口搅拌站噪音扰民",
        description="幸福路口的搅拌站日夜轰鸣，粉尘很大，晚上无法休息",
    )  # fmt: skip
    again = report_case(
        world, world.manhole, title="搅拌站噪音粉尘扰民",
        description="幸福路口搅拌站昼夜施工，噪音粉尘严重影响休息",
    )  # fmt: skip
    assert score_pair({"title": again.title, "text": again.description}, {
        "title": first.title, "text": first.description}).score >= 0.5  # fmt: skip
    page.set_default_timeout(60_000)
    log_in(page, world.dispatcher.username, world.password)
    page.goto(page.base_url + f"/cases/{again.number}/")
    # The merge panel of the case page leads to the ranked offers.
    page.click("[data-testid=action-merge] > summary")
    page.click("[data-testid=similar-link]")
    row = page.locator(f"[data-testid=similar-row][data-number='{first.number}']")
    row.wait_for()
    words = row.locator("[data-testid=why-words]").inner_text()
    assert "粉尘" in words or "搅拌站" in words
    assert row.locator("[data-testid=why-days]").count() == 1
