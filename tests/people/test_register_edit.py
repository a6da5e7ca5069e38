"""A grid worker corrects a house or household on the phone (issue 17: "add and update them
on the phone"): its use, address, area, grid; a household's number and registration. A
house moved to another grid takes its households, residents and their care with it."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from gongzhi.core.errors import NotFound
from gongzhi.people import services
from gongzhi.people.choices import HouseUse, Registration, VisitState
from gongzhi.people.models import CheckInPlan, House, Household, Resident, Visit
from tests.factories import GridAssignmentFactory
from tests.people.factories import CareMembershipFactory, HouseholdFactory

pytestmark = pytest.mark.django_db


def as_user(client, user):
    client.force_login(user)
    return client


def house_post(house, **changes) -> dict:
    data = {
        "address": house.address,
        "grid": house.grid_id,
        "use": house.use,
        "area": house.area or "",
    }
    return {**data, **changes}


def test_a_grid_worker_rents_out_a_house_and_corrects_its_address(client, ppl):
    w = ppl
    house = w.house
    house.owner_name, house.owner_phone = "韩成林", "13909721234"
    house.save()
    as_user(client, w.grid_worker)
    page = client.get(reverse("people:house", args=[house.pk])).content.decode()
    edit = reverse("people:house_edit", args=[house.pk])
    assert f'href="{edit}"' in page

    form = client.get(edit)
    assert form.status_code == 200
    body = form.content.decode()
    assert 'name="viewport"' in body and "13909721234" not in body  # owner stays masked
    address = "海东市乐都区碾伯镇西关街14号3单元402室"
    response = client.post(
        edit, house_post(house, address=address, use=HouseUse.RENTED, area="86.5")
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("people:house", args=[house.pk])
    house.refresh_from_db()
    assert (house.address, house.use, str(house.area)) == (address, HouseUse.RENTED, "86.50")
    # The owner's data left empty on the form is kept.
    assert (house.owner_name, house.owner_phone) == ("韩成林", "13909721234")
    assert "出租" in client.get(reverse("people:house", args=[house.pk])).content.decode()


def test_another_grids_worker_cannot_open_or_change_the_house(client, ppl):
    w = ppl
    as_user(client, w.grid_b_worker)
    edit = reverse("people:house_edit", args=[w.house.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, house_post(w.house, use=HouseUse.RENTED)).status_code == 404
    household_edit = reverse("people:household_edit", args=[w.household.pk])
    assert client.post(household_edit, {"number": "9", "kind": "migrant"}).status_code == 404
    w.house.refresh_from_db()
    w.household.refresh_from_db()
    assert (w.house.use, w.household.number) == (HouseUse.OWN, "0001")


def test_an_empty_address_is_shown_beside_the_field_and_nothing_changes(client, ppl):
    w = ppl
    as_user(client, w.grid_worker)
    edit = reverse("people:house_edit", args=[w.house.pk])
    response = client.post(edit, house_post(w.house, address="", use=HouseUse.RENTED))
    assert response.status_code == 400
    error = re.search(r'data-testid="error-address">([^<]+)<', response.content.decode())
    assert error and re.search(r"[\u4e00-\u9fff]", error.group(1))  # in Chinese
    assert 'data-testid="form-error"' in response.content.decode()
    w.house.refresh_from_db()
    assert (w.house.use, w.house.address) == (
        HouseUse.OWN,
        "海东市乐都区碾伯镇西关街12号3单元402室",
    )


def test_a_house_moved_to_the_workers_other_grid_takes_its_people_and_their_care(client, ppl):
    w = ppl
    GridAssignmentFactory(grid=w.grid_b, user=w.grid_worker)
    care = CareMembershipFactory(resident=w.resident, group=w.group("elderly_alone"))
    ended = CareMembershipFactory(
        resident=w.resident, group=w.group("disabled"), until=dt.date(2024, 6, 1)
    )
    visit = Visit.objects.create(
        membership=care,
        resident=w.resident,
        group=care.group,
        grid=w.grid,
        region_path=care.region_path,
        due_on=dt.date.today(),
        state=VisitState.DUE,
    )
    plan = CheckInPlan.objects.create(
        resident=w.resident,
        token="t" * 43,
        started_on=dt.date(2024, 1, 1),
        grid=w.grid,
        region_path=w.resident.region_path,
    )
    as_user(client, w.grid_worker)
    edit = reverse("people:house_edit", args=[w.house.pk])
    assert client.post(edit, house_post(w.house, grid=w.grid_b.pk)).status_code == 302

    assert House.objects.get(pk=w.house.pk).grid_id == w.grid_b.pk
    assert Household.objects.get(pk=w.household.pk).grid_id == w.grid_b.pk
    assert Resident.objects.get(pk=w.resident.pk).grid_id == w.grid_b.pk
    care.refresh_from_db(), ended.refresh_from_db(), visit.refresh_from_db()
    plan.refresh_from_db()
    assert (care.grid_id, visit.grid_id, plan.grid_id) == (w.grid_b.pk,) * 3
    assert ended.grid_id == w.grid.pk  # past care stays where it happened
    # The other grid's worker now has them in their register.
    as_user(client, w.grid_b_worker)
    assert client.get(reverse("people:resident", args=[w.resident.pk])).status_code == 200


def test_a_household_number_and_registration_are_corrected(client, ppl):
    w = ppl
    HouseholdFactory(house=w.house, number="0009")
    as_user(client, w.grid_worker)
    page = client.get(reverse("people:household", args=[w.household.pk])).content.decode()
    edit = reverse("people:household_edit", args=[w.household.pk])
    assert f'href="{edit}"' in page
    assert client.get(edit).status_code == 200

    taken = client.post(edit, {"number": "0009", "kind": Registration.MIGRANT})
    assert taken.status_code == 400 and 'data-testid="error-number"' in taken.content.decode()
    w.household.refresh_from_db()
    assert (w.household.number, w.household.kind) == ("0001", Registration.REGISTERED)

    # Its own number again is no clash; the house cannot be changed through the form.
    other = w.house_b.pk
    done = client.post(edit, {"number": "0001", "kind": Registration.MIGRANT, "house": other})
    assert done.status_code == 302
    done = client.post(edit, {"number": "0001-2", "kind": Registration.MIGRANT})
    assert done.status_code == 302
    w.household.refresh_from_db()
    assert (w.household.number, w.household.kind, w.household.house_id) == (
        "0001-2",
        Registration.MIGRANT,
        w.house.pk,
    )


def test_a_unit_that_sees_people_only_through_care_may_not_change_the_register(client, ppl):
    """A justice office reads its community-correction members; the register is not its to
    change (neither the page nor the service)."""
    w = ppl
    CareMembershipFactory(resident=w.resident, group=w.group("community_correction"))
    as_user(client, w.justice_officer)
    assert client.get(reverse("people:resident", args=[w.resident.pk])).status_code == 200
    edit = reverse("people:house_edit", args=[w.house.pk])
    assert client.post(edit, house_post(w.house, use=HouseUse.RENTED)).status_code == 403
    household_edit = reverse("people:household_edit", args=[w.household.pk])
    assert client.post(household_edit, {"number": "9", "kind": "migrant"}).status_code == 403
    with pytest.raises(NotFound):
        services.do_update_house(
            house=w.house,
            data=services.HouseIn(address=w.house.address, grid_id=w.grid.pk, use="rented"),
            actor=w.justice_officer,
        )
    w.house.refresh_from_db()
    w.household.refresh_from_db()
    assert (w.house.use, w.household.number) == (HouseUse.OWN, "0001")
