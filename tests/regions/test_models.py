"""The region tree keeps its materialised paths right, including when a branch moves."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from gongzhi.regions.models import Grid, Region
from tests.factories import RegionFactory

from .factories import make_tree


@pytest.mark.django_db
def test_paths_and_geometry_columns_are_derived_on_save():
    tree = make_tree()
    community = tree["community"]
    assert community.path == "/630000/630200/630202/630202100/630202100001/"
    grid = tree["grids"][0]
    assert grid.region_path == community.path
    assert (grid.min_lng, grid.min_lat) == pytest.approx((102.40, 36.48))
    assert 0.9 < grid.area_km2 < 1.1  # 0.01° × 0.01° at 36.5° N ≈ 0.99 km²
    assert [r.code for r in community.ancestors()] == ["630000", "630200", "630202", "630202100"]
    assert tree["county"].descendants().count() == 2
    assert community.full_name == "海东市乐都区碾伯镇碾伯镇第1社区"


@pytest.mark.django_db
def test_moving_a_branch_updates_descendants_and_grids_in_one_transaction():
    tree = make_tree()
    other = RegionFactory(code="630203", name="平安区", level="county", parent=tree["city"])
    township = tree["township"]
    township.parent = other
    township.save()
    assert Region.objects.get(code="630202100").path == "/630000/630200/630203/630202100/"
    assert Region.objects.get(code="630202100001").path == (
        "/630000/630200/630203/630202100/630202100001/"
    )
    assert set(Grid.objects.values_list("region_path", flat=True)) == {
        "/630000/630200/630203/630202100/630202100001/"
    }
    # Untouched branches keep their paths.
    assert Region.objects.get(code="630202").path == "/630000/630200/630202/"


@pytest.mark.django_db
def test_a_failed_move_leaves_every_path_as_it_was(monkeypatch):
    tree = make_tree()
    other = RegionFactory(code="630203", name="平安区", level="county", parent=tree["city"])
    before = dict(Region.objects.values_list("code", "path"))
    grid_paths = set(Grid.objects.values_list("region_path", flat=True))

    from gongzhi.regions import models

    def boom(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(models, "move_subtree", boom)
    township = tree["township"]
    township.parent = other
    with pytest.raises(RuntimeError), transaction.atomic():
        township.save()
    assert dict(Region.objects.values_list("code", "path")) == before
    assert set(Grid.objects.values_list("region_path", flat=True)) == grid_paths


@pytest.mark.django_db
def test_changing_a_code_rewrites_the_paths_below():
    tree = make_tree()
    township = tree["township"]
    township.code = "630202101"
    township.save()
    assert Region.objects.get(name="碾伯镇第1社区").path == (
        "/630000/630200/630202/630202101/630202100001/"
    )
    assert (
        Grid.objects.filter(region_path__startswith="/630000/630200/630202/630202101/").count() == 4
    )


@pytest.mark.django_db
def test_a_region_cannot_move_under_its_own_subtree():
    tree = make_tree()
    county = tree["county"]
    county.parent = tree["community"]
    with pytest.raises(ValueError, match="own subtree"):
        county.save()
    with pytest.raises(ValidationError):
        county.full_clean()


@pytest.mark.django_db
def test_clean_requires_a_parent_at_a_higher_level():
    tree = make_tree()
    bad = Region(code="630202200", name="共和乡", level="township", parent=tree["township"])
    with pytest.raises(ValidationError, match="higher level"):
        bad.full_clean()
    Region(code="630202200", name="共和乡", level="township", parent=tree["county"]).full_clean()


@pytest.mark.django_db
def test_saving_unrelated_fields_keeps_the_path():
    tree = make_tree()
    township = tree["township"]
    township.name = "碾伯镇（新）"
    township.save(update_fields=["name"])
    township.refresh_from_db()
    assert township.path == "/630000/630200/630202/630202100/"
