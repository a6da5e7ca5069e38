"""Places named in a report's words: what groups hotspots and names them."""

import pytest

from gongzhi.triage.places import extract_places, named_places


@pytest.mark.parametrize(
    ("text", "places"),
    [
        # A street's market or school is one place, not a city called "南关街菜市".
        ("南关街菜市场门口道路积水", ["南关街菜市场"]),
        ("南关街菜市场污水横流", ["南关街菜市场"]),
        ("建设路小学门口拥堵", ["建设路小学"]),
        ("A市古曲南路广益实验中学门口摊贩脏乱差", ["古曲南路广益实验中学"]),
        # 路面, 路灯: no road called "污水漫到路" or "村里路".
        ("下水道堵塞，污水漫到路面，一段都是积水", []),
        ("村里路灯不亮", []),
        ("民族路路灯不亮", ["民族路"]),
        # Words before a name are not part of it.
        ("丽景花园小区旁搅拌站夜间噪音扰民", ["丽景花园小区", "搅拌站"]),
        ("请A市提高民办幼儿园的师资待遇水平", ["民办幼儿园"]),
        ("A3区可可小城小区晚上停水持续几个月了", ["可可小城小区"]),
        ("滨河公园夜市露天烧烤油烟大", ["滨河公园"]),
    ],
)
def test_named_places(text, places):
    assert named_places(text) == places


@pytest.mark.parametrize(
    ("text", "places"),
    [
        # 菜市场, 超市, 夜市, 城市 and 大厦区域 name no city or district.
        ("南关街菜市场污水横流", ["南关街菜市场"]),
        ("超市门口占道经营", []),
        ("加强城市管理", []),
        ("A7县星沙镇聚鑫大厦区域高楼层供水不足", ["聚鑫大厦", "a7县", "星沙镇"]),
        ("A7县黄兴镇新购指标房无合同", ["a7县", "黄兴镇"]),
    ],
)
def test_administrative_units_are_not_found_in_ordinary_words(text, places):
    assert extract_places(text) == places
