"""The JSON endpoints behind the overview map, and the admin pages."""

import pytest
from django.urls import reverse

from gongzhi.regions.models import Grid, GridAssignment, Region
from tests.factories import GridAssignmentFactory, RegionFactory, UserFactory

from .factories import LAT0, LNG0, make_tree


@pytest.fixture
def tree(db):
    return make_tree()


@pytest.fixture
def root(db):
    return UserFactory(username="root_admin", password="Gongzhi@Admin26", admin=True)


def test_locate_needs_a_login(client, tree):
    response = client.get(reverse("regions:locate"), {"lng": LNG0 + 0.005, "lat": LAT0 + 0.005})
    assert response.status_code == 302


def test_locate_returns_the_grid_and_its_region_chain(client, tree, root):
    client.force_login(root)
    data = client.get(reverse("regions:locate"), {"lng": LNG0 + 0.005, "lat": LAT0 + 0.005}).json()
    assert data["grid"]["code"] == "630202100001-01" and data["exact"] is True
    assert [r["name"] for r in data["regions"]] == [
        "青海省",
        "海东市",
        "乐都区",
        "碾伯镇",
        "碾伯镇第1社区",
    ]
    snapped = client.get(reverse("regions:locate"), {"lng": LNG0 - 0.001, "lat": LAT0 + 0.005})
    assert snapped.json()["exact"] is False and 80 < snapped.json()["distance_m"] < 100
    far = client.get(reverse("regions:locate"), {"lng": 100, "lat": 30}).json()
    assert far["grid"] is None and far["message"]


def test_locate_accepts_gcj02_and_rejects_bad_input(client, tree, root):
    from gongzhi.regions.coords import wgs84_to_gcj02

    client.force_login(root)
    lng, lat = wgs84_to_gcj02(LNG0 + 0.0195, LAT0 + 0.0005)
    data = client.get(reverse("regions:locate"), {"lng": lng, "lat": lat, "crs": "gcj02"}).json()
    assert data["grid"]["code"] == "630202100001-02" and data["exact"]
    for bad in (
        {"lng": "x", "lat": "1"},
        {"lat": "1"},
        {"lng": "1", "lat": "95"},
        {"lng": "nan", "lat": "1"},
        {"lng": "1", "lat": "1", "crs": "utm"},
    ):
        response = client.get(reverse("regions:locate"), bad)
        assert response.status_code == 400 and "error" in response.json()


def test_layers_are_scoped_geojson(client, tree, root):
    client.force_login(root)
    data = client.get(reverse("regions:layers")).json()
    levels = [layer["level"] for layer in data["layers"]]
    assert levels == ["township", "grid"]  # the factory's city and county have no boundary
    grids = data["layers"][-1]["features"]
    assert len(grids) == 4 and grids[0]["properties"]["name"] == "第1网格"
    assert grids[0]["geometry"]["type"] == "Polygon"
    nobody = UserFactory(username="nobody", password="Gongzhi@Nobody26")
    client.force_login(nobody)
    data = client.get(reverse("regions:layers")).json()
    assert all(not layer["features"] for layer in data["layers"])


def test_a_map_may_ask_to_leave_out_more_grids_than_it_can_show(client, tree, root):
    client.force_login(root)
    url = reverse("regions:layers")
    few = client.get(url, {"max_grids": "4"}).json()
    assert [layer["level"] for layer in few["layers"]] == ["township", "grid"]
    many = client.get(url, {"max_grids": "3"}).json()
    assert [layer["level"] for layer in many["layers"]] == ["township"]
    assert many["grids_left_out"] == 4
    # Someone who sees no region outline keeps their grids whatever the cap (nothing else
    # would show where they work).
    worker = UserFactory(username="worker", password="Gongzhi@Worker26")
    for grid in tree["grids"][:2]:
        GridAssignmentFactory(grid=grid, user=worker)
    client.force_login(worker)
    data = client.get(url, {"max_grids": "1"}).json()
    assert [layer["level"] for layer in data["layers"]][-1] == "grid"


def test_outlines_are_public_geography_for_anyone_signed_in(client, tree, root):
    """A resident's 随手拍 map draws the territory's outlines: the townships (and the city and
    county, where they have a boundary), never a grid, a record or anything personal."""
    nobody = UserFactory(username="nobody", password="Gongzhi@Nobody26")
    assert client.get(reverse("regions:outlines")).status_code == 302  # signed in only
    client.force_login(nobody)
    data = client.get(reverse("regions:outlines")).json()
    assert [layer["level"] for layer in data["layers"]] == ["township"]
    names = {f["properties"]["name"] for layer in data["layers"] for f in layer["features"]}
    assert names == set(
        Region.objects.filter(level="township", boundary__isnull=False).values_list(
            "name", flat=True
        )
    )
    assert set(data) == {"layers"}
    # The phone keeps them a while instead of fetching them for every report.
    assert "max-age=600" in client.get(reverse("regions:outlines"))["Cache-Control"]


@pytest.mark.parametrize("model", [Region, Grid, GridAssignment])
def test_admin_list_add_change_and_search_pages_open(client, tree, root, model):
    client.force_login(root)
    GridAssignmentFactory(grid=tree["grids"][0], user=root)
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    assert client.get(reverse(f"{prefix}_changelist")).status_code == 200
    assert client.get(reverse(f"{prefix}_changelist"), {"q": "630202"}).status_code == 200
    assert client.get(reverse(f"{prefix}_add")).status_code == 200
    obj = model.objects.first()
    assert client.get(reverse(f"{prefix}_change", args=[obj.pk])).status_code == 200


def test_admin_filters_and_autocompletes(client, tree, root):
    client.force_login(root)
    page = client.get(reverse("admin:regions_region_changelist"), {"level__exact": "county"})
    assert list(page.context["cl"].result_list) == [tree["county"]]
    page = client.get(reverse("admin:regions_grid_changelist"), {"q": "第2网格"})
    assert [g.code for g in page.context["cl"].result_list] == ["630202100001-02"]
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "regions", "model_name": "grid", "field_name": "community", "term": "碾伯"},
    )
    assert [r["text"] for r in response.json()["results"]] == ["碾伯镇第1社区"]  # communities only
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "regions",
            "model_name": "gridassignment",
            "field_name": "user",
            "term": "root",
        },
    )
    assert response.status_code == 200 and response.json()["results"]


def test_admin_moves_a_region_and_its_subtree(client, tree, root):
    client.force_login(root)
    other = RegionFactory(code="630203", name="平安区", level="county", parent=tree["city"])
    township = tree["township"]
    response = client.post(
        reverse("admin:regions_region_change", args=[township.pk]),
        {
            "code": township.code,
            "name": township.name,
            "level": "township",
            "parent": other.pk,
            "boundary": "null",
            "centre_lng": "",
            "centre_lat": "",
            "source": "",
            "is_synthetic": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Grid.objects.first().region_path.startswith("/630000/630200/630203/630202100/")
    # A parent at the same level is refused by the form.
    response = client.post(
        reverse("admin:regions_region_change", args=[township.pk]),
        {
            "code": township.code,
            "name": township.name,
            "level": "township",
            "parent": RegionFactory(
                code="630203100", name="平安镇", level="township", parent=other
            ).pk,
            "boundary": "null",
            "centre_lng": "",
            "centre_lat": "",
            "source": "",
        },
    )
    assert response.status_code == 200 and "higher level" in response.content.decode()
