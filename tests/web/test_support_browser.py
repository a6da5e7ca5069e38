"""我也遇到 in a real Chromium on a phone: while a resident describes a problem another resident
has already reported nearby, the hint marks that case as probably the same, and one tap adds
their voice to it instead of filing a duplicate."""

import pytest
from playwright.sync_api import expect

from gongzhi.cases.models import Case, CaseSupport
from tests.cases.test_supports import quick_report

from .test_intake_browser import log_in, phone  # noqa: F401 (the phone fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_adds_their_voice_instead_of_reporting_again(phone, world):  # noqa: F811
    page = phone
    known = quick_report(world, "西关路口井盖丢失，晚上很危险", 0.0005, world.other_resident)
    log_in(page, world.resident.username, world.password)
    page.goto(page.base_url + "/cases/report/")
    expect(page.locator("#id_lng")).not_to_have_value("")
    page.fill("[data-testid=category-search]", "井盖")
    page.locator("[data-testid=category-option]", has_text="井盖缺失破损").first.click()
    row = page.locator(f"[data-testid=nearby-case][data-number='{known.number}']")
    row.wait_for()
    assert row.get_attribute("data-likely") is None  # nothing typed yet

    page.fill("[data-testid=description]", "西关路口的井盖丢了")
    page.wait_for_selector(f"[data-testid=nearby-case][data-number='{known.number}'][data-likely]")
    assert "很可能是同一问题" in row.inner_text()

    row.locator("[data-testid=support]").click()
    page.wait_for_selector("[data-testid=nearby-hint] [data-testid=supported]")
    assert "无需重复上报" in row.inner_text()
    assert CaseSupport.objects.filter(case=known, user=world.resident).count() == 1
    assert Case.objects.count() == 1  # no second case
