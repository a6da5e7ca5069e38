"""In the browser, a dispatcher answers merge offers: "not the same problem" takes the offer
away, "merge into this case" merges; the triage page's weekly figures count both."""

import pytest
from playwright.sync_api import expect

from gongzhi.cases.models import Case
from gongzhi.triage.models import MergeOffer
from tests.factories import report

from .phone import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_dispatcher_accepts_and_rejects_merge_offers_and_the_week_counts_them(page, world):
    first = report(world, title="西关路口井盖丢失")
    other = report(world, title="西关路口井盖丢了", lng=world.point[0] + 0.0004, lat=world.point[1])
    again = report(world, title="西关路口井盖没了", lng=world.point[0] + 0.0005, lat=world.point[1])
    log_in(page, world.dispatcher.username, world.password)

    # Nothing decided yet: the triage page says so.
    page.goto(page.base_url + "/cases/triage/")
    expect(page.get_by_test_id("figures-empty")).to_be_visible()

    page.goto(page.base_url + f"/cases/{again.number}/similar/")
    rows = page.get_by_test_id("similar-row")
    expect(rows.filter(has_text=other.number)).to_have_count(1)
    expect(rows.filter(has_text=first.number)).to_have_count(1)

    # "Not the same problem": the offer is gone from the list, the case stays open.
    with page.expect_navigation():
        page.locator(f"[data-testid=similar-row][data-number='{other.number}']").get_by_test_id(
            "offer-reject"
        ).click()
    expect(page.locator(f"[data-testid=similar-row][data-number='{other.number}']")).to_have_count(
        0
    )
    expect(page.locator(f"[data-testid=similar-row][data-number='{first.number}']")).to_have_count(
        1
    )

    # "Merge into this case": merged, and the case page says into which.
    with page.expect_navigation():
        page.locator(f"[data-testid=similar-row][data-number='{first.number}']").locator(
            "button[value=merge]"
        ).click()
    expect(page.locator(f"a[href='/cases/{first.number}/']").first).to_be_visible()
    assert Case.objects.get(pk=again.pk).state == "merged"

    # The week's figures count one of each.
    page.goto(page.base_url + "/cases/triage/")
    week = page.get_by_test_id("figures-week").first
    expect(week).to_have_attribute("data-merged", "1")
    expect(week).to_have_attribute("data-rejected", "1")
    expect(week.locator("td").nth(4)).to_have_text("1")
    expect(week.locator("td").nth(5)).to_have_text("1")
    verdicts = {(o.other_ref, o.accepted, o.source) for o in MergeOffer.objects.all()}
    assert verdicts == {(other.number, False, "offer"), (first.number, True, "offer")}
