"""The community test world holds what the rooms' tests rely on."""

from gongzhi.people.members import villager


def test_the_estate_holds_the_urban_households(town):
    w = town
    assert w.estate.company == w.company
    houses = w.estate_building.houses.all()
    assert houses.count() == 4
    me = villager(w.urban_residents[0])
    assert me is not None and me.region_path == w.regions.xiguan.path
