"""The hotspot clustering as it was before issue 23 (kept verbatim as the bench's baseline:
``bench/hotspots.py`` times it beside ``gongzhi.triage.hotspots`` on the same records and
checks both give the same hotspots).

热点: groups of reports about one problem of one place (or one group of people).

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
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from gongzhi.triage.places import named_places
from gongzhi.triage.text import normalise

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
    return named_places(rec.get("title") or "") or named_places(rec.get("text") or "")


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


def _group_place(group: list[dict]) -> str:
    """The place most of the group names (earlier, more specific mentions weigh more)."""
    votes: Counter = Counter()
    forms: dict[str, Counter] = {}
    for rec in group:
        for rank, name in enumerate(_named_places(rec)):
            key = place_key(name)
            votes[key] += 1.0 / (1 + rank)
            forms.setdefault(key, Counter())[name] += 1
    if not votes:
        return ""
    key = votes.most_common(1)[0][0]
    return forms[key].most_common(1)[0][0]


def _doc(rec: dict) -> str:
    return normalise(f"{rec.get('title') or ''} {(rec.get('text') or '')[:OPENING_CHARS]}")


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
        from gongzhi.triage.text import Tokenizer, governance_terms

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
    places = [_place(r) for r in recs]
    docs = [_doc(r) for r in recs]
    x = TfidfVectorizer(analyzer="char", ngram_range=(2, 2), sublinear_tf=True).fit_transform(
        [d or "∅" for d in docs]
    )
    stamps = np.array(
        [r["time"].timestamp() if r.get("time") else np.nan for r in recs], dtype=np.float64
    )
    place_ids = np.array([hash(p) if p else 0 for p in places])
    lng = np.array([_float(r.get("lng")) for r in recs], dtype=np.float64)
    lat = np.array([_float(r.get("lat")) for r in recs], dtype=np.float64)
    kinds = np.array([hash(r["kind"]) if r.get("kind") is not None else 0 for r in recs])
    rows, cols = [], []
    for s in range(0, n, 1000):
        sim = (x[s : s + 1000] @ x.T).tocoo()
        i, j, v = sim.row + s, sim.col, sim.data
        same_place = (place_ids[i] == place_ids[j]) & (place_ids[i] != 0)
        near = np.abs(stamps[i] - stamps[j]) <= window_days * 86400
        near |= np.isnan(stamps[i]) | np.isnan(stamps[j])
        # Equirectangular metres: exact enough within a city, and vectorised.
        dx = (lng[i] - lng[j]) * np.cos(np.radians((lat[i] + lat[j]) / 2)) * 111_320
        dist = np.hypot(dx, (lat[i] - lat[j]) * 111_320)
        near &= np.isnan(dist) | (dist <= near_m)
        near &= (kinds[i] == 0) | (kinds[j] == 0) | (kinds[i] == kinds[j])
        keep = (i < j) & near & ((v >= TEXT_SIM) | (same_place & (v >= PLACE_SIM)))
        rows.append(i[keep])
        cols.append(j[keep])
    r_, c_ = np.concatenate(rows), np.concatenate(cols)
    graph = coo_matrix((np.ones(len(r_)), (r_, c_)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)

    out = []
    for lab in np.unique(labels):
        members = np.flatnonzero(labels == lab)
        if len(members) < min_reports:
            continue
        group = [recs[i] for i in members]
        times = [r["time"] for r in group if r.get("time")]
        reporters = {r.get("reporter") if r.get("reporter") else f"anon-{id(r)}" for r in group}
        supports = sum(int(r.get("supports") or 0) for r in group)
        span_days = (max(times) - min(times)).total_seconds() / 86400 if times else 0.0
        growth = _growth(times)
        place = _group_place(group)
        # The problem: the title closest to the group's centre, said in the group's words.
        centre = np.asarray(x[members].mean(axis=0)).ravel()
        scores = x[members] @ centre
        medoid = group[int(np.argmax(scores))]
        out.append(
            Hotspot(
                place=place,
                problem=(medoid.get("title") or docs[members[0]])[:60],
                heat=heat_index(len(group), len(reporters), supports, span_days, growth),
                reports=len(group),
                reporters=len(reporters),
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
    out.sort(key=lambda h: -h.heat)
    return out[:top] if top else out
