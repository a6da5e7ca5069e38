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
text, bigrams, subjects, problem words) is remembered between runs. The TF-IDF vectors are
built from each text's remembered bigram numbers (``_tfidf``: sklearn's numbers, without
its per-bigram dict lookups and vocabulary sort, which were half a run), and where common
bigrams would make the text product nearly dense it is taken over the rarer ones and
bounded (``_text_pairs``). The groups are the same as comparing every pair
(tests/triage/test_hotspots_links.py).
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


_PLANE = 0x110000  # code points: a bigram (a, b) is the number a · _PLANE + b, exactly


@lru_cache(maxsize=40_000)
def _grams(doc: str) -> tuple[np.ndarray, np.ndarray]:
    """The distinct character bigrams of ``doc`` as numbers (ascending) and their sublinear
    term frequencies (1 + ln count), taken exactly as ``TfidfVectorizer(analyzer="char",
    ngram_range=(2, 2), sublinear_tf=True)`` takes them (lower case, runs of white space as
    one); remembered: the same reports come back in every run."""
    text = _WHITE_SPACES.sub(" ", doc.lower())
    cp = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    numbers, counts = np.unique(cp[:-1] * _PLANE + cp[1:], return_counts=True)
    tf = 1.0 + np.log(counts)
    numbers.flags.writeable = tf.flags.writeable = False  # shared by every run
    return numbers, tf


def _tfidf(docs: list[str]):
    """``TfidfVectorizer(analyzer="char", ngram_range=(2, 2), sublinear_tf=True)
    .fit_transform(docs)`` up to the order of its columns (which no cosine sees), from each
    text's remembered bigrams: the fit's vocabulary is one ``np.unique`` over the batch's
    bigram numbers instead of a dict lookup per bigram and a sort of the vocabulary's
    strings, which were most of a run."""
    from scipy.sparse import csr_matrix

    n = len(docs)
    grams = [_grams(d) for d in docs]
    lengths = np.fromiter((len(g[0]) for g in grams), dtype=np.int64, count=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    if not indptr[-1]:
        return csr_matrix((n, 0))
    vocabulary, columns = np.unique(np.concatenate([g[0] for g in grams]), return_inverse=True)
    # Smooth idf, as sklearn: ln((1 + n) / (1 + df)) + 1.
    idf = np.log((1 + n) / (1 + np.bincount(columns, minlength=len(vocabulary)))) + 1.0
    data = np.concatenate([g[1] for g in grams]) * idf[columns]
    rows = np.repeat(np.arange(n), lengths)
    norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=n))
    data /= norms[rows]  # a row with data has a positive norm
    # Each row's columns ascend (its numbers do, and np.unique keeps their order).
    return csr_matrix((data, columns.ravel(), indptr), shape=(n, len(vocabulary)))


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
    x = _tfidf(docs)
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
        # Rounded: of titles alike but for the last bits (set phrases), the first.
        scores = np.round(x[members] @ centre, 9)
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


def _kind_blocks(kinds):
    """``order`` (the untyped first, then each kind's reports together) and the blocks to
    compare as positions in that order, (r0, r1, c1): rows r0…r1 against columns r0…c1 (the
    upper triangle). A kind's rows meet their own kind; the untyped meet everyone (their
    rows come first, so every typed column lies after them). Keeping only positions p < q
    then counts each comparable pair once, and every block is a slice, not a fancy index."""
    n = len(kinds)
    order = np.lexsort((kinds, kinds != 0))
    sorted_kinds = kinds[order]
    untyped = int(np.count_nonzero(sorted_kinds == 0))
    starts = np.flatnonzero(np.diff(sorted_kinds)) + 1
    bounds = [int(v) for v in np.concatenate([[0], starts, [n]])]
    blocks = []
    for r0, r1 in zip(bounds[:-1], bounds[1:], strict=True):
        for c in range(r0, r1, CHUNK):
            blocks.append((c, min(c + CHUNK, r1), n if r0 < untyped else r1))
    return order, blocks


def _pairs_at(order, r0, c0, sim, at):
    """The pairs (i < j, record indices) of the entries at positions ``at`` of ``sim``, a
    block whose rows start at position r0 and columns at c0 of ``order``."""
    p = r0 + np.searchsorted(sim.indptr, at, side="right") - 1
    q = c0 + sim.indices[at]
    keep = p < q
    i, j = order[p[keep]], order[q[keep]]
    return np.minimum(i, j), np.maximum(i, j)


COMMON_SHARE = 0.01  # a bigram in more of the reports than this is "common" (see below)
HEAVY_SHARE = 0.1  # … unless more of the texts than this are mostly common bigrams


def _text_pairs(x, kinds):
    """The pairs (i < j) whose whole texts are alike (cosine ≥ ``TEXT_SIM``).

    Only the upper triangle of the similarity is computed, and rows of one kind only against
    columns of the same kind or none: the same pairs as testing every pair, at a fraction of
    the work.

    And where it pays, the product is taken over the rarer bigrams only: the common ones
    (反映, 小区, 问题…) make nearly every pair share something, so the full product is nearly
    dense, yet they weigh little (low idf). Splitting each text a = r_a + c_a (rare and
    common columns), a·b = r_a·r_b + c_a·c_b ≤ r_a·r_b + |c_a|·|c_b| (Cauchy–Schwarz), so
    a pair can reach ``TEXT_SIM`` only if that bound does: such pairs are the candidates,
    and their cosine is then computed exactly. A pair sharing no rare bigram (r_a·r_b = 0)
    can reach it only if both texts are mostly common bigrams (|c_a|·|c_b| ≥ ``TEXT_SIM``):
    those are compared in full. When many texts are (reports written from a few set
    phrases), the split gains nothing and the full product is taken. The same pairs as the
    full product either way.
    """
    n = x.shape[0]
    empty = np.empty(0, dtype=np.int64)
    if not x.nnz:
        return empty, empty
    df = np.bincount(x.indices, minlength=x.shape[1])
    common = (df > max(2.0, COMMON_SHARE * n))[x.indices]
    rows = np.repeat(np.arange(n), np.diff(x.indptr))
    c_norm = np.sqrt(np.bincount(rows, weights=np.where(common, x.data**2, 0.0), minlength=n))
    heavy = np.flatnonzero(c_norm * c_norm.max() >= TEXT_SIM - _SLACK)
    found_i, found_j = [empty], [empty]
    if len(heavy) > HEAVY_SHARE * n:
        order, products = _products(x, kinds)
        for r0, c0, sim in products:
            i, j = _pairs_at(order, r0, c0, sim, np.flatnonzero(sim.data >= TEXT_SIM))
            found_i.append(i)
            found_j.append(j)
        return np.concatenate(found_i), np.concatenate(found_j)
    rare = x.copy()
    rare.data = np.where(common, 0.0, rare.data)
    rare.eliminate_zeros()
    order, products = _products(rare, kinds)
    for r0, c0, sim in products:
        k = np.repeat(np.arange(sim.shape[0]), np.diff(sim.indptr))
        bound = sim.data + c_norm[order[r0 + k]] * c_norm[order[c0 + sim.indices]]
        i, j = _pairs_at(order, r0, c0, sim, np.flatnonzero(bound >= TEXT_SIM - _SLACK))
        found_i.append(i)
        found_j.append(j)
    # Texts mostly of common bigrams, against each other in full.
    if len(heavy) > 1:
        full = (x[heavy] @ x[heavy].T).tocoo()
        i, j = heavy[full.row], heavy[full.col]
        maybe = (i < j) & ((kinds[i] == 0) | (kinds[j] == 0) | (kinds[i] == kinds[j]))
        found_i.append(i[maybe])
        found_j.append(j[maybe])
    i, j = np.concatenate(found_i), np.concatenate(found_j)
    if not len(i):
        return i, j
    pair = np.unique(i * n + j)
    i, j = pair // n, pair % n
    return _alike(x, i, j, TEXT_SIM)


_SLACK = 1e-9  # rounding: a bound is never missed for the last bit


def _products(x, kinds):
    """(position of the first row, of the first column, x[rows] · x[columns]ᵀ) for each
    block of comparable kinds (``_kind_blocks``), by chunks of rows; and the order."""
    order, blocks = _kind_blocks(kinds)
    xs = x[order]
    return order, ((r0, r0, (xs[r0:r1] @ xs[r0:c1].T).tocsr()) for r0, r1, c1 in blocks)


def _alike(x, i, j, threshold):
    sim = np.asarray(x[i].multiply(x[j]).sum(axis=1)).ravel()
    keep = sim >= threshold
    return i[keep], j[keep]


def _problem_vectors(problems: list[str]):
    return _tfidf(problems) if problems else None


def _subject_pairs(keys: list[set[int]], px, rows, kinds):
    """The pairs (i < j) that share a subject and whose problem words are alike (cosine of
    the texts without their subjects ≥ ``SUBJECT_SIM``); ``px`` has a row for each report
    in ``rows`` (those with a subject). Compared within kinds, as the texts are: where most
    of a block's pairs share a subject (a kind's reports along one road), their problem
    words are compared as one product; elsewhere pair by pair."""
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
    # The problem words of every report (none for those without a subject).
    row_of = np.full(n, -1, dtype=np.int64)
    row_of[rows] = np.arange(len(rows))
    order, blocks = _kind_blocks(kinds)
    ss, ps = s[order], _rows_of(px, row_of[order])
    found_i, found_j, apart_i, apart_j = [empty], [empty], [empty], [empty]
    for r0, r1, c1 in blocks:
        shared = (ss[r0:r1] @ ss[r0:c1].T).tocsr()
        if not shared.nnz:
            continue
        if 3 * shared.nnz >= (r1 - r0) * (c1 - r0):
            sim = (ps[r0:r1] @ ps[r0:c1].T).multiply(shared > 0).tocsr()
            i, j = _pairs_at(order, r0, r0, sim, np.flatnonzero(sim.data >= SUBJECT_SIM))
            found_i.append(i)
            found_j.append(j)
        else:
            i, j = _pairs_at(order, r0, r0, shared, np.arange(shared.nnz))
            apart_i.append(i)
            apart_j.append(j)
    i, j = np.concatenate(apart_i), np.concatenate(apart_j)
    if len(i):
        sim = np.asarray(px[row_of[i]].multiply(px[row_of[j]]).sum(axis=1)).ravel()
        found_i.append(i[sim >= SUBJECT_SIM])
        found_j.append(j[sim >= SUBJECT_SIM])
    return np.concatenate(found_i), np.concatenate(found_j)


def _rows_of(px, at):
    """``px``'s rows at ``at``, an empty row where ``at`` is -1."""
    from scipy.sparse import csr_matrix

    has = at >= 0
    lengths = np.zeros(len(at), dtype=np.int64)
    lengths[has] = np.diff(px.indptr)[at[has]]
    taken = px[at[has]]
    indptr = np.zeros(len(at) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    return csr_matrix((taken.data, taken.indices, indptr), shape=(len(at), px.shape[1]))


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
