"""The shared world is what the rooms' tests assume it is."""

from gongzhi.deliberation import members


def test_villagers_and_staff(hall):
    w = hall
    me = members.villager(w.villagers[0])
    assert me.region_id == w.village.pk and me.adult and me.representative and me.party_member
    assert members.villager(w.child).adult is False
    assert members.villager(w.nobody) is None
    assert members.is_committee(w.clerk, w.village.path)
    assert not members.is_committee(w.clerk, w.regions.xiguan.path)
    assert members.is_secretary(w.secretary, w.village.path)
    assert not members.is_secretary(w.clerk, w.village.path)
    assert members.oversees(w.township_staff, w.village.path)
    assert not members.oversees(w.other_clerk, w.village.path)
    counts = members.register_counts(w.village.pk)
    assert (counts.households, counts.adults, counts.representatives, counts.party_members) == (
        12,
        24,
        6,
        3,
    )
    assert members.is_urban(w.regions.xiguan) and not members.is_urban(w.village)
