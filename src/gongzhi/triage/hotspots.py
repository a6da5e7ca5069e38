"""热点: groups of reports about one problem of one subject — a place, a company, a policy,
an institution or a project (issue 24).

1. Each report's subjects are found in its title and opening text (``subjects.py``): named
   places, organisation/policy/project-like names (…公司/平台/车贷/新政/补贴/项目/工程/
   学院/高压线…), an estate's phase and quoted names, with the variants of one subject
   given one id (an estate and "the X near it" named in the text; 金贸路/金茂路; 人才新政/
   人才新政购房补贴/人才购房补贴). A report's *problem words* are its text without its
   subjects' names.
2. Reports are linked when their title+opening text is alike (TF-IDF over character
   bigrams, cosine ≥ ``TEXT_SIM``), or when they share a subject and their problem words
   are alike (cosine ≥ ``SUBJECT_SIM``, TF-IDF over the problem words of the reports with
   a subject, so the estate's own name makes two of its problems no more alike); and
   always within ``window_days`` of each other, within ``near_m`` if both have points and
   of one kind if both have one. The groups are the connected components.
3. Each group gets a heat index (higher is hotter)::

       heat = 10 · (0.20·ln(1+reports) + 0.45·ln(1+reporters) + 0.15·ln(1+supports)
                    + 0.10·burst + 0.10·growth)

   *reporters* counts distinct people, so one person writing ten times is not ten voices;
   *supports* are likes/点赞 and co-signatures; *burst* = 1 / (1 + span_days / 30) rewards a
   problem raised many times in a short span; *growth* ∈ [0, 1] is the share of reports in
   the last third of the group's span beyond an even spread.
4. A hotspot is named "subject · problem": the name most of its reports use for the subject
   they share, and the title closest to the group's centre without that name.

Works on plain dicts so the CLI can run it on a CSV and the platform on its cases.

Speed (issue 23: the page took 2–5.6 s): the text similarity is computed only where a link
is possible (upper triangle; a category against itself and the uncategorised) and kept only
above ``TEXT_SIM``; the problem similarity only for pairs that share a subject; names and
keywords are found only for the hotspots returned; and each report's text work (normalised
text, bigrams, subjects, problem words) is remembered between runs. The groups are the same
as comparing every pair (tests/triage/test_hotspots_links.py).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

import numpy as np

from . import subjects
from .places import named_places
from .text import normalise

TEXT_SIM = 0.5
SUBJECT_SIM = 0.08
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
    docs = [_doc(r) for r in recs]
    found, keys, forms, problems = _subjects_of(recs, docs)
    x = TfidfVectorizer(analyzer=_bigrams, sublinear_tf=True).fit_transform(
        [d or "∅" for d in docs]
    )
    # Only reports with a subject can link by one: their problem words, weighed among
    # themselves (a word every report of an estate uses says little about its problem).
    with_subject = np.array([bool(k) for k in keys])
    px = _problem_vectors([p for p, w in zip(problems, with_subject, strict=True) if w])
    stamps = np.array(
        [r["time"].timestamp() if r.get("time") else np.nan for r in recs], dtype=np.float64
    )
    lng = np.array([_float(r.get("lng")) for r in recs], dtype=np.float64)
    lat = np.array([_float(r.get("lat")) for r in recs], dtype=np.float64)
    kinds = np.array([hash(r["kind"]) if r.get("kind") is not None else 0 for r in recs])
    ti, tj = _text_pairs(x, kinds)
    si, sj = _subject_pairs(keys, px, np.flatnonzero(with_subject), kinds)
    i = np.concatenate([ti, si])
    j = np.concatenate([tj, sj])
    ok = _near(i, j, stamps, lng, lat, kinds, window_days * 86400, near_m)
    graph = coo_matrix((np.ones(int(ok.sum())), (i[ok], j[ok])), shape=(n, n))
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
        subject, said = _group_subject(members, keys, found, forms, docs)
        if not subject:
            subject = _group_place(group)
        # The problem: the title closest to the group's centre, without its subject.
        centre = np.asarray(x[members].mean(axis=0)).ravel()
        scores = x[members] @ centre
        medoid = int(np.argmax(scores))
        title = group[medoid].get("title") or docs[members[0]]
        out.append(
            Hotspot(
                place=subject,
                problem=_problem(title, said | {subject}),
                heat=heat,
                reports=len(group),
                reporters=reporters,
                supports=supports,
                first=min(times) if times else None,
                last=max(times) if times else None,
                growth=growth,
                keywords=_keywords([problems[i] for i in members], subject),
                ids=[
                    r.get("id") for r in sorted(group, key=lambda r: r.get("time") or datetime.min)
                ],
            )
        )
    return out


def _subjects_of(recs: list[dict], docs: list[str]):
    """Each report's subject spans, subject ids (shared across the batch), the forms each id
    is named by, and each report's problem words (its text without its subjects' names, so
    that two problems of one estate are not alike merely for naming the estate)."""
    found = [subjects.spans(d) for d in docs]
    keys, kept, forms = subjects.subject_keys(found)
    own: dict[str, int] = {}
    for i, r in enumerate(recs):
        if r.get("place"):  # a known place is one more subject of its own
            keys[i] = keys[i] | {-1 - own.setdefault(place_key(r["place"]), len(own))}
    problems = [subjects.strip(d, k, f[1]) for d, k, f in zip(docs, kept, found, strict=True)]
    return found, keys, forms, problems


def _group_subject(members, keys, found, forms, docs_) -> tuple[str, set[str]]:
    """The subject most of the group's reports share, said the way they most often say it,
    and all the ways they say it (to cut from the problem)."""
    votes: Counter = Counter()
    for i in members:
        votes.update(keys[i])
    if not votes:
        return "", set()
    top = max(votes.values())
    # The subjects most of the group share (a group may be joined by two names of one
    # policy, say) and the names they are said by.
    shared = {k for k, c in votes.items() if c * 2 >= top and k >= 0 and k in forms}
    if not shared:
        return "", set()
    said = {s for i in members for s in found[i][0] if any(s in forms[k] for k in shared)}
    said = said or {s for k in shared for s in forms[k]}
    # The name most of the group's reports use (the shorter of two said as often), never one
    # that runs on from another ("碧水花园小区附近搅拌站"); but one that says more than
    # its kind word ("人才购房补贴", not "购房补贴") if more than half as many say it.
    count = Counter(s for i in members for s in found[i][0] if s in said)
    heads = [f for f in said if not any(o != f and f.startswith(o) for o in said)]
    ranked = sorted(heads, key=lambda f: (-count[f], len(f), f))
    name = ranked[0]
    if not subjects.distinctive(name):
        name = next(
            (f for f in ranked if subjects.distinctive(f) and count[f] * 2 > count[name]), name
        )
    # Said as "丽发新城小区" by most of the reports that name it: show it so.
    docs = [docs_[i] for i in members if name in docs_[i]]
    for unit in ("小区", "社区"):
        if docs and sum(name + unit in d for d in docs) * 2 > len(docs):
            name += unit
            break
    return name, {s for k in shared for s in forms[k]} | {name}


_PROBLEM_LEAD = re.compile(
    r"^(?:[\s，,。:：、!！?？]|关于|反映|投诉|举报|咨询|请问|请求|建议|希望|要求|强烈|坚决|再次|"
    r"请|对|的|在|了|和|与|附近|旁边|旁|周边)+"
)


def _problem(title: str, said: set[str]) -> str:
    """The title without its subject and administrative names, opening words cut."""
    text = _normalised(title)
    for form in sorted(said, key=len, reverse=True):
        if not form.endswith(subjects.FACILITIES):  # "搅拌站" is the problem too
            text = text.replace(form, " ")
    text = re.sub(r"\s+", "", subjects.strip(text, []))
    for suffix in ("小区", "社区"):  # what was left of "丽发新城" + "小区"
        if text.startswith(suffix):
            text = text[len(suffix) :]
    text = _PROBLEM_LEAD.sub("", text)
    return (text or _normalised(title))[:60]


CHUNK = 1000


def _blocks(kinds):
    """(rows, columns) to compare: each kind's reports against their own kind and the
    untyped; the untyped against everyone. Keeping only pairs i < j then counts each
    comparable pair once."""
    n = len(kinds)
    untyped = np.flatnonzero(kinds == 0)
    if len(untyped) == n:
        return [(np.arange(n), np.arange(n))]
    blocks = []
    for kind in np.unique(kinds):
        members = np.flatnonzero(kinds == kind)
        # A kind's rows meet their own kind and the untyped; the untyped meet everyone.
        others = np.arange(n) if kind == 0 else np.union1d(members, untyped)
        blocks.append((members, others))
    return blocks


def _text_pairs(x, kinds):
    """The pairs (i < j) whose whole texts are alike (cosine ≥ ``TEXT_SIM``).

    Only the upper triangle of the similarity is computed, and rows of one kind only against
    columns of the same kind or none: the same pairs as testing every pair, at a fraction of
    the work.
    """
    rows, cols = [np.empty(0, dtype=np.int64)], [np.empty(0, dtype=np.int64)]
    blocks = _blocks(kinds)
    xt = x.T.tocsr()
    for members, others in blocks:
        xo = xt[:, others]
        for s in range(0, len(members), CHUNK):
            mine = members[s : s + CHUNK]
            # Upper triangle only: columns after the chunk's first row.
            cut = np.searchsorted(others, mine[0])
            sim = (x[mine] @ xo[:, cut:]).tocsr()
            sim.sort_indices()
            strong = sim.data >= TEXT_SIM
            if not strong.any():
                continue
            i = np.repeat(mine, np.diff(sim.indptr))[strong]
            j = others[cut:][sim.indices[strong]]
            keep = i < j
            rows.append(i[keep])
            cols.append(j[keep])
    return np.concatenate(rows), np.concatenate(cols)


def _problem_vectors(problems: list[str]):
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not problems:
        return None
    return TfidfVectorizer(analyzer=_bigrams, sublinear_tf=True).fit_transform(
        [p if p.strip() else "∅" for p in problems]
    )


def _subject_pairs(keys: list[set[int]], px, rows, kinds):
    """The pairs (i < j) that share a subject and whose problem words are alike (cosine of
    the texts without their subjects ≥ ``SUBJECT_SIM``); ``px`` has a row for each report
    in ``rows`` (those with a subject). Compared within kinds, as the texts are."""
    from scipy.sparse import csr_matrix

    n = len(keys)
    empty = np.empty(0, dtype=np.int64)
    cols = sorted({k for ks in keys for k in ks})
    if not cols:
        return empty, empty
    index = {k: c for c, k in enumerate(cols)}
    indptr = np.cumsum([0] + [len(ks) for ks in keys])
    indices = np.array([index[k] for ks in keys for k in sorted(ks)], dtype=np.int64)
    s = csr_matrix((np.ones(len(indices)), indices, indptr), shape=(n, len(cols)))
    found_i, found_j = [empty], [empty]
    for members, others in _blocks(kinds):
        shared = (s[members] @ s[others].T).tocoo()
        i, j = members[shared.row], others[shared.col]
        keep = i < j
        found_i.append(i[keep])
        found_j.append(j[keep])
    i, j = np.concatenate(found_i), np.concatenate(found_j)
    if len(i) == 0:
        return i, j
    row_of = np.full(n, -1, dtype=np.int64)
    row_of[rows] = np.arange(len(rows))
    sim = np.asarray(px[row_of[i]].multiply(px[row_of[j]]).sum(axis=1)).ravel()
    alike = sim >= SUBJECT_SIM
    return i[alike], j[alike]


def _near(i, j, stamps, lng, lat, kinds, window_s: float, near_m: float):
    """Which pairs may be one problem: within the window, both points (if any) within
    ``near_m`` and both kinds (if any) the same."""
    near = np.abs(stamps[i] - stamps[j]) <= window_s
    near |= np.isnan(stamps[i]) | np.isnan(stamps[j])
    # Equirectangular metres: exact enough within a city, and vectorised.
    dx = (lng[i] - lng[j]) * np.cos(np.radians((lat[i] + lat[j]) / 2)) * 111_320
    dist = np.hypot(dx, (lat[i] - lat[j]) * 111_320)
    near &= np.isnan(dist) | (dist <= near_m)
    near &= (kinds[i] == 0) | (kinds[j] == 0) | (kinds[i] == kinds[j])
    return near
