"""The register's pages through the Django test client: who sees which house, household,
resident and care group, masking and the audited reveal, the grid worker's forms (add a
house, a household, a resident; correct, move out, add a stay; enrol and end care), the
menu, and lists whose query count does not grow with their rows."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongzhi.core.models import AuditLog
from gongzhi.core.navigation import menu_for
from gongzhi.people.models import CareMembership, House, Household, Resident, Stay
from tests.people.factories import (
    CareMembershipFactory,
    HouseFactory,
    HouseholdFactory,
    ResidentFactory,
    id_number,
)

pytestmark = pytest.mark.django_db

ROW = re.compile(r'data-testid="resident-row" data-id="(\d+)"')


def listed(response) -> set[int]:
    assert response.status_code == 200
    return {int(pk) for pk in ROW.findall(response.content.decode())}


def text(response) -> str:
    return response.content.decode()


def as_user(client, user):
    client.force_login(user)
    return client


# -- scope ----------------------------------------------------------------------------------------


def test_a_grid_worker_lists_only_their_grid(client, ppl):
    w = ppl
    as_user(client, w.grid_worker)
    assert listed(client.get(reverse("people:residents"))) == {w.resident.pk}
    houses = text(client.get(reverse("people:houses")))
    assert w.house.address in houses and w.house_b.address not in houses
    households = text(client.get(reverse("people:households")))
    assert f'data-id="{w.household.pk}"' in households
    assert f'data-id="{w.household_b.pk}"' not in households


def test_another_grids_worker_cannot_open_the_records(client, ppl):
    w = ppl
    as_user(client, w.grid_b_worker)
    assert listed(client.get(reverse("people:residents"))) == {w.resident_b.pk}
    for name, pk in [
        ("people:resident", w.resident.pk),
        ("people:household", w.household.pk),
        ("people:house", w.house.pk),
    ]:
        assert client.get(reverse(name, args=[pk])).status_code == 404
    response = client.post(reverse("people:resident_reveal", args=[w.resident.pk]))
    assert response.status_code == 404
    assert not AuditLog.objects.filter(action="unmask").exists()


def test_the_community_sees_both_grids_and_narrows_by_grid_and_search(client, ppl):
    w = ppl
    as_user(client, w.community_officer)
    url = reverse("people:residents")
    assert listed(client.get(url)) == {w.resident.pk, w.resident_b.pk}
    assert listed(client.get(url, {"grid": w.grid_b.pk})) == {w.resident_b.pk}
    assert listed(client.get(url, {"q": "西关街40号"})) == {w.resident_b.pk}
    assert listed(client.get(url, {"q": "0001"})) == {w.resident.pk}  # household number
    # Another township's resident is never listed, whatever the filter asks.
    assert w.other_person.pk not in listed(client.get(url, {"grid": w.other_grid.pk}))


def test_moved_out_and_migrant_filters(client, ppl):
    w = ppl
    migrant = ResidentFactory(household=w.household, kind="migrant", name="冶玉兰")
    gone = ResidentFactory(
        household=w.household, moved_out=dt.date(2024, 5, 1), left_reason="moved"
    )
    as_user(client, w.grid_worker)
    url = reverse("people:residents")
    assert listed(client.get(url)) == {w.resident.pk, migrant.pk}
    assert listed(client.get(url, {"kind": "migrant"})) == {migrant.pk}
    assert listed(client.get(url, {"status": "moved_out"})) == {gone.pk}
    assert listed(client.get(url, {"status": "all"})) == {w.resident.pk, migrant.pk, gone.pk}


def test_a_unit_without_a_place_or_care_function_is_refused(client, ppl):
    as_user(client, ppl.handler)  # 城管局: governs no place, no care function
    assert client.get(reverse("people:residents")).status_code == 403
    assert client.get(reverse("people:houses")).status_code == 403
    as_user(client, ppl.justice_officer)  # reads people only through care groups
    assert client.get(reverse("people:houses")).status_code == 403
    assert client.get(reverse("people:residents")).status_code == 200


# -- care groups ---------------------------------------------------------------------------------


@pytest.fixture
def corrected(ppl):
    """韩成林 (grid 1) under community correction and living alone."""
    CareMembershipFactory(resident=ppl.resident, group=ppl.group("community_correction"))
    CareMembershipFactory(resident=ppl.resident, group=ppl.group("elderly_alone"))
    return ppl


def test_a_grid_worker_never_sees_a_restricted_group(client, corrected):
    w = corrected
    as_user(client, w.grid_worker)
    page = text(client.get(reverse("people:residents")))
    assert "独居老人" in page and "社区矫正对象" not in page
    assert "社区矫正对象" not in text(client.get(reverse("people:resident", args=[w.resident.pk])))
    groups = text(client.get(reverse("people:groups")))
    assert 'data-code="elderly_alone" data-count="1"' in groups
    assert "community_correction" not in groups
    assert client.get(reverse("people:group", args=["community_correction"])).status_code == 404


def test_a_justice_office_sees_community_correction_in_its_township_only(client, corrected):
    w = corrected
    as_user(client, w.justice_officer)
    groups = text(client.get(reverse("people:groups")))
    assert 'data-code="community_correction" data-count="1"' in groups
    assert "elderly_alone" not in groups  # a civil-affairs group: not the justice office's
    members = text(client.get(reverse("people:group", args=["community_correction"])))
    assert f'data-resident="{w.resident.pk}"' in members
    assert "韩**" in members and "韩成林" not in members
    assert listed(client.get(reverse("people:residents"))) == {w.resident.pk}
    detail = text(client.get(reverse("people:resident", args=[w.resident.pk])))
    assert "社区矫正对象" in detail and "独居老人" not in detail
    # Another county's justice office: no member, and the person's page is not there.
    as_user(client, w.other_justice_officer)
    assert 'data-count="0"' in text(client.get(reverse("people:groups")))
    assert client.get(reverse("people:resident", args=[w.resident.pk])).status_code == 404


def test_enrol_offers_only_the_groups_the_user_may_see_and_the_service_refuses_others(client, ppl):
    w = ppl
    as_user(client, w.grid_worker)
    url = reverse("people:resident", args=[w.resident.pk])
    page = text(client.get(url))
    assert 'value="left_behind_child"' in page and 'value="community_correction"' not in page
    response = client.post(
        reverse("people:resident_enrol", args=[w.resident.pk]), {"group": "community_correction"}
    )
    assert response.status_code == 403
    assert "您的角色无权将人员纳入该人群" in text(response)
    assert not CareMembership.objects.exists()
    response = client.post(
        reverse("people:resident_enrol", args=[w.resident.pk]),
        {"group": "elderly_alone", "level": "", "since": "2025-01-02"},
    )
    assert response.status_code == 302
    care = CareMembership.objects.get()
    assert (care.group.code, care.since, care.enrolled_by) == (
        "elderly_alone",
        dt.date(2025, 1, 2),
        w.grid_worker,
    )
    response = client.post(reverse("people:care_end", args=[care.pk]), {"note": "搬去子女家"})
    assert response.status_code == 302
    care.refresh_from_db()
    assert care.until is not None and "搬去子女家" in care.note


def test_a_justice_officer_enrols_a_person_in_community_correction(client, ppl):
    w = ppl
    as_user(client, w.justice_officer)
    # The person is not yet in a group the office sees: the office cannot open them.
    assert client.get(reverse("people:resident", args=[w.resident.pk])).status_code == 404
    CareMembershipFactory(resident=w.resident, group=w.group("released_prisoner"))
    response = client.post(
        reverse("people:resident_enrol", args=[w.resident.pk]), {"group": "community_correction"}
    )
    assert response.status_code == 302
    assert CareMembership.objects.filter(group__code="community_correction").exists()


# -- masking and the reveal ----------------------------------------------------------------------


def test_a_residents_page_is_masked_and_the_reveal_is_audited(client, ppl):
    w = ppl
    as_user(client, w.grid_worker)
    url = reverse("people:resident", args=[w.resident.pk])
    page = text(client.get(url))
    assert "韩**" in page and "139****1234" in page
    assert "韩成林" not in page and "13909721234" not in page and w.resident.id_number not in page
    assert not AuditLog.objects.filter(action="unmask").exists()

    reveal = reverse("people:resident_reveal", args=[w.resident.pk])
    fragment = client.post(reveal, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    body = text(fragment)
    assert "<html" not in body and "韩成林" in body and "13909721234" in body
    assert w.resident.id_number not in body  # a grid worker may not unmask an ID number
    assert "no-cache" in fragment["Cache-Control"] or "no-store" in fragment["Cache-Control"]
    entry = AuditLog.objects.get(action="unmask")
    assert (entry.actor, entry.object_id, entry.fields) == (
        w.grid_worker,
        str(w.resident.pk),
        ["name", "phone"],
    )
    assert "<html" in text(client.post(reveal))  # without htmx: a page of its own


def test_a_role_that_may_not_unmask_is_refused_and_audited(client, ppl):
    w = ppl
    as_user(client, w.community_officer)  # a leader: sees the register, unmasks nothing
    page = text(client.get(reverse("people:resident", args=[w.resident.pk])))
    assert 'data-testid="reveal"' not in page
    response = client.post(reverse("people:resident_reveal", args=[w.resident.pk]))
    assert response.status_code == 403 and "韩成林" not in text(response)
    assert AuditLog.objects.filter(action="unmask_denied", actor=w.community_officer).exists()


def test_a_house_owner_is_masked_and_revealed_with_an_audit(client, ppl):
    w = ppl
    as_user(client, w.admin)
    page = text(client.get(reverse("people:house", args=[w.house.pk])))
    assert "马**" in page and "马福贵" not in page
    response = client.post(
        reverse("people:house_reveal", args=[w.house.pk]), headers={"HX-Request": "true"}
    )
    assert "马福贵" in text(response) and w.house.owner_id_number in text(response)
    assert AuditLog.objects.get(action="unmask").object_type == "people.house"


# -- the grid worker's forms ---------------------------------------------------------------------


def test_add_a_house_a_household_and_a_resident(client, ppl):
    w = ppl
    as_user(client, w.grid_worker)
    response = client.post(
        reverse("people:house_new"),
        {"address": "海东市乐都区碾伯镇西关街88号", "grid": w.grid.pk, "use": "rented"},
    )
    assert response.status_code == 302
    house = House.objects.get(address="海东市乐都区碾伯镇西关街88号")
    assert (house.grid, house.use) == (w.grid, "rented")
    assert response.url == reverse("people:house", args=[house.pk])
    page = text(client.get(response.url))
    assert f"{reverse('people:household_new')}?house={house.pk}" in page

    response = client.post(
        reverse("people:household_new"), {"house": house.pk, "number": "0088", "kind": "migrant"}
    )
    assert response.status_code == 302
    household = Household.objects.get(number="0088")
    assert (household.house, household.grid) == (house, w.grid)

    new_resident = reverse("people:resident_new")
    form = {
        "household": household.pk,
        "name": "冶成功",
        "phone": "13909725555",
        "relation": "head",
        "kind": "migrant",
        "moved_in": "2024-03-01",
    }
    wrong = id_number(dt.date(1985, 6, 15), 7)[:-1]
    wrong += "0" if id_number(dt.date(1985, 6, 15), 7)[-1] != "0" else "1"
    response = client.post(new_resident, {**form, "id_number": wrong})
    assert response.status_code == 400
    page = text(response)
    assert 'data-testid="error-id_number"' in page and "该身份证号码的校验码有误" in page
    assert 'value="冶成功"' in page  # what was typed stays
    assert not Resident.objects.filter(household=household).exists()

    number = id_number(dt.date(1985, 6, 15), 7, sex="female")
    response = client.post(new_resident, {**form, "id_number": number, "stay_until": "2026-03-01"})
    assert response.status_code == 302
    assert response.url == reverse("people:household", args=[household.pk])
    person = Resident.objects.get(household=household)
    assert (person.birth_date, person.sex, person.kind) == (
        dt.date(1985, 6, 15),
        "female",
        "migrant",
    )
    household.refresh_from_db()
    assert household.head == person
    assert Stay.objects.get(resident=person).until == dt.date(2026, 3, 1)
    assert "冶**" in text(client.get(response.url))


def test_a_duplicate_id_number_is_refused_beside_the_field(client, ppl):
    w = ppl
    as_user(client, w.grid_worker)
    response = client.post(
        reverse("people:resident_new"),
        {
            "household": w.household.pk,
            "name": "韩二林",
            "id_number": w.resident.id_number,
            "relation": "child",
            "kind": "registered",
        },
    )
    assert response.status_code == 400
    error = re.search(r'data-testid="error-id_number">([^<]*)<', text(response)).group(1)
    # The service's message: the household it is registered in, its address masked.
    assert "0001" in error and "西关街****" in error
    assert Resident.objects.filter(id_number=w.resident.id_number).count() == 1


def test_a_grid_worker_cannot_add_to_another_grids_household(client, ppl):
    w = ppl
    as_user(client, w.grid_worker)
    response = client.post(
        reverse("people:resident_new"),
        {
            "household": w.household_b.pk,
            "name": "韩二林",
            "id_number": id_number(dt.date(1990, 1, 1), 3),
            "relation": "child",
        },
    )
    assert response.status_code == 400
    assert not Resident.objects.filter(name="韩二林").exists()


def test_correct_a_record_without_seeing_it_unmasked(client, ppl):
    w = ppl
    as_user(client, w.grid_worker)
    url = reverse("people:resident_edit", args=[w.resident.pk])
    page = text(client.get(url))
    assert "韩成林" not in page and w.resident.id_number not in page and "韩**" in page
    response = client.post(
        url,
        {
            "name": "",
            "id_number": "",
            "phone": "13909720000",
            "relation": "head",
            "kind": "registered",
        },
    )
    assert response.status_code == 302
    w.resident.refresh_from_db()
    assert (w.resident.name, w.resident.phone, w.resident.relation) == (
        "韩成林",
        "13909720000",
        "head",
    )


def test_move_out_and_a_tenants_stay(client, ppl):
    w = ppl
    tenant = ResidentFactory(household=w.household, kind="migrant", relation="tenant")
    Stay.objects.create(
        resident=tenant, house=w.house, since=dt.date(2023, 1, 1), until=dt.date(2024, 1, 1)
    )
    as_user(client, w.grid_worker)
    house = text(client.get(reverse("people:house", args=[w.house.pk])))
    assert 'data-testid="stay" data-ended="1"' in house  # its end has passed: highlighted

    response = client.post(
        reverse("people:resident_stay", args=[tenant.pk]),
        {"since": "2024-01-01", "until": "2023-06-01"},
    )
    assert response.status_code == 400 and 'data-testid="error-until"' in text(response)
    response = client.post(
        reverse("people:resident_stay", args=[tenant.pk]),
        {"since": "2024-01-01", "until": "2099-01-01", "landlord_note": "续租两年"},
    )
    assert response.status_code == 302
    assert tenant.stays.count() == 2

    response = client.post(
        reverse("people:resident_move_out", args=[tenant.pk]),
        {"moved_out": "2025-02-01", "left_reason": "moved"},
    )
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert tenant.moved_out == dt.date(2025, 2, 1)
    assert tenant.stays.get(landlord_note="续租两年").until == dt.date(2025, 2, 1)
    # Moved out twice: the service's refusal, on the page.
    response = client.post(
        reverse("people:resident_move_out", args=[tenant.pk]), {"left_reason": "moved"}
    )
    assert response.status_code == 409


# -- the menu ------------------------------------------------------------------------------------


def names(user) -> set[str]:
    return {item.name for item in menu_for(user).get("main", []) if item.name.startswith("people_")}


def test_the_menu_shows_the_register_to_those_who_see_it(ppl):
    w = ppl
    register = {"people_houses", "people_residents", "people_groups"}
    watching = {"people_checkins", "people_figures", "people_map"}
    assert names(w.grid_worker) == register | watching | {"people_visits"}
    desk = {"people_visits_late", "people_import"}
    assert names(w.community_officer) == register | watching | desk
    assert names(w.dispatcher) == register | watching | desk
    # A justice office sees its care groups' members, never the houses or check-ins.
    assert names(w.justice_officer) == {
        "people_residents",
        "people_groups",
        "people_visits_late",
        "people_figures",
        "people_map",
    }
    assert names(w.handler) == set()
    assert names(w.operator) == set()
    assert names(w.resident) == set()


# -- query counts --------------------------------------------------------------------------------


def _fill(w, n):
    houses = [HouseFactory(grid=w.grid) for _ in range(max(1, n // 3))]
    for i in range(n):
        household = HouseholdFactory(house=houses[i % len(houses)])
        person = ResidentFactory(household=household)
        if i % 2:
            CareMembershipFactory(resident=person, group=w.group("elderly_alone"))


@pytest.mark.parametrize("name", ["people:residents", "people:houses", "people:households"])
def test_a_lists_query_count_does_not_grow_with_its_rows(client, ppl, name):
    w = ppl
    as_user(client, w.grid_worker)
    url = reverse(name)
    _fill(w, 2)  # three residents in the grid with the fixture's
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _fill(w, 27)  # thirty
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    if name == "people:residents":
        assert len(listed(response)) == 30
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_a_long_list_is_paged_with_its_filters_kept(client, ppl, monkeypatch):
    w = ppl
    monkeypatch.setattr("gongzhi.people.queries.PER_PAGE", 2)
    _fill(w, 4)
    as_user(client, w.grid_worker)
    url = reverse("people:residents")
    first = client.get(url, {"kind": "registered"})
    assert len(listed(first)) == 2 and "kind=registered&amp;page=2" in text(first)
    rest = client.get(url, {"kind": "registered", "page": 3})
    assert len(listed(rest)) == 1  # five residents: two, two, one
