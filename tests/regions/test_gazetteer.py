"""The street gazetteer: an address placed on its street by the house number, other names,
two streets of one name told apart by the township named with them, the importer's checks,
the admin, and the demo's streets of the county seats."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongzhi.regions import gazetteer
from gongzhi.regions.models import Region, Street

pytestmark = pytest.mark.django_db


def line(region, start, end, name="西大街", **extra):
    return Street.objects.create(
        name=name,
        region=region,
        geometry={"type": "LineString", "coordinates": [list(start), list(end)]},
        number_from=1,
        number_to=101,
        **extra,
    )


@pytest.fixture
def streets(world):
    xiguan = world.regions.xiguan
    gaomiao = Region.objects.get(name="高庙村")
    west = line(xiguan, (102.401, 36.47), (102.419, 36.47), aliases="碾伯西大街, 西街")
    other = line(gaomiao, (102.421, 36.48), (102.439, 36.48))
    return west, other


def test_an_address_is_placed_along_its_street_by_the_house_number(streets):
    placed = gazetteer.geocode("乐都区碾伯镇西大街51号")
    assert placed.street == "西大街" and placed.number == 51 and placed.by_number
    assert placed.lng == pytest.approx(102.41, abs=1e-6) and placed.lat == pytest.approx(36.47)
    first = gazetteer.geocode("碾伯镇西大街1号")
    assert first.lng == pytest.approx(102.401)
    # A number beyond the range stays at the street's end; no number: its middle.
    assert gazetteer.geocode("碾伯镇西大街999号").lng == pytest.approx(102.419)
    middle = gazetteer.geocode("碾伯镇西大街口")
    assert middle.number is None and not middle.by_number
    assert middle.lng == pytest.approx(102.41)


def test_another_name_of_the_street_finds_it(streets):
    placed = gazetteer.geocode("西街 12 号")
    assert placed.street == "西大街" and placed.number == 12
    assert placed.region_name == "西关社区" and placed.label == "西大街12号"


def test_two_streets_of_one_name_are_told_apart_by_the_place_named(streets):
    west, other = streets
    assert gazetteer.geocode("高庙西大街5号").street_id == other.pk
    assert gazetteer.geocode("碾伯镇西大街5号").street_id == west.pk
    assert gazetteer.geocode("西关社区西大街5号").street_id == west.pk


def test_a_point_street_and_a_disabled_one(world):
    Street.objects.create(
        name="文化巷",
        region=world.regions.xiguan,
        geometry={"type": "Point", "coordinates": [102.405, 36.465]},
    )
    line(world.regions.xiguan, (102.401, 36.47), (102.419, 36.47), name="废弃路", enabled=False)
    placed = gazetteer.geocode("文化巷3号")
    assert (placed.lng, placed.lat, placed.number) == (102.405, 36.465, 3)
    assert gazetteer.geocode("废弃路3号") is None
    assert gazetteer.geocode("不知道哪里") is None and gazetteer.geocode("") is None


def test_an_edited_street_is_read_again(streets):
    west, _other = streets
    assert gazetteer.geocode("碾伯镇西大街1号").lng == pytest.approx(102.401)
    west.geometry = {"type": "LineString", "coordinates": [[102.402, 36.47], [102.419, 36.47]]}
    west.save()
    assert gazetteer.geocode("碾伯镇西大街1号").lng == pytest.approx(102.402)


def feature(region="630202100001", **props):
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [[102.401, 36.47], [102.419, 36.47]]},
        "properties": {"name": "东大街", "region": region, "from": 1, "to": 80, **props},
    }


def test_the_importer_adds_then_updates_and_refuses_a_bad_file_whole(world, tmp_path):
    data = {"type": "FeatureCollection", "features": [feature(aliases=["东街"])]}
    assert gazetteer.import_geojson(data, source="测试") == {"created": 1, "updated": 0}
    assert gazetteer.import_geojson(data) == {"created": 0, "updated": 1}
    assert Street.objects.get(name="东大街").aliases == "东街"
    bad = [
        {"type": "FeatureCollection", "features": [feature(), feature(region="630202")]},
        {"type": "FeatureCollection", "features": [feature(name="")]},
        {"type": "FeatureCollection", "features": [feature(to=None)]},
        {"type": "FeatureCollection", "features": [{**feature(), "geometry": {"type": "Polygon"}}]},
        {"features": "no"},
    ]
    for each in bad:
        with pytest.raises(gazetteer.StreetImportError):
            gazetteer.import_geojson(each)
    assert Street.objects.count() == 1
    path = tmp_path / "streets.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [{"oops": 1}]}', encoding="utf-8")
    with pytest.raises(CommandError, match="Feature 1"):
        call_command("import_streets", str(path))


def test_the_admin_lists_and_checks_streets(client, world, streets):
    client.force_login(world.admin)
    listing = client.get("/admin/regions/street/")
    assert listing.status_code == 200 and "西大街" in listing.content.decode()
    response = client.post(
        "/admin/regions/street/add/",
        {
            "name": "南大街",
            "aliases": "",
            "region": world.regions.xiguan.pk,
            "enabled": "on",
            "geometry": '{"type": "Polygon", "coordinates": []}',
            "number_from": "1",
            "number_to": "",
            "source": "",
        },
    )
    assert response.status_code == 200  # shown again with its errors
    assert not Street.objects.filter(name="南大街").exists()


def test_the_demo_places_the_county_seats_streets(world):
    from gongzhi.demo import streets as demo_streets

    # The test world has 碾伯镇 with 西关社区 as its first community.
    counts = demo_streets.load()
    assert counts["created"] >= 5
    assert demo_streets.load()["created"] == 0  # loading twice adds nothing
    placed = gazetteer.geocode("碾伯镇西大街12号")
    assert placed is not None and placed.region_name == "西关社区"
    xiguan = world.regions.xiguan
    assert xiguan.min_lng <= placed.lng <= xiguan.max_lng
    assert xiguan.min_lat <= placed.lat <= xiguan.max_lat
