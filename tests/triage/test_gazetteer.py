"""Text → place on the gazetteer: the township a hotline address names wins over a county's
short name that is only part of a street's ("平安大道")."""

from gongzhi.regions.models import LEVEL_ORDER
from gongzhi.triage.gazetteer import Gazetteer, RegionRow, aliases


def region(code, name, level, path):
    keys = tuple((a, a.lower()) for a in sorted(aliases(name)))
    return RegionRow(code, name, level, path, None, None, keys)


GAZETTEER = Gazetteer(
    [
        region("630200", "海东市", "city", "/630200/"),
        region("630203", "平安区", "county", "/630200/630203/"),
        region("630203100", "平安镇", "township", "/630200/630203/630203100/"),
        region("630223", "互助土族自治县", "county", "/630200/630223/"),
        region("630223205", "哈拉直沟乡", "township", "/630200/630223/630223205/"),
    ],
    [],
    LEVEL_ORDER,
)


def placed(text):
    found = GAZETTEER.locate(text)
    return found.region_name if found else None


def test_a_named_township_wins_over_a_street_named_after_another_place():
    assert placed("哈拉直沟乡平安大道137号附近") == "哈拉直沟乡"


def test_a_county_named_apart_still_backs_its_township():
    assert placed("平安区平安镇") == "平安镇"
    assert placed("平安镇平安大道12号") == "平安镇"
    assert placed("平安大道12号") == "平安镇"  # the short name alone: the deepest it names
