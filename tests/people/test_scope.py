"""Who sees whom: a grid worker their grid, the community its place, a justice office the
people under correction in its township, nobody another township's people; and nobody a
restricted group's members outside their role."""

import datetime as dt

import pytest

from gongzhi.people import services
from gongzhi.people.models import Building, CareMembership, House, Household, Resident, Stay
from tests.factories import UserFactory
from tests.people.factories import BuildingFactory, CareMembershipFactory

pytestmark = pytest.mark.django_db


def names(queryset):
    return sorted(r.name for r in queryset)


def test_a_grid_worker_sees_the_register_of_their_grid_only(ppl):
    BuildingFactory(grid=ppl.grid)
    BuildingFactory(grid=ppl.grid_b)
    worker = ppl.grid_worker
    assert names(Resident.objects.visible_to(worker)) == ["韩成林"]
    assert list(House.objects.visible_to(worker)) == [ppl.house]
    assert list(Household.objects.visible_to(worker)) == [ppl.household]
    assert {b.grid_id for b in Building.objects.visible_to(worker)} == {ppl.grid.pk}
    assert names(Resident.objects.visible_to(ppl.grid_b_worker)) == ["马秀英"]
    # The community's staff see both grids, the administrators everything.
    assert names(Resident.objects.visible_to(ppl.community_officer)) == ["韩成林", "马秀英"]
    assert Resident.objects.visible_to(ppl.admin).count() == 3


def test_a_user_of_another_township_sees_nothing(ppl):
    stay = Stay.objects.create(
        resident=ppl.resident, house=ppl.house, since=dt.date(2025, 1, 1), until=dt.date(2026, 1, 1)
    )
    assert list(Stay.objects.visible_to(ppl.grid_worker)) == [stay]
    services.do_enrol(
        resident=ppl.resident, group=ppl.group("community_correction"), actor=ppl.justice_officer
    )
    services.do_enrol(
        resident=ppl.resident, group=ppl.group("elderly_alone"), actor=ppl.grid_worker
    )
    ours = {
        "residents": {ppl.resident.pk, ppl.resident_b.pk},
        "houses": {ppl.house.pk, ppl.house_b.pk},
    }
    for user in (ppl.other_justice_officer, ppl.other_dispatcher, ppl.other_resident):
        seen = set(Resident.objects.visible_to(user).values_list("pk", flat=True))
        assert not seen & ours["residents"], user
        assert not set(House.objects.visible_to(user).values_list("pk", flat=True)) & ours["houses"]
        assert not Household.objects.visible_to(user).exclude(pk=ppl.other_household.pk).exists()
        assert not CareMembership.objects.visible_to(user).exists()
        assert not Stay.objects.visible_to(user).exists()
    # 平安区's own command centre sees its own people, and a justice office nobody until one
    # of its township's people is in a group of its function.
    assert list(Resident.objects.visible_to(ppl.other_dispatcher)) == [ppl.other_person]
    assert not Resident.objects.visible_to(ppl.other_justice_officer).exists()
    # A department with no care function and no place to govern sees nobody either.
    assert not Resident.objects.visible_to(ppl.handler).exists()


@pytest.fixture
def corrected(ppl):
    """韩成林 under community correction and living alone; 马秀英 released from prison."""
    ppl.correction = CareMembershipFactory(
        resident=ppl.resident, group=ppl.group("community_correction")
    )
    ppl.alone = CareMembershipFactory(resident=ppl.resident, group=ppl.group("elderly_alone"))
    ppl.released = CareMembershipFactory(
        resident=ppl.resident_b, group=ppl.group("released_prisoner")
    )
    return ppl


def test_a_grid_worker_never_sees_a_community_correction_membership(corrected):
    w = corrected
    worker = w.grid_worker
    assert list(CareMembership.objects.visible_to(worker)) == [w.alone]
    person = Resident.objects.visible_to(worker).with_care(worker).get()
    assert [m.group.code for m in person.visible_care] == ["elderly_alone"]
    assert not Resident.objects.visible_to(worker).in_group(worker, w.correction.group).exists()
    assert list(Resident.objects.visible_to(worker).in_group(worker, w.alone.group)) == [w.resident]
    # Nor the community's leader, nor the county's dispatcher, nor the city's.
    for user in (w.community_officer, w.dispatcher, w.city_dispatcher, w.leader, w.admin):
        codes = set(CareMembership.objects.visible_to(user).values_list("group__code", flat=True))
        assert codes == {"elderly_alone"}, user


def test_the_township_justice_office_sees_its_people_under_correction(corrected):
    w = corrected
    officer = w.justice_officer
    assert set(CareMembership.objects.visible_to(officer)) == {w.correction, w.released}
    # It sees those residents (and only those), with the groups its work needs.
    people = Resident.objects.visible_to(officer).with_care(officer).order_by("pk")
    assert names(people) == ["韩成林", "马秀英"]
    assert [m.group.code for m in people[0].visible_care] == ["community_correction"]
    assert list(Resident.objects.in_group(officer, w.correction.group)) == [w.resident]
    # The police station too; the health bureau's group is not theirs to see in this one.
    assert set(CareMembership.objects.visible_to(w.police_officer)) == {w.correction, w.released}


def test_an_ended_membership_is_not_current_but_stays_visible(corrected):
    w = corrected
    services.do_end_care(membership=w.alone, actor=w.grid_worker)
    person = Resident.objects.with_care(w.grid_worker).get(pk=w.resident.pk)
    assert person.visible_care == []
    assert CareMembership.objects.visible_to(w.grid_worker).get() == w.alone


def test_a_units_function_decides_and_the_group_rows_can_change_it(corrected):
    w = corrected
    from gongzhi.accounts.models import OrganisationKind, Role
    from tests.factories import OrganisationFactory

    county_health = OrganisationFactory(
        kind=OrganisationKind.DEPARTMENT, function="WJW", regions=[w.regions.ledu]
    )
    doctor = UserFactory(organisation=county_health, role=Role.HANDLER)
    mental = CareMembershipFactory(resident=w.resident_b, group=w.group("severe_mental_illness"))
    assert list(CareMembership.objects.visible_to(doctor)) == [mental]
    assert list(Resident.objects.visible_to(doctor)) == [w.resident_b]
    group = w.group("severe_mental_illness")
    group.functions = "GAJ"
    group.save()
    doctor = type(doctor).objects.get(pk=doctor.pk)  # a new request
    assert not CareMembership.objects.visible_to(doctor).exists()


def test_leaders_count_restricted_groups_without_seeing_who(corrected):
    w = corrected
    leader = UserFactory(organisation=w.township, role="leader")
    assert not CareMembership.objects.visible_to(leader).filter(group__code="community_correction")
    counted = CareMembership.objects.for_figures(leader)
    assert set(counted.values_list("group__code", flat=True)) == {
        "community_correction",
        "elderly_alone",
        "released_prisoner",
    }
    # A grid worker's figures are only what they may see.
    assert list(CareMembership.objects.for_figures(w.grid_worker)) == [w.alone]
    assert not CareMembership.objects.for_figures(w.other_dispatcher).exists()
