"""Buildings (楼栋) on the grid worker's phone (issue 17): listed, added and corrected
through the pages, chosen on the house form; a building or house moved to another grid
takes its houses and people with it, and their responsible grid worker follows the new
grid."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from gongzhi.core.errors import ServiceError
from gongzhi.people import services
from gongzhi.people.choices import HouseUse, VisitState
from gongzhi.people.models import (
    Building,
    CareMembership,
    CheckInPlan,
    House,
    Household,
    Resident,
    Visit,
)
from tests.factories import GridAssignmentFactory
from tests.people.factories import (
    BuildingFactory,
    CareMembershipFactory,
    HouseFactory,
    HouseholdFactory,
    ResidentFactory,
)

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def as_user(client, user):
    client.force_login(user)
    return client


def error_of(response, field: str) -> str:
    found = re.search(rf'data-testid="error-{field}">([^<]+)<', response.content.decode())
    return found.group(1) if found else ""


def option(body: str, value) -> str:
    """The building select's ``<option>`` tag of that value ("" when not offered)."""
    select = re.search(r'<select name="building".*?</select>', body, re.S)
    found = select and re.search(rf'<option value="{value}"[^>]*>', select.group(0))
    return found.group(0) if found else ""


def building_post(building=None, **changes) -> dict:
    data = {"name": "3号楼", "address": "海东市乐都区碾伯镇西关街30号", "grid": "", "floors": ""}
    if building is not None:
        data.update(
            name=building.name,
            address=building.address,
            grid=building.grid_id,
            floors=building.floors or "",
            # The position rides along in the form's hidden fields.
            lng=building.lng if building.lng is not None else "",
            lat=building.lat if building.lat is not None else "",
        )
    return {**data, **changes}


@pytest.fixture
def blocks(ppl):
    """A building in each grid of 西关社区 and one in another county's grid."""
    w = ppl
    w.block = BuildingFactory(grid=w.grid, name="1号楼", address="海东市乐都区碾伯镇西关街10号")
    w.block.lng, w.block.lat = 102.405, 36.47
    w.block.save()
    w.block_b = BuildingFactory(grid=w.grid_b, name="2号楼", address="海东市乐都区碾伯镇西关街20号")
    w.other_block = BuildingFactory(
        grid=w.other_grid, name="5号楼", address="海东市平安区平安镇东村8号"
    )
    return w


# -- scope ---------------------------------------------------------------------------------------


def test_the_list_shows_only_the_buildings_of_the_workers_grid(client, blocks):
    w = blocks
    as_user(client, w.grid_worker)
    response = client.get(reverse("people:buildings"))
    assert response.status_code == 200
    ids = re.findall(r'data-testid="building-row" data-id="(\d+)"', response.content.decode())
    assert ids == [str(w.block.pk)]
    # The community sees both of its grids' buildings, filtered by grid on request.
    as_user(client, w.community_officer)
    body = client.get(reverse("people:buildings")).content.decode()
    ids = set(re.findall(r'data-testid="building-row" data-id="(\d+)"', body))
    assert ids == {str(w.block.pk), str(w.block_b.pk)}
    body = client.get(reverse("people:buildings"), {"grid": w.grid_b.pk}).content.decode()
    assert re.findall(r'data-testid="building-row" data-id="(\d+)"', body) == [str(w.block_b.pk)]


def test_another_grids_worker_gets_404_and_cannot_add_in_a_grid_outside_their_own(client, blocks):
    w = blocks
    as_user(client, w.grid_b_worker)
    assert client.get(reverse("people:building", args=[w.block.pk])).status_code == 404
    edit = reverse("people:building_edit", args=[w.block.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, building_post(w.block, name="改名")).status_code == 404
    # Their form offers only their grid; the service refuses another grid in its own words.
    response = client.post(reverse("people:building_new"), building_post(grid=w.grid.pk))
    assert response.status_code == 400
    with pytest.raises(ServiceError) as refused:
        services.do_add_building(
            data=services.BuildingIn(
                name="9号楼", address="海东市乐都区西关街90号", grid_id=w.grid.pk
            ),
            actor=w.grid_b_worker,
        )
    assert refused.value.code == "out_of_scope" and refused.value.field == "grid"
    w.block.refresh_from_db()
    assert w.block.name == "1号楼"
    assert Building.objects.count() == 3
    # A justice office sees no register: no buildings at all.
    as_user(client, w.justice_officer)
    assert client.get(reverse("people:buildings")).status_code == 403


# -- adding and correcting on the phone ----------------------------------------------------------


def test_a_grid_worker_adds_a_building_then_a_house_in_it(client, blocks):
    w = blocks
    as_user(client, w.grid_worker)
    listing = client.get(reverse("people:houses")).content.decode()
    assert f'href="{reverse("people:buildings")}"' in listing  # a tab of the register
    form = client.get(reverse("people:building_new"))
    assert form.status_code == 200 and 'name="viewport"' in form.content.decode()
    response = client.post(
        reverse("people:building_new"),
        building_post(grid=w.grid.pk, floors="6", lng="102.404", lat="36.471"),
    )
    made = Building.objects.get(name="3号楼")
    assert response.status_code == 302
    assert response["Location"] == reverse("people:building", args=[made.pk])
    assert (made.grid_id, made.region_id, made.region_path, made.floors) == (
        w.grid.pk,
        w.grid.community_id,
        w.grid.community.path,
        6,
    )
    assert (made.lng, made.lat) == (102.404, 36.471)

    page = client.get(reverse("people:building", args=[made.pk])).content.decode()
    add = f"{reverse('people:house_new')}?building={made.pk}"
    assert f'href="{add}"' in page
    # The house form comes with the building chosen, and takes its grid and position.
    form = client.get(add).content.decode()
    chosen = option(form, made.pk)
    assert "selected" in chosen and f'data-grid="{w.grid.pk}"' in chosen
    assert option(form, w.block.pk) and not option(form, w.block_b.pk)  # not the worker's grid
    response = client.post(
        reverse("people:house_new"),
        {
            "address": "海东市乐都区碾伯镇西关街30号1单元101室",
            "building": made.pk,
            "grid": "",
            "use": HouseUse.RENTED,
        },
    )
    assert response.status_code == 302
    house = House.objects.get(address="海东市乐都区碾伯镇西关街30号1单元101室")
    assert (house.building_id, house.grid_id, house.lng, house.lat) == (
        made.pk,
        w.grid.pk,
        102.404,
        36.471,
    )
    page = client.get(reverse("people:building", args=[made.pk])).content.decode()
    assert f'data-testid="house-row" data-id="{house.pk}"' in page
    page = client.get(reverse("people:house", args=[house.pk])).content.decode()
    assert f'href="{reverse("people:building", args=[made.pk])}"' in page


def test_a_grid_worker_corrects_a_building(client, blocks):
    w = blocks
    as_user(client, w.grid_worker)
    edit = reverse("people:building_edit", args=[w.block.pk])
    page = client.get(reverse("people:building", args=[w.block.pk])).content.decode()
    assert f'href="{edit}"' in page
    assert client.get(edit).status_code == 200
    response = client.post(edit, building_post(w.block, name="1号楼(东)", floors="18"))
    assert response.status_code == 302
    w.block.refresh_from_db()
    assert (w.block.name, w.block.floors, w.block.grid_id) == ("1号楼(东)", 18, w.grid.pk)
    # The position sent back with the form is kept.
    assert (w.block.lng, w.block.lat) == (102.405, 36.47)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"address": ""}, "address"),
        ({"name": " "}, "name"),
        ({"floors": "500"}, "floors"),
        ({"lng": "500", "lat": "36.47"}, ""),  # the position, shown above the form
    ],
)
def test_bad_input_is_shown_and_changes_nothing(client, blocks, changes, field):
    w = blocks
    as_user(client, w.grid_worker)
    edit = reverse("people:building_edit", args=[w.block.pk])
    response = client.post(edit, building_post(w.block, **changes))
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="form-error"' in body
    if field:
        assert error_of(response, field)
    if field in ("address", "name"):  # messages already in the catalogue: shown in Chinese
        assert CHINESE.search(error_of(response, field))
    if not field:
        assert "位置无效" in body
    w.block.refresh_from_db()
    assert (w.block.name, w.block.address, w.block.lng) == (
        "1号楼",
        "海东市乐都区碾伯镇西关街10号",
        102.405,
    )
    new = client.post(reverse("people:building_new"), building_post(grid=w.grid.pk, **changes))
    assert new.status_code == 400
    assert Building.objects.count() == 3


# -- the house form's building -------------------------------------------------------------------


def test_a_building_of_another_grid_than_the_one_chosen_is_refused(client, blocks):
    w = blocks
    as_user(client, w.community_officer)  # governs both grids: both buildings are offered
    form = client.get(reverse("people:house_new")).content.decode()
    assert f'data-grid="{w.grid.pk}"' in form and f'data-grid="{w.grid_b.pk}"' in form
    address = "海东市乐都区碾伯镇西关街20号2单元201室"
    response = client.post(
        reverse("people:house_new"),
        {"address": address, "building": w.block_b.pk, "grid": w.grid.pk, "use": HouseUse.OWN},
    )
    assert response.status_code == 400
    assert error_of(response, "building")
    assert not House.objects.filter(address=address).exists()
    response = client.post(
        reverse("people:house_new"),
        {"address": address, "building": w.block_b.pk, "grid": w.grid_b.pk, "use": HouseUse.OWN},
    )
    assert response.status_code == 302
    assert House.objects.get(address=address).grid_id == w.grid_b.pk


def test_a_house_is_put_in_a_building_when_corrected(client, blocks):
    w = blocks
    as_user(client, w.grid_worker)
    edit = reverse("people:house_edit", args=[w.house.pk])
    data = {"address": w.house.address, "grid": w.grid.pk, "use": HouseUse.OWN}
    assert client.post(edit, {**data, "building": w.block.pk}).status_code == 302
    w.house.refresh_from_db()
    assert w.house.building_id == w.block.pk
    form = client.get(edit).content.decode()
    assert "selected" in option(form, w.block.pk)
    # Another grid's building is not the worker's to choose.
    response = client.post(edit, {**data, "building": w.other_block.pk})
    assert response.status_code == 400
    w.house.refresh_from_db()
    assert w.house.building_id == w.block.pk
    # Out of the building again.
    assert client.post(edit, {**data, "building": ""}).status_code == 302
    w.house.refresh_from_db()
    assert w.house.building_id is None


# -- moves ---------------------------------------------------------------------------------------


def _care_world(w, house):
    """A household in ``house`` with a resident in an open group (grid worker responsible),
    one in a restricted group, a due visit and a daily check-in."""
    household = HouseholdFactory(house=house)
    person = ResidentFactory(household=household)
    open_care = CareMembershipFactory(
        resident=person, group=w.group("elderly_alone"), worker=w.grid_worker
    )
    closed_care = CareMembershipFactory(resident=person, group=w.group("community_correction"))
    visit = Visit.objects.create(
        membership=open_care,
        resident=person,
        group=open_care.group,
        grid=house.grid,
        region_path=open_care.region_path,
        due_on=dt.date.today(),
        state=VisitState.DUE,
        worker=w.grid_worker,
    )
    plan = CheckInPlan.objects.create(
        resident=person,
        token="k" * 43,
        started_on=dt.date(2024, 1, 1),
        grid=house.grid,
        region_path=person.region_path,
        worker=w.grid_worker,
    )
    return household, person, open_care, closed_care, visit, plan


def test_a_building_moved_to_another_grid_carries_its_houses_and_people(client, blocks):
    w = blocks
    house = HouseFactory(grid=w.grid, building=w.block, address="海东市乐都区碾伯镇西关街10号101室")
    household, person, open_care, closed_care, visit, plan = _care_world(w, house)
    as_user(client, w.community_officer)
    edit = reverse("people:building_edit", args=[w.block.pk])
    assert client.post(edit, building_post(w.block, grid=w.grid_b.pk)).status_code == 302

    assert Building.objects.get(pk=w.block.pk).grid_id == w.grid_b.pk
    assert House.objects.get(pk=house.pk).grid_id == w.grid_b.pk
    assert Household.objects.get(pk=household.pk).grid_id == w.grid_b.pk
    assert Resident.objects.get(pk=person.pk).grid_id == w.grid_b.pk
    # The houses outside the building stay.
    assert House.objects.get(pk=w.house.pk).grid_id == w.grid.pk
    for row in (open_care, closed_care, visit, plan):
        row.refresh_from_db()
    assert (open_care.grid_id, visit.grid_id, plan.grid_id) == (w.grid_b.pk,) * 3
    # The new grid's worker is now responsible for the open group, the visit and the
    # check-in; a restricted group's member gets no grid worker.
    assert (open_care.worker_id, visit.worker_id, plan.worker_id) == (w.grid_b_worker.pk,) * 3
    assert closed_care.worker_id is None
    as_user(client, w.grid_b_worker)
    assert client.get(reverse("people:building", args=[w.block.pk])).status_code == 200
    assert client.get(reverse("people:house", args=[house.pk])).status_code == 200


def test_a_house_moved_to_another_grid_gets_the_new_grids_worker(client, blocks):
    w = blocks
    household, person, open_care, closed_care, visit, plan = _care_world(w, w.house)
    as_user(client, w.community_officer)
    edit = reverse("people:house_edit", args=[w.house.pk])
    data = {"address": w.house.address, "grid": w.grid_b.pk, "use": HouseUse.OWN}
    assert client.post(edit, data).status_code == 302
    for row in (open_care, closed_care, visit, plan):
        row.refresh_from_db()
    assert (open_care.worker_id, visit.worker_id, plan.worker_id) == (w.grid_b_worker.pk,) * 3
    assert open_care.grid_id == w.grid_b.pk
    assert closed_care.worker_id is None
    assert CareMembership.objects.filter(worker=w.grid_worker).count() == 0


def test_a_worker_of_both_grids_keeps_the_people_who_move_between_them(client, blocks):
    w = blocks
    GridAssignmentFactory(grid=w.grid_b, user=w.grid_worker, duty="part_time")
    _household, _person, open_care, _closed, visit, plan = _care_world(w, w.house)
    services.do_update_house(
        house=w.house,
        data=services.HouseIn(address=w.house.address, grid_id=w.grid_b.pk),
        actor=w.grid_worker,
    )
    for row in (open_care, visit, plan):
        row.refresh_from_db()
    assert (open_care.worker_id, visit.worker_id, plan.worker_id) == (w.grid_worker.pk,) * 3
    assert open_care.grid_id == w.grid_b.pk


def test_a_grid_without_a_worker_leaves_no_one_responsible(client, blocks):
    """Better no worker than the old grid's, who can no longer see them."""
    w = blocks
    _household, _person, open_care, _closed, visit, plan = _care_world(w, w.house)
    services.do_update_house(
        house=w.house,
        data=services.HouseIn(address=w.house.address, grid_id=w.other_grid.pk),
        actor=w.admin,
    )
    for row in (open_care, visit, plan):
        row.refresh_from_db()
    assert (open_care.worker_id, visit.worker_id, plan.worker_id) == (None, None, None)


def test_the_lists_read_in_a_fixed_number_of_queries(client, blocks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = blocks
    as_user(client, w.grid_worker)

    def count(url) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    listing, page = reverse("people:buildings"), reverse("people:building", args=[w.block.pk])
    form = reverse("people:house_new")
    HouseFactory(grid=w.grid, building=w.block)  # an empty page reads no rows at all
    before = (count(listing), count(page), count(form))
    for n in range(20):
        BuildingFactory(grid=w.grid, name=f"{n + 20}号楼")
        HouseFactory(grid=w.grid, building=w.block)
    assert (count(listing), count(page), count(form)) == before
