"""Places in free text: pull place mentions out of a message and geocode them.

Two layers:

* ``extract_places(text)`` is pure text work: administrative units (…市/县/区/镇/乡/街道)
  and named estates, villages, roads, schools and markets (…小区/村/路/学院…), most specific
  first. It is what groups hotspots and it needs no database.
* ``locate_text(text)`` matches the regions gazetteer (``Region`` and ``Grid`` names) and
  returns the deepest region the text names — disambiguated by the ancestors it also
  names — and a grid where the text names one or the community has only one.
"""

from __future__ import annotations

import re

from . import gazetteer
from .gazetteer import TextLocation
from .text import normalise

_HAN = r"\u4e00-\u9fff"
# Administrative units, e.g. "A3区", "春华镇", "平安区", "西地省"; pseudonymised codes too.
# Not the 市 of 菜市场, 超市, 夜市 or 城市, nor the 区 of 小区, 景区, 大厦区域.
_ADMIN = re.compile(
    rf"(?:[a-zA-Z]\d*|[{_HAN}]{{2,4}}?)"
    r"(?:省|(?<![菜超夜门集早城股黑])市(?!场)|县|(?<![社小园景城营校厦])区(?!域)|镇|乡|街道)"
)
# Named places below a township. The suffix decides the kind; the name is 2–10 characters.
_SUFFIXES = (
    "小区|花园|家园|新城|新村|公寓|大厦|广场|公馆|苑|城|湾|社区|村|组|学院|大学|中学|小学|"
    "学校|幼儿园|医院|卫生院|市场|公园|车站|地铁站|站|大道|路|街|巷|工业园|产业园|景区|"
    "商场|酒店|餐厅|工厂|厂|公司|项目"
)
# A road's 路 is not the 路 of 路面, 路灯, 路况 or 路费 ("污水漫到路面" names no road).
_NAMED = re.compile(rf"([{_HAN}A-Za-z0-9]{{2,10}}?(?:{_SUFFIXES}))(?<!路(?=[面灯况费]))")
# What may follow the shortest match as part of the same name: "丽发新城" + "小区", and a
# street's market or school ("南关街" + "菜市场", "建设路" + "小学").
_TAIL = re.compile(
    rf"小区|社区|花园|家园|公寓|村|广场|大厦|[{_HAN}]{{0,4}}?(?:菜市场|市场|小学|中学|幼儿园|医院|公园)"
)
_ROADS = ("路", "街", "巷", "大道")
# Words that open a sentence rather than a name: cut them off the front of a match.
_LEADING = re.compile(
    r"^(?:附近|距离|距|靠近|关于|反映|投诉|举报|咨询|请问|请求|建议|希望|要求|我是|我们|我家|本人|位于|"
    r"提高|加强|整治|治理|规范|改善|推进|落实|增设|旁边|旁|门口|"
    r"在|对|给|把|从|向|和|与|及|的|是|有|了|将|被|为|请|求|问|办|市|区|县|镇)+"
)
_GENERIC = {
    "道路",
    "马路",
    "公路",
    "小区",
    "社区",
    "村",
    "路",
    "街",
    "学校",
    "医院",
    "公司",
    "项目",
    "市场",
    "城",
    "站",
}


def _clean(name: str) -> str:
    name = _LEADING.sub("", name)
    return name if len(name) >= 2 and name not in _GENERIC else ""


def extract_places(text: str, *, limit: int = 5) -> list[str]:
    """Place mentions in order of specificity (named places, then administrative units)."""
    named, admins = _split_places(text)
    return (named + admins)[:limit]


def named_places(text: str, *, limit: int = 3) -> list[str]:
    """Only the places below a township (estates, villages, roads, schools…)."""
    return _split_places(text)[0][:limit]


def _split_places(text: str) -> tuple[list[str], list[str]]:
    t = normalise(text)
    admins = []
    for m in _ADMIN.finditer(t):
        name = _clean(m.group(0)) or m.group(0)
        if name not in admins:
            admins.append(name)
    # Take the named places from the text with the administrative prefixes removed, so
    # "A3区麓泉社区" gives "麓泉社区" rather than "A3区麓泉社区".
    stripped = _ADMIN.sub("，", t)
    named = []
    pos = 0
    while (m := _NAMED.search(stripped, pos)) is not None:
        # The shortest suffix won ("丽发新城" of "丽发新城小区"): take a following one too,
        # and after a street, the market or school on it.
        tail = _TAIL.match(stripped, m.end())
        if tail and tail.end() - m.end() > 4 and not m.group(1).endswith(_ROADS):
            tail = None  # a few characters then a school: only after a street
        pos = tail.end() if tail else m.end()
        name = _clean(stripped[m.start(1) : pos])
        if name and name not in named:
            named.append(name)
    named.sort(key=_rank)  # stable: text order within a kind
    return named, admins


_ESTATE = (
    "小区",
    "花园",
    "家园",
    "新城",
    "新村",
    "公寓",
    "大厦",
    "广场",
    "公馆",
    "苑",
    "城",
    "湾",
    "社区",
    "村",
    "组",
)
_INSTITUTION = (
    "学院",
    "大学",
    "中学",
    "小学",
    "学校",
    "幼儿园",
    "医院",
    "卫生院",
    "市场",
    "公园",
    "景区",
    "商场",
    "工业园",
    "产业园",
)


def _rank(name: str) -> int:
    # An estate or village says where the problem is more precisely than the road it is on.
    if name.endswith(_ESTATE):
        return 0
    if name.endswith(_INSTITUTION):
        return 1
    return 2


def main_place(text: str) -> str:
    """The single most specific place a text names ('' when none)."""
    found = extract_places(text, limit=1)
    return found[0] if found else ""


# -- the gazetteer (database) -------------------------------------------------------------
def locate_text(text: str) -> TextLocation | None:
    """The deepest region (and grid, where possible) that a text names, or None."""
    return gazetteer.locate_text(text)
