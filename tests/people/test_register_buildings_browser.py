"""A grid worker of two grids on a phone, in a real Chromium: adds a building where they
stand (their position picked up by the form), then a house in it from the building's page;
on the house form, choosing the other grid offers only that grid's buildings."""

import pytest
from playwright.sync_api import expect

from gongzhi.people.models import Building, House
from tests.factories import GridAssignmentFactory
from tests.people.factories import BuildingFactory
from tests.web.phone import log_in, phone_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "fits a phone"


def offered(page) -> set[str]:
    """The building options the form shows (hidden ones are other grids')."""
    return set(
        page.eval_on_selector_all(
            "#id_building option", "os => os.filter(o => !o.hidden && o.value).map(o => o.value)"
        )
    )


def test_a_grid_worker_adds_a_building_and_a_house_in_it(chromium, live_server, ppl):
    w = ppl
    GridAssignmentFactory(grid=w.grid_b, user=w.grid_worker, duty="part_time")
    other = BuildingFactory(grid=w.grid_b, name="8号楼", address="海东市乐都区碾伯镇西关街80号")
    with phone_page(chromium, live_server.url, w.point) as phone:
        log_in(phone, w.grid_worker.username, w.password)
        phone.goto(live_server.url + "/people/houses/")
        phone.click("[data-testid=register-tabs] a[href='/people/buildings/']")
        phone.wait_for_selector("[data-testid=buildings]")
        phone.click("[data-testid=add-building]")

        # 1. A building without an address is refused beside the field.
        phone.fill("#id_name", "6号楼")
        phone.select_option("#id_grid", str(w.grid.pk))
        phone.click("[data-locate]")
        expect(phone.locator("#id_lng")).not_to_have_value("")
        fits(phone)
        phone.click("[data-testid=submit]")
        phone.wait_for_selector("[data-testid=error-address]")
        assert not Building.objects.filter(name="6号楼").exists()
        phone.fill("#id_address", "海东市乐都区碾伯镇西关街60号")
        phone.fill("#id_floors", "7")
        if not phone.input_value("#id_lng"):  # the page came back: pick the position again
            phone.click("[data-locate]")
            expect(phone.locator("#id_lng")).not_to_have_value("")
        phone.click("[data-testid=submit]")
        phone.wait_for_selector("[data-testid=building-page]")
        block = Building.objects.get(name="6号楼")
        assert (block.grid_id, block.floors) == (w.grid.pk, 7)
        assert (round(block.lng, 3), round(block.lat, 3)) == w.point
        fits(phone)

        # 2. A house in it, from the building's page: the building comes chosen; choosing
        # the other grid offers that grid's buildings only.
        phone.click("[data-testid=add-house]")
        phone.wait_for_selector("[data-testid=house-form]")
        assert phone.input_value("#id_building") == str(block.pk)
        phone.select_option("#id_grid", str(w.grid_b.pk))
        assert offered(phone) == {str(other.pk)}
        assert phone.input_value("#id_building") == ""
        phone.select_option("#id_grid", str(w.grid.pk))
        assert offered(phone) == {str(block.pk)}
        phone.select_option("#id_building", str(block.pk))
        phone.fill("#id_address", "海东市乐都区碾伯镇西关街60号2单元301室")
        phone.select_option("#id_use", "rented")
        fits(phone)
        phone.click("[data-testid=submit]")
        phone.wait_for_selector("[data-testid=house-page]")
        house = House.objects.get(address="海东市乐都区碾伯镇西关街60号2单元301室")
        assert (house.building_id, house.grid_id, house.use) == (block.pk, w.grid.pk, "rented")
        assert (house.lng, house.lat) == (block.lng, block.lat)
        phone.click("[data-testid=building-link]")
        phone.wait_for_selector(f"[data-testid=house-row][data-id='{house.pk}']")
