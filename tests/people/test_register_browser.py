"""A grid worker on a phone, in a real Chromium: opens a house of their grid, adds a
household and registers two people in it (the date of birth and sex read from the ID
number as it is typed, a mistyped number refused beside its field), then shows one in full."""

import datetime as dt

import pytest

from gongzhi.core.models import AuditLog
from gongzhi.people.models import Household, Resident
from tests.people.factories import id_number
from tests.web.phone import log_in, phone_options

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "fits a phone"


def test_a_grid_worker_adds_a_household_with_two_residents(chromium, live_server, ppl):
    w = ppl
    context = chromium.new_context(**phone_options(w.point))
    try:
        phone = context.new_page()
        phone.set_default_timeout(15_000)
        phone.base_url = live_server.url
        log_in(phone, w.grid_worker.username, w.password)

        # 1. The houses of the grid, then the house, then a new household in it.
        phone.goto(live_server.url + "/people/houses/")
        phone.get_by_role("link", name=w.house.address).click()
        phone.wait_for_selector("[data-testid=house-page]")
        fits(phone)
        phone.click("[data-testid=add-household]")
        phone.fill("#id_number", "0101")
        fits(phone)
        phone.click("[data-testid=submit]")
        phone.wait_for_selector("[data-testid=household-page]")
        household = Household.objects.get(number="0101")
        assert household.house == w.house

        # 2. The head: a mistyped ID number first, refused beside the field.
        head = id_number(dt.date(1978, 9, 3), 11, sex="male")
        phone.click("[data-testid=add-resident]")
        phone.fill("#id_name", "韩永福")
        phone.fill("#id_id_number", head[:-1] + ("0" if head[-1] != "0" else "1"))
        phone.select_option("#id_relation", "head")
        phone.click("[data-testid=submit]")
        phone.wait_for_selector("[data-testid=error-id_number]")
        assert not Resident.objects.filter(household=household).exists()
        phone.fill("#id_id_number", head)
        assert phone.locator("[data-testid=birth-date]").inner_text() == "1978-09-03"
        assert phone.locator("[data-testid=sex]").inner_text() in ("男", "Male")
        fits(phone)
        phone.click("[data-testid=submit]")
        phone.wait_for_selector("[data-testid=household-page][data-members='1']")

        # 3. His daughter.
        phone.click("[data-testid=add-resident]")
        phone.fill("#id_name", "韩小梅")
        phone.fill("#id_id_number", id_number(dt.date(2012, 4, 20), 12, sex="female"))
        assert phone.locator("[data-testid=sex]").inner_text() in ("女", "Female")
        phone.select_option("#id_relation", "child")
        phone.click("[data-testid=submit]")
        phone.wait_for_selector("[data-testid=household-page][data-members='2']")
        fits(phone)

        people = {r.name: r for r in Resident.objects.filter(household=household)}
        assert set(people) == {"韩永福", "韩小梅"}
        assert (people["韩小梅"].sex, people["韩小梅"].birth_date) == (
            "female",
            dt.date(2012, 4, 20),
        )
        household.refresh_from_db()
        assert household.head == people["韩永福"]
        members = phone.locator("[data-testid=members]").inner_text()
        assert "韩**" in members and "韩永福" not in members  # masked on the page

        # 4. The head's page, shown in full on request (audited), in place.
        phone.locator("[data-testid=member]").first.get_by_role("link").click()
        phone.wait_for_selector("[data-testid=resident-page]")
        phone.click("[data-testid=reveal]")
        phone.wait_for_selector("[data-testid=revealed]")
        assert "韩永福" in phone.locator("[data-testid=revealed]").inner_text()
        assert AuditLog.objects.filter(action="unmask", actor=w.grid_worker).count() == 1
        fits(phone)
    finally:
        context.close()
