"""热点: groups of reports about one problem of one place (or one group of people).

1. Each report gets its most specific place from its title (then its text), see
   ``places.extract_places``; reports that name no place below a county are grouped by text
   alone.
2. Reports are linked when their title+opening text is similar (TF-IDF over character
   bigrams, cosine) — at a lower bar when they name the same place (``PLACE_SIM``) than
   when they do not (``TEXT_SIM``) — and within ``window_days`` of each other. The groups
   are the connected components.
3. Each group gets a heat index (higher is hotter)::

       heat = 10 · (0.20·ln(1+reports) + 0.45·ln(1+reporters) + 0.15·ln(1+supports)
                    + 0.10·burst + 0.10·growth)

   *reporters* counts distinct people, so one person writing ten times is not ten voices;
   *supports* are likes/点赞 and co-signatures; *burst* = 1 / (1 + span_days / 30) rewards a
   problem raised many times in a short span; *growth* ∈ [0, 1] is the share of reports in
   the last third of the group's span beyond an even spread.

Works on plain dicts so the CLI can run it on a CSV and the platform on its cases.

Speed (issue 23: the page took 2–5.6 s): the similarity is computed only where a link is
possible (upper triangle; a category against itself and the uncategorised), the pair tests
run only on pairs similar enough, names and keywords are found only for the hotspots
returned, and each report's text work (places, normalised text, bigrams) is remembered
between runs. The groups are the same as comparing every pair (tests/triage/
test_hotspots_links.py); bench/hotspots.py compares with the code before.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

import numpy as np

from .places import named_places
from .text import normalise

TEXT_SIM = 0.5
PLACE_SIM = 0.2
NEAR_M = 500.0  # reports with points further apart than this are different places
OPENING_CHARS = 120


@dataclass
class Hotspot:
    place: str
    problem: str
    heat: float
    reports: int
    reporters: int
    supports: int
    first: datetime | None
    last: datetime | None
    growth: float
    keywords: list[str]
    ids: list = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.place} · {self.problem}" if self.place else self.problem

    def as_dict(self) -> dict:
        return {
            "label": self.label,
            "place": self.place,
            "problem": self.problem,
            "heat": round(self.heat, 2),
            "reports": self.reports,
            "reporters": self.reporters,
            "supports": self.supports,
            "first": self.first.isoformat() if self.first else None,
            "last": self.last.isoformat() if self.last else None,
            "growth": round(self.growth, 3),
            "keywords": self.keywords,
            "ids": self.ids,
        }


_ESTATE_SUFFIX = ("小区", "社区")


def _named_places(rec: dict) -> list[str]:
    if rec.get("place"):
        return [rec["place"]]
    return list(_named_in(rec.get("title") or "") or _named_in(rec.get("text") or ""))


@lru_cache(maxsize=12_000)
def _named_in(text: str) -> tuple[str, ...]:
    # The regexes are most of a hotspot run's text work, and the same reports come back in
    # every run over an overlapping period.
    return tuple(named_places(text))


def _float(value) -> float:
    return float(value) if value is not None else np.nan


def place_key(name: str) -> str:
    # "丽发新城小区", "丽发新城社区" and "丽发新城" are one place.
    for suffix in _ESTATE_SUFFIX:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _place(rec: dict) -> str:
    named = _named_places(rec)
    return place_key(named[0]) if named else ""


def _group_place(group: list[dict], named: list[list[str]] | None = None) -> str:
    """The place most of the group names (earlier, more specific mentions weigh more)."""
    votes: Counter = Counter()
    forms: dict[str, Counter] = {}
    if named is None:
        named = [_named_places(rec) for rec in group]
    for names in named:
        for rank, name in enumerate(names):
            key = place_key(name)
            votes[key] += 1.0 / (1 + rank)
            forms.setdefault(key, Counter())[name] += 1
    if not votes:
        return ""
    key = votes.most_common(1)[0][0]
    return forms[key].most_common(1)[0][0]


def _doc(rec: dict) -> str:
    return _normalised(f"{rec.get('title') or ''} {(rec.get('text') or '')[:OPENING_CHARS]}")


@lru_cache(maxsize=20_000)
def _normalised(text: str) -> str:
    return normalise(text)


_WHITE_SPACES = re.compile(r"\s\s+")


@lru_cache(maxsize=20_000)
def _bigrams(doc: str) -> tuple[str, ...]:
    """The character bigrams of ``doc``, exactly as ``TfidfVectorizer(analyzer="char",
    ngram_range=(2, 2))`` takes them (lower case, runs of white space as one), remembered:
    the same reports come back in every run."""
    text = _WHITE_SPACES.sub(" ", doc.lower())
    return tuple(text[i : i + 2] for i in range(len(text) - 1))


def _growth(times: list[datetime]) -> float:
    if len(times) < 3:
        return 0.0
    t0, t1 = min(times), max(times)
    span = (t1 - t0).total_seconds()
    if span <= 0:
        return 0.0
    late = sum(1 for t in times if (t - t0).total_seconds() >= span * 2 / 3) / len(times)
    return max(0.0, min(1.0, (late - 1 / 3) / (2 / 3)))


def heat_index(
    reports: int, reporters: int, supports: int, span_days: float, growth: float
) -> float:
    burst = 1.0 / (1.0 + span_days / 30.0)
    return 10.0 * (
        0.20 * math.log1p(reports)
        + 0.45 * math.log1p(reporters)
        + 0.15 * math.log1p(max(0, supports))
        + 0.10 * burst
        + 0.10 * growth
    )


def _keywords(docs: list[str], place: str, k: int = 3) -> list[str]:

    tok = _tokenizer()
    counts: Counter = Counter()
    for d in docs:
        counts.update({w for w in tok(d) if len(w) >= 2 and w not in place and place not in w})
    return [w for w, _n in counts.most_common(k * 3) if w not in _STOP][:k] if counts else []


_STOP = {
    "反映",
    "问题",
    "关于",
    "投诉",
    "举报",
    "咨询",
    "请问",
    "希望",
    "要求",
    "领导",
    "政府",
    "我们",
    "你们",
    "没有",
    "什么",
    "一个",
    "为什么",
    "如何",
    "是否",
    "严重",
    "相关",
    "部门",
    "已经",
    "现在",
    "解决",
    "居民",
    "业主",
}
_tok = None


def _tokenizer():
    global _tok
    if _tok is None:
        from .text import Tokenizer, governance_terms

        _tok = Tokenizer(governance_terms())
    return _tok


def hotspots(
    records: list[dict],
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    window_days: float = 90.0,
    min_reports: int = 2,
    top: int | None = 10,
    near_m: float = NEAR_M,
) -> list[Hotspot]:
    """Hotspots among ``records`` whose ``time`` lies in [start, end), hottest first.

    A record is a dict: ``id``, ``title``, ``text``, ``time`` (datetime), ``reporter`` (any
    hashable; None counts as a distinct anonymous person), ``supports`` (int) and
    optionally ``place`` (a known place name that overrides the text's), ``lng``/``lat``
    (WGS84) and ``kind`` (e.g. a category). Two reports that both have a point are linked
    only within ``near_m`` metres, and two that both have a kind only when it is the same:
    the same street name in two towns is two places, and one spot's noise and its rubbish
    are two problems.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components
    from sklearn.feature_extraction.text import TfidfVectorizer

    recs = [
        r
        for r in records
        if (start is None or (r.get("time") and r["time"] >= start))
        and (end is None or (r.get("time") and r["time"] < end))
    ]
    n = len(recs)
    if n == 0:
        return []
    named = [_named_places(r) for r in recs]  # once a record: the regexes are the cost
    places = [place_key(p[0]) if p else "" for p in named]
    docs = [_doc(r) for r in recs]
    x = TfidfVectorizer(analyzer=_bigrams, sublinear_tf=True).fit_transform(
        [d or "∅" for d in docs]
    )
    stamps = np.array(
        [r["time"].timestamp() if r.get("time") else np.nan for r in recs], dtype=np.float64
    )
    place_ids = np.array([hash(p) if p else 0 for p in places])
    lng = np.array([_float(r.get("lng")) for r in recs], dtype=np.float64)
    lat = np.array([_float(r.get("lat")) for r in recs], dtype=np.float64)
    kinds = np.array([hash(r["kind"]) if r.get("kind") is not None else 0 for r in recs])
    r_, c_ = _links(x, stamps, place_ids, lng, lat, kinds, window_days * 86400, near_m)
    graph = coo_matrix((np.ones(len(r_)), (r_, c_)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)

    # The groups' members in label order, each in record order (a stable sort).
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    scored = []
    for members in np.split(order, bounds):
        if len(members) < min_reports:
            continue
        group = [recs[i] for i in members]
        times = [r["time"] for r in group if r.get("time")]
        reporters = {r.get("reporter") if r.get("reporter") else f"anon-{id(r)}" for r in group}
        supports = sum(int(r.get("supports") or 0) for r in group)
        span_days = (max(times) - min(times)).total_seconds() / 86400 if times else 0.0
        growth = _growth(times)
        heat = heat_index(len(group), len(reporters), supports, span_days, growth)
        scored.append((heat, members, group, times, len(reporters), supports, growth))
    scored.sort(key=lambda g: -g[0])  # stable: as sorting the finished hotspots was
    if top:
        scored = scored[:top]

    # Names, problems and keywords only for the hotspots shown.
    out = []
    for heat, members, group, times, reporters, supports, growth in scored:
        place = _group_place(group, [named[i] for i in members])
        # The problem: the title closest to the group's centre, said in the group's words.
        centre = np.asarray(x[members].mean(axis=0)).ravel()
        scores = x[members] @ centre
        medoid = group[int(np.argmax(scores))]
        out.append(
            Hotspot(
                place=place,
                problem=(medoid.get("title") or docs[members[0]])[:60],
                heat=heat,
                reports=len(group),
                reporters=reporters,
                supports=supports,
                first=min(times) if times else None,
                last=max(times) if times else None,
                growth=growth,
                keywords=_keywords([docs[i] for i in members], place),
                ids=[
                    r.get("id") for r in sorted(group, key=lambda r: r.get("time") or datetime.min)
                ],
            )
        )
    return out


CHUNK = 1000


def _links(x, stamps, place_ids, lng, lat, kinds, window_s: float, near_m: float):
    """The linked pairs (i < j) as two index arrays.

    Only the upper triangle of the similarity is computed, rows of one kind only against
    columns of the same kind or none, and the place, time and distance tests only on pairs
    similar enough to pass at all (``PLACE_SIM`` ≤ ``TEXT_SIM``): the same pairs as testing
    every pair, at a fraction of the work.
    """
    n = x.shape[0]
    rows, cols = [np.empty(0, dtype=np.int64)], [np.empty(0, dtype=np.int64)]
    blocks = []
    untyped = np.flatnonzero(kinds == 0)
    if len(untyped) == n:
        blocks.append((np.arange(n), np.arange(n)))
    else:
        for kind in np.unique(kinds):
            members = np.flatnonzero(kinds == kind)
            # A kind's rows meet their own kind and the untyped; the untyped meet everyone.
            others = np.arange(n) if kind == 0 else np.union1d(members, untyped)
            blocks.append((members, others))
    xt = x.T.tocsr()
    for members, others in blocks:
        xo = xt[:, others]
        for s in range(0, len(members), CHUNK):
            mine = members[s : s + CHUNK]
            # Upper triangle only: columns after the chunk's first row.
            cut = np.searchsorted(others, mine[0])
            sim = (x[mine] @ xo[:, cut:]).tocsr()
            sim.sort_indices()
            v = sim.data
            strong = v >= PLACE_SIM
            if not strong.any():
                continue
            i = np.repeat(mine, np.diff(sim.indptr))[strong]
            j = others[cut:][sim.indices[strong]]
            v = v[strong]
            keep = i < j
            i, j, v = i[keep], j[keep], v[keep]
            same_place = (place_ids[i] == place_ids[j]) & (place_ids[i] != 0)
            near = np.abs(stamps[i] - stamps[j]) <= window_s
            near |= np.isnan(stamps[i]) | np.isnan(stamps[j])
            # Equirectangular metres: exact enough within a city, and vectorised.
            dx = (lng[i] - lng[j]) * np.cos(np.radians((lat[i] + lat[j]) / 2)) * 111_320
            dist = np.hypot(dx, (lat[i] - lat[j]) * 111_320)
            near &= np.isnan(dist) | (dist <= near_m)
            near &= (kinds[i] == 0) | (kinds[j] == 0) | (kinds[i] == kinds[j])
            ok = near & ((v >= TEXT_SIM) | (same_place & (v >= PLACE_SIM)))
            rows.append(i[ok])
            cols.append(j[ok])
    return np.concatenate(rows), np.concatenate(cols)
