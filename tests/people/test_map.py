"""The people map: its page for the staff allowed, and its two GeoJSON layers — houses from
the register, people due a visit from ``Visit.objects.visible_to`` — scoped by role and
group, bounded by the map's view and a limit, and never naming anyone."""

import pytest

from tests.people import figures_fixtures

pytestmark = pytest.mark.django_db

# The figures' world, shared by the figures, map and API tests.
fw = figures_fixtures.fw

HOUSES = "/people/map/houses.geojson"
VISITS = "/people/map/visits.geojson"
XIGUAN = "102.40,36.46,102.42,36.48"


def layer(client, user, url, **params):
    client.force_login(user)
    response = client.get(url, params)
    return response


def features(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["features"]


def test_the_map_page_is_for_staff_who_see_people(client, fw):
    client.force_login(fw.grid_worker)
    response = client.get("/people/map/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "leaflet.js" in html and HOUSES in html and VISITS in html
    client.force_login(fw.justice_officer)  # sees people through a group, not the register
    justice = client.get("/people/map/").content.decode()
    assert VISITS in justice and HOUSES not in justice
    client.force_login(fw.other_resident)
    assert client.get("/people/map/").status_code == 403
    assert layer(client, fw.other_resident, VISITS).status_code == 403


def test_the_houses_layer_holds_the_users_register_coloured_by_use(client, fw):
    mine = features(layer(client, fw.grid_worker, HOUSES))
    assert {f["properties"]["id"] for f in mine} == {fw.house.pk, fw.rented.pk}
    rented = next(f for f in mine if f["properties"]["id"] == fw.rented.pk)
    assert rented["properties"]["use"] == "rented"
    assert rented["geometry"] == {"type": "Point", "coordinates": [102.406, 36.471]}
    community = features(layer(client, fw.community_officer, HOUSES))
    assert {f["properties"]["id"] for f in community} == {fw.house.pk, fw.rented.pk, fw.house_b.pk}
    assert features(layer(client, fw.justice_officer, HOUSES)) == []  # no register
    assert fw.other_house.pk not in {
        f["properties"]["id"] for f in features(layer(client, fw.township_staff, HOUSES))
    }


def test_people_due_a_visit_only_in_the_groups_the_user_may_see(client, fw):
    worker = features(layer(client, fw.grid_worker, VISITS))
    assert [f["properties"]["id"] for f in worker] == [fw.alone_late.pk]  # not the tenant's
    justice = features(layer(client, fw.justice_officer, VISITS))
    assert [f["properties"]["id"] for f in justice] == [fw.correction_due.pk]
    assert justice[0]["properties"]["group"] == "社区矫正对象"
    # The tenant's point is their house, as the visit's worker would find it.
    assert justice[0]["geometry"]["coordinates"] == [102.406, 36.471]
    other = features(layer(client, fw.other_justice_officer, VISITS))
    assert [f["properties"]["id"] for f in other] == [fw.other_due.pk]
    leader = features(layer(client, fw.community_officer, VISITS))
    assert fw.correction_due.pk not in {f["properties"]["id"] for f in leader}  # counts only


def test_the_layers_name_nobody(client, fw):
    response = layer(client, fw.grid_worker, VISITS)
    body = response.content.decode()
    assert "韩成林" not in body and fw.resident.id_number not in body and "1390972" not in body
    assert features(response)[0]["properties"]["label"] == "韩**"
    late = features(response)[0]["properties"]
    assert late["late"] is True and late["due_on"] == fw.ago(2).isoformat()
    houses = layer(client, fw.grid_worker, HOUSES).content.decode()
    assert "马福贵" not in houses and fw.house.owner_id_number not in houses


def test_the_layers_are_bounded_by_the_view_and_a_limit(client, fw):
    west_half = "102.40,36.46,102.4055,36.48"  # the owner's house, not the rented one
    ids = {
        f["properties"]["id"]
        for f in features(layer(client, fw.grid_worker, HOUSES, bbox=west_half))
    }
    assert ids == {fw.house.pk}
    assert features(layer(client, fw.grid_worker, VISITS, bbox="102.44,36.46,102.48,36.50")) == []
    limited = layer(client, fw.community_officer, HOUSES, bbox=XIGUAN, limit=1).json()
    assert limited["count"] == 1 and limited["truncated"] is True
    whole = layer(client, fw.community_officer, HOUSES, bbox=XIGUAN).json()
    assert whole["count"] == 3 and whole["truncated"] is False
    for bad in ({"bbox": "1,2,3"}, {"bbox": "102.5,36,102.4,37"}, {"limit": "many"}):
        refused = layer(client, fw.grid_worker, HOUSES, **bad)
        assert refused.status_code == 400 and set(refused.json()) >= {"error", "message", "field"}
