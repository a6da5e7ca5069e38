"""The people API as apps and integrations use it: the same scope as the pages (404
outside the caller's area), care groups seen only as the caller's work needs, personal data
masked in every answer and revealed only with an audit entry, a resident registered through
the services with bad input refused and nothing written, and the figures."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.core.models import AuditLog
from gongzhi.people.models import Resident
from tests.api import conftest as api_fixtures
from tests.people import figures_fixtures
from tests.people.factories import id_number

as_token = api_fixtures.as_token

pytestmark = pytest.mark.django_db

# The figures' world, shared by the figures, map and API tests.
fw = figures_fixtures.fw
grow = figures_fixtures.grow

ERROR_KEYS = {"error", "message", "field"}


def items(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["items"]


def ids(response) -> set[int]:
    return {row["id"] for row in items(response)}


def test_lists_and_details_are_scoped_like_the_pages(fw, as_token):
    worker, other = as_token(fw.grid_worker), as_token(fw.other_justice_officer)
    assert ids(worker.get("/people/houses")) == {fw.house.pk, fw.rented.pk}
    assert ids(worker.get("/people/households")) == {fw.household.pk, fw.tenant.household_id}
    assert ids(worker.get("/people/residents")) == {fw.resident.pk, fw.tenant.pk}
    assert fw.resident_b.pk in ids(as_token(fw.community_officer).get("/people/residents"))
    assert ids(other.get("/people/houses")) == set()
    for path in (
        f"/people/houses/{fw.house_b.pk}",
        f"/people/households/{fw.household_b.pk}",
        f"/people/residents/{fw.resident_b.pk}",
        "/people/residents/99999999",
    ):
        response = worker.get(path)
        assert response.status_code == 404 and set(response.json()) == ERROR_KEYS, path
    detail = worker.get(f"/people/houses/{fw.house.pk}").json()
    assert [h["id"] for h in detail["households"]] == [fw.household.pk]
    assert worker.get("/people/residents", {"region": "630203"}).json()["items"] == []
    bad = worker.get("/people/residents", {"grid": "nowhere"})
    assert bad.status_code == 400 and bad.json()["field"] == "grid"


def test_care_groups_are_seen_only_as_the_callers_work_needs(fw, as_token):
    def groups(user, path="/people/care"):
        return {row["group"] for row in items(as_token(user).get(path))}

    # A grid worker never gets a 社区矫正对象 membership, nor its count.
    assert groups(fw.grid_worker) == {"elderly_alone"}
    tenant = as_token(fw.grid_worker).get(f"/people/residents/{fw.tenant.pk}").json()
    assert tenant["care"] == []
    in_group = as_token(fw.grid_worker).get("/people/residents", {"group": "community_correction"})
    assert items(in_group) == []
    figures = as_token(fw.grid_worker).get("/people/figures").json()
    assert "community_correction" not in figures["total"]["groups"]
    assert "community_correction" not in {g["code"] for g in items_of(fw, as_token)}
    # The township's justice office sees its people under correction, and only those.
    assert groups(fw.justice_officer) == {"community_correction"}
    justice = as_token(fw.justice_officer)
    assert ids(justice.get("/people/residents")) == {fw.tenant.pk}
    seen = justice.get(f"/people/residents/{fw.tenant.pk}").json()
    assert [c["group"] for c in seen["care"]] == ["community_correction"]
    assert justice.get(f"/people/residents/{fw.resident.pk}").status_code == 404
    # Another township's justice office: its own only.
    other = as_token(fw.other_justice_officer)
    assert {row["resident"] for row in items(other.get("/people/care"))} == {fw.other_person.pk}
    assert other.get(f"/people/residents/{fw.tenant.pk}").status_code == 404
    # A leader counts the group in their area, and sees none of its members.
    leader = as_token(fw.community_officer)
    assert leader.get("/people/figures").json()["total"]["groups"]["community_correction"] == 1
    assert "community_correction" not in groups(fw.community_officer)


def items_of(fw, as_token):
    response = as_token(fw.grid_worker).get("/people/groups")
    assert response.status_code == 200
    return response.json()


def test_visits_due_follow_the_groups_rule(fw, as_token):
    def due(user, **params):
        return ids(as_token(user).get("/people/visits/due", params))

    assert due(fw.grid_worker) == {fw.alone_late.pk}
    assert due(fw.justice_officer) == {fw.correction_due.pk}
    assert due(fw.other_justice_officer) == {fw.other_due.pk}
    assert due(fw.justice_officer, late=True) == set()
    row = items(as_token(fw.grid_worker).get("/people/visits/due"))[0]
    assert row["resident_name"] == "韩**" and row["late"] is True


def test_every_answer_is_masked(fw, as_token):
    client = as_token(fw.community_officer)
    for path in (
        "/people/residents",
        f"/people/residents/{fw.resident.pk}",
        f"/people/households/{fw.household.pk}",
        "/people/houses",
        f"/people/houses/{fw.house.pk}",
        "/people/care",
        "/people/visits/due",
    ):
        body = client.get(path).content.decode()
        for value in ("韩成林", "13909721234", fw.resident.id_number, "马福贵"):
            assert value not in body, (path, value)
    person = client.get(f"/people/residents/{fw.resident.pk}").json()
    assert (person["name"], person["phone"]) == ("韩**", "139****1234")
    assert (
        person["id_number"] == fw.resident.id_number[:6] + "********" + fw.resident.id_number[-4:]
    )


def test_a_reveal_shows_what_the_role_may_see_and_is_audited(fw, as_token):
    response = as_token(fw.grid_worker).post(f"/people/residents/{fw.resident.pk}/reveal")
    assert response.status_code == 200, response.content
    assert response.json() == {"name": "韩成林", "id_number": None, "phone": "13909721234"}
    entry = AuditLog.objects.get(action="unmask", actor=fw.grid_worker)
    assert entry.object_id == str(fw.resident.pk) and entry.fields == ["name", "phone"]
    owner = as_token(fw.admin).post(f"/people/houses/{fw.house.pk}/reveal")
    assert owner.json()["owner_name"] == "马福贵"
    assert AuditLog.objects.filter(action="unmask", actor=fw.admin).exists()


def test_a_reveal_outside_the_area_or_the_role_is_refused(fw, as_token):
    hidden = as_token(fw.grid_worker).post(f"/people/residents/{fw.resident_b.pk}/reveal")
    assert hidden.status_code == 404 and set(hidden.json()) == ERROR_KEYS
    refused = as_token(fw.community_officer).post(f"/people/residents/{fw.resident.pk}/reveal")
    assert refused.status_code == 403 and "韩成林" not in refused.content.decode()
    assert not AuditLog.objects.filter(action="unmask").exists()


def body(fw, **extra) -> dict:
    return {
        "name": "冶玉兰",
        "id_number": id_number(fw.ago(365 * 30), 77, sex="female"),
        "household": fw.household.pk,
        "phone": "13909725678",
        "relation": "spouse",
        **extra,
    }


def test_a_grid_worker_registers_a_resident_masked_in_the_answer(fw, as_token):
    response = as_token(fw.grid_worker).post("/people/residents", body(fw))
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["name"] == "冶**" and "13909725678" not in response.content.decode()
    person = Resident.objects.get(pk=created["id"])
    assert (person.name, person.sex, person.grid_id) == ("冶玉兰", "female", fw.grid.pk)
    assert person.created_by == fw.grid_worker


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id_number": "630202199001011235"}, "id_number"),  # wrong check digit
        ({"id_number": "630202900101123"}, "id_number"),  # an old 15-digit number
        ({"relation": "tenant"}, "stay_until"),  # a tenant's stay must end
    ],
)
def test_bad_input_is_refused_and_nothing_written(fw, as_token, change, field):
    before = Resident.objects.count()
    response = as_token(fw.grid_worker).post("/people/residents", body(fw, **change))
    assert response.status_code == 400, response.content
    answer = response.json()
    assert {"error", "message", "field"} <= set(answer) and answer["field"] == field
    assert Resident.objects.count() == before


def test_a_duplicate_id_and_a_household_elsewhere_are_refused(fw, as_token):
    client = as_token(fw.grid_worker)
    twice = client.post("/people/residents", body(fw, id_number=fw.resident_b.id_number))
    assert twice.status_code == 400 and twice.json()["error"] == "duplicate_id_number"
    assert "马秀英" not in twice.content.decode()
    elsewhere = client.post("/people/residents", body(fw, household=fw.household_b.pk))
    assert elsewhere.status_code == 400 and elsewhere.json()["field"] == "household"
    justice = as_token(fw.justice_officer).post("/people/residents", body(fw))
    assert justice.status_code == 400 and justice.json()["field"] == "household"
    assert Resident.objects.filter(name="冶玉兰").count() == 0


def test_the_figures_endpoint_gives_the_pages_numbers(fw, as_token):
    answer = as_token(fw.community_officer).get("/people/figures")
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert data["region"] == fw.regions.xiguan.code
    grid = next(r for r in data["rows"] if r["code"] == fw.grid.code)
    assert (grid["registered"], grid["migrant"], grid["houses_by_use"]["rented"]) == (1, 1, 1)
    assert (grid["visits"], grid["on_time"], grid["on_time_rate"]) == (5, 3, 0.6)
    assert (data["total"]["plan_days"], data["total"]["kept"]) == (19, 8)
    refused = as_token(fw.community_officer).get("/people/figures", {"region": "630203100"})
    assert refused.status_code == 403 and set(refused.json()) == ERROR_KEYS


@pytest.mark.parametrize(
    "path",
    [
        "/people/residents",
        "/people/households",
        "/people/houses",
        "/people/buildings",
        "/people/care",
        "/people/visits/due",
        "/people/figures",
    ],
)
def test_the_query_count_does_not_grow_with_the_rows(fw, as_token, path):
    client = as_token(fw.community_officer)
    client.get(path)
    grow(fw, 2)
    with CaptureQueriesContext(connection) as few:
        small = client.get(path)
    grow(fw, 12)
    with CaptureQueriesContext(connection) as many:
        big = client.get(path)
    assert small.status_code == big.status_code == 200
    assert len(many) == len(few), [q["sql"][:100] for q in many.captured_queries]
    if "items" in big.json():
        assert big.json()["count"] > small.json()["count"]


def test_buildings_are_scoped_and_list_their_houses(fw, as_token):
    from tests.people.factories import BuildingFactory

    block = BuildingFactory(grid=fw.grid, name="1号楼", address="海东市乐都区碾伯镇西关街12号")
    block_b = BuildingFactory(grid=fw.grid_b, name="9号楼", address="海东市乐都区碾伯镇西关街40号")
    fw.house.building = block
    fw.house.save(update_fields=["building"])
    worker = as_token(fw.grid_worker)
    assert ids(worker.get("/people/buildings")) == {block.pk}
    assert ids(as_token(fw.community_officer).get("/people/buildings")) >= {block.pk, block_b.pk}
    assert items(worker.get("/people/buildings", {"q": "9号"})) == []
    detail = worker.get(f"/people/buildings/{block.pk}").json()
    assert detail["houses"] == 1 and [h["id"] for h in detail["house_list"]] == [fw.house.pk]
    assert detail["house_list"][0]["owner_name"] != fw.house.owner_name or not fw.house.owner_name
    outside = worker.get(f"/people/buildings/{block_b.pk}")
    assert outside.status_code == 404 and set(outside.json()) == ERROR_KEYS
