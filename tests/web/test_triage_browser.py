"""In the browser, every row of the category check offers the whole category list (sent
once in the page) and the dispatcher's choice from deep in it is the one kept."""

import pytest

from gongzhi.taxonomy.models import Category
from gongzhi.triage.models import Assessment
from tests.factories import report

from .phone import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_each_row_offers_every_category_and_keeps_the_choice(page, world):
    cases = [report(world, title=f"井盖丢失{i}") for i in range(3)]
    for case in cases:
        Assessment.objects.create(case_ref=case.number, status="pending", reason="low")
    enabled = Category.objects.filter(enabled=True).order_by("path")
    deep = enabled.exclude(pk=world.manhole.pk).last()
    log_in(page, world.dispatcher.username, world.password)
    page.goto(page.base_url + "/cases/triage/")
    rows = page.locator("[data-testid=triage-row]")
    assert rows.count() == 3
    for i in range(3):
        select = rows.nth(i).locator("select[name=category]")
        assert select.locator("option").count() == enabled.count()
        # The intake's category stays chosen after the list is filled in.
        assert select.input_value() == str(world.manhole.pk)
    target = page.locator(f"[data-testid=triage-row][data-number='{cases[1].number}']")
    target.locator("select[name=category]").select_option(str(deep.pk))
    with page.expect_navigation():
        target.locator("button[type=submit]").click()
    cases[1].refresh_from_db()
    assert cases[1].category == deep
    assert page.locator("[data-testid=triage-row]").count() == 2
