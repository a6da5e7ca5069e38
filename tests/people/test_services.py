"""Adding and changing the register through the services, as a grid worker does."""

import datetime as dt

import pytest

from gongzhi.core.errors import Conflict, NotAllowed, NotFound, ServiceError
from gongzhi.people import services
from gongzhi.people.models import CareMembership, Household, Resident, Stay
from tests.people.factories import id_number

pytestmark = pytest.mark.django_db

NUMBER = id_number(dt.date(2015, 6, 1), 3, sex="female")


def add(w, *, actor=None, household=None, **fields):
    data = {"name": "冶玉兰", "id_number": NUMBER, "phone": "139 0972 5678", **fields}
    return services.do_add_resident(
        data=services.ResidentIn(household_id=(household or w.household).pk, **data),
        actor=actor or w.grid_worker,
    )


def test_a_grid_worker_registers_a_resident_in_their_grid(ppl):
    person = add(ppl, relation="child")
    person.refresh_from_db()
    assert (person.birth_date, person.sex) == (dt.date(2015, 6, 1), "female")
    assert person.phone == "13909725678"
    assert (person.grid_id, person.region_path) == (ppl.grid.pk, ppl.household.region_path)
    assert person.created_by == ppl.grid_worker and person.moved_in == dt.date.today()


def test_every_problem_is_named_at_once(ppl):
    with pytest.raises(ServiceError) as error:
        add(ppl, name="冶", id_number="110105194912310021", phone="12345", relation="cousin")
    fields = {e.field for e in error.value.all}
    assert fields == {"name", "id_number", "phone", "relation"}
    assert not Resident.objects.filter(name="冶").exists()


def test_a_fifteen_digit_number_is_refused_with_its_own_message(ppl):
    with pytest.raises(ServiceError) as error:
        add(ppl, id_number="630202150601002")
    assert error.value.field == "id_number" and "18" in error.value.message


def test_a_duplicate_id_number_is_refused_naming_the_household_masked(ppl):
    with pytest.raises(ServiceError) as error:
        add(ppl, household=ppl.household_b, id_number=ppl.resident.id_number.lower())
    assert error.value.code == "duplicate_id_number" and error.value.field == "id_number"
    assert "0001" in error.value.message  # the household's number
    assert "西关街****" in error.value.message and "402" not in error.value.message
    assert Resident.objects.filter(id_number=ppl.resident.id_number).count() == 1


def test_a_duplicate_outside_the_users_area_names_only_the_place(ppl):
    with pytest.raises(ServiceError) as error:
        add(ppl, id_number=ppl.other_person.id_number)
    assert error.value.code == "duplicate_id_number"
    assert "东村" in error.value.message and "0003" not in error.value.message


def test_a_number_may_be_registered_again_once_its_holder_moved_out(ppl):
    services.do_move_out(resident=ppl.resident, actor=ppl.grid_worker)
    again = add(ppl, household=ppl.household, id_number=ppl.resident.id_number)
    assert Resident.objects.filter(id_number=again.id_number).count() == 2


def test_a_tenants_stay_needs_an_end_after_its_start(ppl):
    with pytest.raises(ServiceError) as error:
        add(ppl, relation="tenant", kind="migrant")
    assert error.value.field == "stay_until"
    start = dt.date.today() - dt.timedelta(days=10)
    with pytest.raises(ServiceError) as error:
        add(
            ppl,
            relation="tenant",
            kind="migrant",
            moved_in=start,
            stay=services.StayIn(until=start),
        )
    assert error.value.field == "stay_until"
    assert not Resident.objects.filter(id_number=NUMBER).exists()

    until = start + dt.timedelta(days=365)
    person = add(
        ppl,
        relation="tenant",
        kind="migrant",
        moved_in=start,
        stay=services.StayIn(until=until, landlord_note="房东韩成林，租期一年"),
    )
    stay = Stay.objects.get(resident=person)
    assert (stay.house, stay.since, stay.until) == (ppl.house, start, until)


def test_a_grid_worker_cannot_write_outside_their_grid(ppl):
    with pytest.raises(ServiceError) as error:
        add(ppl, household=ppl.household_b)
    assert error.value.field == "household"
    with pytest.raises(ServiceError) as error:
        services.do_add_house(
            data=services.HouseIn(address="西关街99号", grid_id=ppl.grid_b.pk),
            actor=ppl.grid_worker,
        )
    assert error.value.code == "out_of_scope"
    with pytest.raises(NotFound):
        services.do_move_out(resident=ppl.resident_b, actor=ppl.grid_worker)


def test_a_house_is_placed_by_its_point_and_a_household_follows_it(ppl):
    house = services.do_add_house(
        data=services.HouseIn(
            address="海东市乐都区碾伯镇西关街7号",
            lng=ppl.point[0],
            lat=ppl.point[1],
            use="rented",
            area="86.5",
            owner_name="马福贵",
            owner_id_number=id_number(dt.date(1970, 1, 2), 9),
            owner_phone="13909720002",
        ),
        actor=ppl.grid_worker,
    )
    assert house.grid == ppl.grid and house.region == ppl.regions.xiguan
    household = services.do_add_household(
        data=services.HouseholdIn(house_id=house.pk, number="0101", kind="migrant"),
        actor=ppl.grid_worker,
    )
    assert (household.grid_id, household.region_path) == (house.grid_id, house.region_path)
    with pytest.raises(ServiceError) as error:
        services.do_add_household(
            data=services.HouseholdIn(house_id=house.pk, number="0101"), actor=ppl.grid_worker
        )
    assert error.value.field == "number"


def test_only_one_head_per_household(ppl):
    head = add(ppl, relation="head")
    assert Household.objects.get(pk=ppl.household.pk).head == head
    with pytest.raises(ServiceError) as error:
        add(ppl, relation="head", id_number=id_number(dt.date(1980, 1, 1), 4))
    assert error.value.field == "relation"


def test_moving_out_keeps_the_record_and_ends_care(ppl):
    membership = services.do_enrol(
        resident=ppl.resident,
        group=ppl.group("elderly_alone"),
        actor=ppl.grid_worker,
        since=dt.date(2024, 1, 1),
    )
    assert membership.worker == ppl.grid_worker  # the grid's own worker by default
    assert membership.level.code == "weekly"
    services.do_move_out(resident=ppl.resident, actor=ppl.grid_worker, reason="died")
    person = Resident.objects.get(pk=ppl.resident.pk)
    assert person.moved_out == dt.date.today() and person.left_reason == "died"
    membership.refresh_from_db()
    assert membership.until == dt.date.today()
    assert not CareMembership.objects.current().filter(resident=person).exists()
    with pytest.raises(Conflict):
        services.do_move_out(resident=person, actor=ppl.grid_worker)


def test_moving_a_resident_to_another_grid_takes_their_care_along(ppl):
    membership = services.do_enrol(
        resident=ppl.resident, group=ppl.group("disabled"), actor=ppl.community_officer
    )
    services.do_update_resident(
        resident=ppl.resident,
        data=services.ResidentIn(
            name="韩成林",
            id_number=ppl.resident.id_number,
            household_id=ppl.household_b.pk,
            relation="head",
        ),
        actor=ppl.community_officer,
    )
    membership.refresh_from_db()
    assert membership.grid_id == ppl.grid_b.pk
    assert Household.objects.get(pk=ppl.household_b.pk).head_id == ppl.resident.pk
    assert CareMembership.objects.visible_to(ppl.grid_b_worker).filter(pk=membership.pk).exists()
    assert not CareMembership.objects.visible_to(ppl.grid_worker).exists()


def test_enrolment_is_refused_twice_and_ended_once(ppl):
    group = ppl.group("elderly_alone")
    membership = services.do_enrol(resident=ppl.resident, group=group, actor=ppl.grid_worker)
    with pytest.raises(ServiceError) as error:
        services.do_enrol(resident=ppl.resident, group=group, actor=ppl.grid_worker)
    assert error.value.code == "already"
    services.do_end_care(membership=membership, actor=ppl.grid_worker, note="已随子女迁居")
    with pytest.raises(Conflict):
        services.do_end_care(membership=membership, actor=ppl.grid_worker)


def test_a_grid_worker_may_not_enrol_anyone_in_a_restricted_group(ppl):
    with pytest.raises(NotAllowed):
        services.do_enrol(
            resident=ppl.resident, group=ppl.group("community_correction"), actor=ppl.grid_worker
        )
    assert not CareMembership.objects.exists()


def test_a_justice_office_enrols_but_may_not_edit_the_register(ppl):
    group = ppl.group("community_correction")
    # The person is in no group the office sees yet: it finds them through the group's rule.
    assert not Resident.objects.visible_to(ppl.justice_officer).exists()
    membership = services.do_enrol(resident=ppl.resident, group=group, actor=ppl.justice_officer)
    assert membership.worker is None  # no grid worker cares for a group they may not see
    assert list(Resident.objects.visible_to(ppl.justice_officer)) == [ppl.resident]
    with pytest.raises(NotAllowed):
        services.do_move_out(resident=ppl.resident, actor=ppl.justice_officer)
    with pytest.raises(ServiceError) as error:
        services.do_enrol(
            resident=ppl.resident_b,
            group=group,
            actor=ppl.justice_officer,
            worker=ppl.grid_b_worker,
        )
    assert error.value.field == "worker"
    with pytest.raises(NotFound):  # another county's person
        services.do_enrol(resident=ppl.other_person, group=group, actor=ppl.justice_officer)


def test_the_responsible_worker_works_the_residents_grid(ppl):
    with pytest.raises(ServiceError) as error:
        services.do_enrol(
            resident=ppl.resident,
            group=ppl.group("elderly_alone"),
            actor=ppl.community_officer,
            worker=ppl.grid_b_worker,
        )
    assert error.value.field == "worker"
