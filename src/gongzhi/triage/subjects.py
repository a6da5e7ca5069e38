"""The subjects a report is about: places, but also companies, policies, institutions and
projects, found from the text alone (for hotspots, ``hotspots.py``).

* ``spans(text)``: the subject-like names of one text — named places (``places``), runs
  ending in an organisation, policy, institution or project word (…公司/平台/车贷/新政/
  补贴/项目/工程/学院/高压线…), an estate's phase (…二期) and quoted names.
* ``subject_keys(spans_per_report)``: each report's subjects as ids shared across the batch.
  Names said by one report only link nothing and are dropped (unless a variant of one
  that is kept), and so are organisation-like spans said by more than a few percent of the
  reports (phrases, not names); variants of one subject get one id: a name at the start
  or end of a longer one ("魅力之城" of "万科魅力之城"), one character apart ("金贸路"/
  "金茂路", not "东四路"/"东六路"), or sharing most character bigrams ("人才购房补贴"/
  "人才新政购房补贴").
* ``strip(doc, names, places)``: the text without its subjects, i.e. the problem words, so
  two problems of one estate are not alike merely for naming the estate.

Nothing here knows a particular name: the suffix lists are generic.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from .places import _ADMIN, _LEADING, named_places
from .places import _SUFFIXES as _PLACE_SUFFIXES

_HAN = r"\u4e00-\u9fff"
# Organisations, policies, institutions, projects and facilities: the word that ends the name.
# A nuisance facility (搅拌站, 高压线) is a subject and a problem at once: it links reports
# and stays in their problem words.
FACILITIES = ("高压线", "高压电线", "变电站", "搅拌站", "搅拌厂", "垃圾站")
_ORG_SUFFIXES = (
    "有限公司|公司|集团|平台|车贷|网贷|银行|机构|驾校|培训|协会|政策|新政|补贴|补助|项目|工程|"
    "学院|大学|学校|医院|物业|" + "|".join(FACILITIES)
)
_ORG = re.compile(rf"([{_HAN}A-Za-z0-9]{{2,10}}?(?:{_ORG_SUFFIXES}))")
# An estate's phase names the estate: "绿地海外滩二期" is "绿地海外滩".
_PHASE = re.compile(rf"([{_HAN}A-Za-z0-9]{{2,8}}?)[一二三四五六七八九十\d]期")
_QUOTED = re.compile(r"[「“\"《『]([^」”\"》』]{2,15})[」”\"》』]")
# Estate phases, unit words and generic heads said after a name: "绿地海外滩二期小区" is
# "绿地海外滩".
_TRAILING = re.compile(r"(?:[一二三四五六七八九十\d]+期|小区|社区|片区|项目部?)+$")
_GENERIC = {
    "有限公司",
    "公司",
    "集团",
    "平台",
    "政策",
    "补贴",
    "项目",
    "工程",
    "学校",
    "医院",
    "物业",
    "物业公司",
    "开发商",
    "培训",
    "银行",
    "街道",
    # A bare facility is anyone's: "the mixing plant" joins reports only with its estate.
    *FACILITIES,
}
MAX_SHARE = 0.03  # an organisation-like span named by more of the batch: not a subject
MIN_DF = 20  # … unless the batch is small
COMMON_BIGRAM = 50  # a bigram in more names than this is no sign two names are one


@lru_cache(maxsize=20_000)
def spans(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(names, places): the subject-like names of ``text`` (normalised title and opening) in
    text order, administrative prefixes cut off, and which of them are places."""
    names: list[str] = []
    for name in named_places(text, limit=6):
        _add(names, name)
    places = tuple(names)
    stripped = _ADMIN.sub("，", text)
    for m in _ORG.finditer(stripped):
        _add(names, _LEADING.sub("", m.group(1)))
        # The longer name too, when another kind word follows at once: "人才新政" and
        # "人才新政购房补贴".
        longer = _ORG.match(stripped, m.end())
        if longer and longer.end() - m.end() <= 6:
            _add(names, _LEADING.sub("", m.group(1)) + longer.group(1))
    for m in _PHASE.finditer(stripped):
        _add(names, _LEADING.sub("", m.group(1)))
    for m in _QUOTED.finditer(text):
        _add(names, m.group(1))
    return tuple(names), places


def _admin_like(word: str) -> bool:
    return bool(_ADMIN.fullmatch(word))


# Words that make a span a clause rather than a name ("政府和集团牵头为铁路").
_CLAUSE = re.compile(r"[的了在和与是对把被为有我你他她们这那么要能会就都也还而但]")


_OPENING = re.compile(r"^(?:小区|社区|业主|居民|附近|旁边|周边)+")


def _add(names: list[str], name: str) -> None:
    name = _TRAILING.sub("", _LEADING.sub("", _OPENING.sub("", name.strip(" ，,。.：:、"))))
    if _CLAUSE.search(name):
        return
    if len(name) >= 2 and name not in _GENERIC and not _admin_like(name) and name not in names:
        names.append(name)


def subject_keys(
    found: list[tuple[tuple[str, ...], tuple[str, ...]]],
) -> tuple[list[set[int]], list[list[str]], dict[int, Counter]]:
    """For each report (its ``spans``), its subject ids; the names kept (to strip from its
    text); and for each id the forms it was named by, with counts (to name a hotspot)."""
    cap = max(MIN_DF, int(MAX_SHARE * len(found)))
    df: Counter = Counter()
    places: set[str] = set()
    for names, named in found:
        df.update(set(names))
        places.update(named)
    # A name said once links nothing, and a long one-off span ("丽发新城边上在建大型搅拌站")
    # would otherwise join two subjects by containing both. A place is a place however
    # often it is named; an organisation-like span named by many reports is a phrase.
    keep = {s for s, c in df.items() if c >= 2 and (c <= cap or s in places)}
    variants = _Variants(sorted(keep, key=lambda s: (-len(s), s)), places)
    # A name said once is its subject if it is a variant of exactly one name said more often
    # ("金茂路" of "金贸路", "再次请求过问星河车贷" of "星河车贷"); it never joins two.
    ids = dict(variants.ids)
    for s, c in df.items():
        if c < 2 and s not in ids:
            matched = variants.match(s)
            if len(matched) == 1:
                ids[s] = matched.pop()
    per_report, kept, forms = [], [], {}
    for names, _ in found:
        mine = [s for s in names if s in ids]
        per_report.append({ids[s] for s in mine})
        kept.append(mine)
        for s in mine:
            forms.setdefault(ids[s], Counter())[s] += 1
    return per_report, kept, forms


class _Variants:
    """One id for the variants of one subject among ``keys`` (union-find), and the ids a
    further name is a variant of. Variants: a name at the end of a longer one ("万科魅力之城"
    and "魅力之城") or at its start ("人才新政购房补贴" and "人才新政") if it says more than
    its generic kind word ("投资有限公司" ends many names and is none of them); one
    character apart, same length (a typo or a homophone: 金贸路/金茂路); most character
    bigrams shared (Dice ≥ 0.6) between names of 4+ characters, unless they start with two
    different places ("南山路搅拌站"/"振兴路搅拌站"). A name made of two places ("南山路人民医院")
    is a variant of neither."""

    def __init__(self, keys: list[str], places: set[str] = frozenset()):
        self.present = set(keys)
        self.masks: dict[str, str] = {}
        self.by_bigram: dict[str, list[str]] = {}
        self.parent = {k: k for k in keys}
        # Two places said together ("南山路人民医院": a road and a hospital) name one spot,
        # the variant of neither: joining both would chain every road to every hospital.
        self.places = self.present & places
        compounds = {k for k in keys if _two_places(k, self.places)}
        for k in keys:
            if k in compounds:
                continue
            for other in self._alike(k):
                self._union(k, other)
            for mask in _masks(k):
                self.masks.setdefault(mask, k)
            for g in _bigrams(k) if len(k) >= 4 else ():
                self.by_bigram.setdefault(g, []).append(k)
        roots: dict[str, int] = {}
        self.ids = {k: roots.setdefault(self._root(k), len(roots)) for k in keys}

    def match(self, name: str) -> set[int]:
        # A one-off name joins at most one subject, so a shorter head will do at its end
        # ("再次请求过问星河车贷" is about "星河车贷").
        return {self.ids[k] for k in self._alike(name, tail_head=2, dice=False)}

    def _alike(self, k: str, tail_head: int = 3, dice: bool = True):
        if len(k) >= 4:
            for size in range(3, len(k)):
                if k[:size] in self.present and _distinctive(k[:size], 2):
                    yield k[:size]
                if k[-size:] in self.present and _distinctive(k[-size:], tail_head):
                    yield k[-size:]
        for i, mask in enumerate(_masks(k)):
            other = self.masks.get(mask)
            # 金贸路/金茂路 are one road, but 东四路/东六路 and 一期/二期 are two.
            if other and other != k and not {k[i], other[i]} & _ORDINALS:
                yield other
        if dice and len(k) >= 4:
            grams = _bigrams(k)
            seen: Counter = Counter()
            for g in grams:
                others = self.by_bigram.get(g, ())
                if len(others) <= COMMON_BIGRAM:  # "小区" says nothing about which
                    seen.update(others)
            mine = _leading(k, self.places)
            for other, shared in seen.items():
                if other == k or 2 * shared / (len(grams) + len(_bigrams(other))) < 0.6:
                    continue
                # Alike only in what follows two different places: 南山路搅拌站/振兴路搅拌站.
                theirs = _leading(other, self.places)
                if mine and theirs and mine != theirs:
                    continue
                yield other

    def _root(self, k: str) -> str:
        while self.parent[k] != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def _union(self, a: str, b: str) -> None:
        ra, rb = self._root(a), self._root(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _leading(name: str, places: set[str]) -> str:
    """The longest place ``name`` starts with (not the whole name), or ""."""
    return next((name[:i] for i in range(len(name) - 1, 1, -1) if name[:i] in places), "")


def _two_places(name: str, places: set[str]) -> bool:
    return any(name[:i] in places and name[i:] in places for i in range(2, len(name) - 1))


_ORDINALS = set("一二三四五六七八九十百零0123456789东西南北中上下前后左右新老大小内外甲乙丙丁")


def _masks(k: str) -> list[str]:
    return [k[:i] + "?" + k[i + 1 :] for i in range(len(k))] if len(k) >= 3 else []


def _bigrams(k: str) -> set[str]:
    return {k[i : i + 2] for i in range(len(k) - 1)}


_FACILITY_AT_END = re.compile(rf"(?:{'|'.join(FACILITIES)})$")
_ORG_AT_END = re.compile(rf"(?:{_ORG_SUFFIXES})$")
_SUFFIX_AT_END = re.compile(rf"(?:{_ORG_SUFFIXES}|{_PLACE_SUFFIXES})$")


def _distinctive(name: str, chars: int) -> bool:
    """A name with ``chars``+ characters before its kind word (小区, 公司, 补贴…)."""
    return len(_head(name)) >= chars


def distinctive(name: str) -> bool:
    """Whether ``name`` says more than its kind word: 3+ characters before it."""
    return _distinctive(name, 3)


def _head(name: str) -> str:
    return _SUFFIX_AT_END.sub("", name)


def strip(doc: str, kept: list[str], places: tuple[str, ...] = ()) -> str:
    """``doc`` without the subjects' names, administrative names and words of position
    (附近, 旁边): its problem words. A place goes whole ("碧水花园小区", "东关学校"); an
    organisation's or policy's kind word stays ("补贴" of "人才购房补贴", "车贷"), and so
    does a facility ("搅拌站"): it says what the matter is."""
    return _strip(doc, tuple(kept), tuple(p for p in places if p in kept))


_POSITION = re.compile(r"附近|旁边|周边|对面|门口|边上")


@lru_cache(maxsize=20_000)
def _strip(doc: str, kept: tuple[str, ...], places: tuple[str, ...]) -> str:
    for s in sorted(kept, key=len, reverse=True):
        kind = _FACILITY_AT_END.search(s) or (None if s in places else _ORG_AT_END.search(s))
        name = s[: kind.start()] if kind else s
        if len(name) >= 2:
            if not kind:
                doc = doc.replace(name + "小区", " ").replace(name + "社区", " ")
            doc = doc.replace(name, " ")
    return _POSITION.sub(" ", _ADMIN.sub(" ", doc))
