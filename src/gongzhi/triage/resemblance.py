"""How alike two reports are, and how likely they are one problem: the duplicate model.

Each record (title, text) becomes a ``Profile`` once (kept in a small per-process cache):

* ``title``: the character 1–3-grams of the title (letters and digits only), each weighted
  by (1 + ln tf) · idf, the vector L2-normalised;
* ``words``: the jieba words (with the governance terms) of the title and the opening of
  the text, weighted the same way. A reworded resubmission keeps most of its rare words
  (names, numbers, the nuisance) and loses common ones, which weigh little;
* ``said``: the same words with the place names left out: what is said about the place;
* ``places``: the estates, villages, roads, schools, companies… named in the title and the
  opening (``places.named_places``), without names of what a thing does ("搅拌站") and
  pieces of sentence the extractor took for names.

Term weights (idf) are learned from a corpus and shipped in ``data/duplicate_terms.tsv.gz``:
the grams and words that occur in at least ``MIN_DF`` documents, with their document
frequency; anything rarer weighs as much as the rarest listed. ``build_terms`` makes the
table from any list of texts (the platform's own cases, once there are enough).

A pair's features, each in [0, 1]:

==================  =========================================================================
``title``           cosine of the title vectors
``words``           cosine of the word vectors
``place_shared``    1 when a place one names is named in the other's title or opening
``place_conflict``  1 when both titles name places and neither's is in the other
``place_only``      with a shared place, 1 − 2 · (cosine of ``said``), at least 0: the same
                    estate, but nothing else in common (another problem there)
``days``            ln(1 + days apart) / ln(366), at most 1; 0 with ``days_missing`` = 1
``distance``        log10(1 + metres / 10) / 3, at most 1; 0 with ``distance_missing`` = 1
==================  =========================================================================

A logistic model over them (``data/duplicate_model.json``: coefficients fitted on the
calibration half of the hand-labelled pairs, ``data/dup_pairs_labelled.csv``, each held to
the sign in ``SIGNS``) gives the chance that the two are one problem. The labelled pairs
hold about as many repeats as not, so the chance is the one for an even prior: the
platform's offer threshold of 0.5 offers a merge when the evidence makes a repeat at least
as likely as not. A different first-level category subtracts ``category_conflict`` from the
log-odds (set by hand, not fitted: the labelled pairs carry no category). The character
cosine of the whole opening was tried beside the words and got no weight (it adds nothing
the words do not say), so it is not computed.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from .places import named_places
from .text import DATA_DIR, Tokenizer, governance_terms, normalise

TERMS_FILE = DATA_DIR / "duplicate_terms.tsv.gz"
MODEL_FILE = DATA_DIR / "duplicate_model.json"
MIN_DF = {"c": 20, "w": 5}
OPENING = 300  # characters of the text read after the title
PLACE_OPENING = 200  # characters of the text searched for places
REASON_IDF = 3.5  # words in more than ~1 document of 12 are too common to give as a reason
FEATURES = (
    "title",
    "words",
    "place_shared",
    "place_conflict",
    "place_only",
    "days",
    "days_missing",
    "distance",
    "distance_missing",
)


# -- term weights --------------------------------------------------------------------------------
_NOT_LETTERS = re.compile(r"[\W_]+")


def letters(text: str) -> str:
    """The normalised text with only its letters and digits (no spaces or punctuation)."""
    return _NOT_LETTERS.sub("", normalise(text))


def gram_ids(chars: str) -> np.ndarray:
    """A number for each character 1-, 2- and 3-gram of ``chars`` (repeats kept).

    Code points are below 2**21, so a unigram is its code point, a bigram c1·2**21 + c2 and
    a trigram c1·2**42 + c2·2**21 + c3: exact, and the three ranges never meet."""
    cp = np.frombuffer(chars.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    parts = [cp]
    if len(cp) > 1:
        parts.append((cp[:-1] << 21) | cp[1:])
    if len(cp) > 2:
        parts.append((cp[:-2] << 42) | (cp[1:-1] << 21) | cp[2:])
    return np.concatenate(parts)


_WORDY = re.compile(r"[^\W_]")


def _word_list(tokenizer: Tokenizer, text: str) -> list[str]:
    """jieba's words of an already normalised text, punctuation left out."""
    return [w for w in tokenizer(text) if _WORDY.search(w)]


def build_terms(texts: list[str], *, min_df: dict | None = None) -> dict:
    """Document frequencies of the grams and words of ``texts`` (as profiles read them),
    keeping those in at least ``min_df`` documents: {"n": documents, "c": {...}, "w": {...}}."""
    min_df = min_df or MIN_DF
    tokenizer = Tokenizer(governance_terms())
    chars: Counter = Counter()
    words: Counter = Counter()
    for text in texts:
        s = letters(text)
        for i in range(len(s)):
            chars.update({s[i : i + k] for k in (1, 2, 3) if i + k <= len(s)})
        words.update(set(_word_list(tokenizer, normalise(text))))
    return {
        "n": len(texts),
        "c": {g: n for g, n in chars.items() if n >= min_df["c"]},
        "w": {w: n for w, n in words.items() if n >= min_df["w"]},
    }


def write_terms(terms: dict, path: Path = TERMS_FILE) -> None:
    lines = [f"#n\t{terms['n']}\t{MIN_DF['c']}\t{MIN_DF['w']}"]
    for kind in ("c", "w"):
        lines += [f"{kind}\t{t}\t{n}" for t, n in sorted(terms[kind].items())]
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write("\n".join(lines) + "\n")


class Terms:
    """The idf of every gram and word: listed ones from their document frequency, the rest
    (rarer than ``MIN_DF``) the idf of a frequency just below it."""

    def __init__(self, n: int, chars: dict[str, int], words: dict[str, int], min_df: dict):
        def idf(df: float) -> float:
            return math.log((1 + n) / (1 + df)) + 1.0

        self.char_max = idf(min_df["c"] - 1)
        self.word_max = idf(min_df["w"] - 1)
        ids = np.array([int(gram_ids(g)[-1]) for g in chars], dtype=np.int64)
        weights = np.array([idf(df) for df in chars.values()], dtype=np.float64)
        order = np.argsort(ids)
        self.char_ids, self.char_idf = ids[order], weights[order]
        self.word_idf = {w: idf(df) for w, df in words.items()}

    @classmethod
    def load(cls, path: Path = TERMS_FILE) -> Terms:
        n, min_df, chars, words = 1, dict(MIN_DF), {}, {}
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                kind, term, value = line.rstrip("\n").split("\t")[:3]
                if kind == "#n":
                    n = int(term)
                    parts = line.rstrip("\n").split("\t")
                    if len(parts) >= 4:
                        min_df = {"c": int(parts[2]), "w": int(parts[3])}
                elif kind == "c":
                    chars[term] = int(value)
                elif kind == "w":
                    words[term] = int(value)
        return cls(n, chars, words, min_df)

    def char_weights(self, ids: np.ndarray) -> np.ndarray:
        if not len(self.char_ids):
            return np.full(len(ids), self.char_max)
        pos = np.minimum(np.searchsorted(self.char_ids, ids), len(self.char_ids) - 1)
        return np.where(self.char_ids[pos] == ids, self.char_idf[pos], self.char_max)

    def word_weight(self, word: str) -> float:
        return self.word_idf.get(word, self.word_max)


@cache
def terms() -> Terms:
    return Terms.load()


@cache
def tokenizer() -> Tokenizer:
    return Tokenizer(governance_terms())


# -- profiles --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Vector:
    ids: np.ndarray  # sorted, unique
    weights: np.ndarray  # L2-normalised

    def cosine(self, other: Vector) -> float:
        if not len(self.ids) or not len(other.ids):
            return 0.0
        _, ia, ib = np.intersect1d(self.ids, other.ids, assume_unique=True, return_indices=True)
        return float(np.dot(self.weights[ia], other.weights[ib]))


def _char_vector(segments: list[str], table: Terms) -> Vector:
    segments = [s for s in segments if s]
    if not segments:
        return Vector(np.zeros(0, np.int64), np.zeros(0))
    ids, counts = np.unique(np.concatenate([gram_ids(s) for s in segments]), return_counts=True)
    w = (1.0 + np.log(counts)) * table.char_weights(ids)
    return Vector(ids, w / np.linalg.norm(w))


# The kind a place name ends with, longest first: what is left is the name proper.
KINDS = tuple(
    sorted(
        "小区 花园 家园 新城 新村 公寓 大厦 广场 公馆 社区 村 组 学院 大学 中学 小学 学校 幼儿园 "
        "医院 卫生院 市场 公园 车站 地铁站 站 大道 路 街 巷 工业园 产业园 景区 商场 酒店 餐厅 工厂 "
        "厂 公司 项目 苑 城 湾".split(),
        key=len,
        reverse=True,
    )
)


# Names made of what a facility does rather than what it is called ("搅拌站" is any mixing
# plant, "配套幼儿园" any estate's kindergarten): never evidence of one place.
GENERIC = frozenset(
    "搅拌 垃圾 充电 加油 变电 公交 中转 物业 自来水 配套 安置 居民 一期 二期 三期 四期 民办 公办 "
    "公立 实验 周边 设置 加快 修 改造 旧城 入户 烂泥 农村 限 直 铁 过渡".split()
)


def proper_name(key: str) -> bool:
    """Whether a place found by ``named_places`` names one place: its name without the kind
    (the "搅拌" of 搅拌站) has two characters or more, does not end in a word of ``GENERIC``
    and holds no character of a sentence."""
    core = key
    for kind in KINDS:
        if core.endswith(kind) and len(core) > len(kind):
            core = core[: -len(kind)]
            break
    return (
        len(core) >= 2
        and not any(core.endswith(word) for word in GENERIC)
        and not _SENTENCE.search(core)
    )


# Characters a name hardly ever holds but a piece of sentence does ("边新建了一个大型搅拌站").
_SENTENCE = re.compile(r"[了的是在有把被个这那和与及或对从向到我你他她们吗呢吧啊要请]")


@dataclass(frozen=True)
class Profile:
    title: Vector  # the title's character grams
    words: dict[str, float]  # word → normalised weight
    said: dict[str, float]  # the same without the place names
    idf: dict[str, float]  # word → idf (to show the rarest shared words)
    places: tuple[tuple[str, str], ...]  # (name, its letters) named in the title
    more_places: tuple[tuple[str, str], ...]  # … and in the opening of the text
    opening: str  # title + opening, letters only (to find the other's places in)


def _weights(words: list[str], table: Terms) -> dict[str, float]:
    counts = Counter(words)
    raw = {w: (1.0 + math.log(n)) * table.word_weight(w) for w, n in counts.items()}
    norm = math.sqrt(sum(v * v for v in raw.values())) or 1.0
    return {w: v / norm for w, v in raw.items()}


def _words_and_said(text: str, names: list[str]) -> tuple[list[str], list[str]]:
    """The words of ``text`` (normalised), and those of them outside the place ``names``."""
    tokens = _word_list(tokenizer(), text)
    taken = bytearray(len(text))
    for name in names:
        start = text.find(name)
        while start >= 0:
            taken[start : start + len(name)] = b"\x01" * len(name)
            start = text.find(name, start + len(name))
    said, pos = [], 0
    for token in tokens:
        start = text.find(token, pos)
        if start < 0:  # not where expected (cannot happen with jieba): keep it
            said.append(token)
            continue
        pos = start + len(token)
        if not any(taken[start:pos]):
            said.append(token)
    return tokens, said


def _profile(title: str, text: str) -> Profile:
    table = terms()
    found = [(p, letters(p)) for p in named_places(title, limit=3)] if title else []
    more = [
        (p, letters(p))
        for p in named_places(text[:PLACE_OPENING], limit=3)
        if p not in {name for name, _k in found}
    ]
    found = [(p, k) for p, k in found if proper_name(k)]
    more = [(p, k) for p, k in more if proper_name(k)]
    names = sorted({k for _p, k in found + more}, key=len, reverse=True)
    opening = normalise(f"{title} {text[:OPENING]}")
    words, said = _words_and_said(opening, names)
    return Profile(
        title=_char_vector([letters(title)], table),
        words=_weights(words, table),
        said=_weights(said, table),
        idf={w: table.word_weight(w) for w in words},
        places=tuple(found),
        more_places=tuple(more),
        opening=_NOT_LETTERS.sub("", opening),
    )


_cache: OrderedDict[tuple[str, str], Profile] = OrderedDict()
_cache_lock = threading.Lock()
CACHE_SIZE = 4096


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def profile(title: str | None, text: str | None) -> Profile:
    """The profile of a record, from a per-process cache of the most recent ones."""
    key = (title or "", (text or "")[:OPENING])
    with _cache_lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    made = _profile(*key)
    with _cache_lock:
        _cache[key] = made
        if len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return made


# -- a pair --------------------------------------------------------------------------------------
def _named_in(places: tuple[tuple[str, str], ...], opening: str) -> list[str]:
    """The places also named in ``opening``: a run of at least 60 % of the name (and at
    least 3 characters) found there, so "丽发新城社区" is found in "…丽发新城小区…" and a name
    the extractor took with a word too many ("加快陵王公园") still counts."""
    found = []
    for place, key in places:
        need = max(3, math.ceil(0.6 * len(key)))
        if len(key) >= need and any(
            key[i : i + need] in opening for i in range(len(key) - need + 1)
        ):
            found.append(place)
    return found


@dataclass
class Comparison:
    features: dict[str, float]
    shared_words: list[str]
    shared_places: list[str]


def _cosine(a: dict[str, float], b: dict[str, float], shared=None) -> float:
    shared = a.keys() & b.keys() if shared is None else shared
    return sum(a[w] * b[w] for w in shared)


def compare(
    a: Profile, b: Profile, *, days: float | None = None, distance_m: float | None = None
) -> Comparison:
    """The features of a pair and what they share (words rarest first, places)."""
    shared = a.words.keys() & b.words.keys()
    # Words to show as the reason: said of the place (not pieces of its name, shown apart),
    # two characters or more, not among the commonest, never a long number (a phone or an
    # ID number both happen to contain).
    named = [
        w
        for w in a.said.keys() & b.said.keys()
        if len(w) >= 2 and a.idf[w] >= REASON_IDF and sum(ch.isdigit() for ch in w) < 5
    ]
    named.sort(key=lambda w: (-a.idf[w], w))
    places = _named_in(a.places + a.more_places, b.opening) + _named_in(
        b.places + b.more_places, a.opening
    )
    places = list(dict.fromkeys(places))
    f = {
        "title": a.title.cosine(b.title),
        "words": _cosine(a.words, b.words, shared),
        "place_shared": 1.0 if places else 0.0,
        "place_conflict": 1.0 if a.places and b.places and not places else 0.0,
        "place_only": max(0.0, 1.0 - 2 * _cosine(a.said, b.said)) if places else 0.0,
        "days": 0.0 if days is None else min(math.log1p(days) / math.log(366), 1.0),
        "days_missing": 1.0 if days is None else 0.0,
        "distance": 0.0 if distance_m is None else min(math.log10(1 + distance_m / 10) / 3, 1.0),
        "distance_missing": 1.0 if distance_m is None else 0.0,
    }
    return Comparison(f, named[:4], places[:3])


# -- the model ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Model:
    intercept: float
    coefficients: dict[str, float]
    category_conflict: float

    def log_odds(self, features: dict[str, float], *, same_category: bool | None = None) -> float:
        z = self.intercept + sum(self.coefficients[k] * features[k] for k in FEATURES)
        if same_category is False:
            z -= self.category_conflict
        return z

    def chance(self, features: dict[str, float], *, same_category: bool | None = None) -> float:
        z = self.log_odds(features, same_category=same_category)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def as_json(self, **extra) -> dict:
        return {
            "features": list(FEATURES),
            "intercept": self.intercept,
            "coefficients": self.coefficients,
            "category_conflict": self.category_conflict,
            **extra,
        }


@cache
def model() -> Model:
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    return Model(
        float(data["intercept"]),
        {k: float(data["coefficients"][k]) for k in FEATURES},
        float(data["category_conflict"]),
    )


# The sign each coefficient must have: more alike never lowers the chance, further apart in
# place or time never raises it. (Missing-signal indicators are free.)
SIGNS = {
    "title": 1,
    "words": 1,
    "place_shared": 1,
    "place_conflict": -1,
    "place_only": -1,
    "days": -1,
    "distance": -1,
}


def fit(rows: list[dict[str, float]], labels: list[int], *, c: float = 3.0) -> Model:
    """A logistic model over the features of labelled pairs: L2 penalty 1/(2c)·|w|², each
    coefficient held to its sign in ``SIGNS`` (L-BFGS-B), so that no reason counts against
    a repeat and the model reads as its reasons."""
    from scipy.optimize import minimize

    x = np.array([[r[k] for k in FEATURES] for r in rows], dtype=np.float64)
    y = np.array(labels, dtype=np.float64)

    def loss(theta):
        w, b = theta[:-1], theta[-1]
        z = x @ w + b
        p = 1.0 / (1.0 + np.exp(-z))
        value = np.sum(np.logaddexp(0.0, z) - y * z) + np.dot(w, w) / (2 * c)
        grad = np.append(x.T @ (p - y) + w / c, np.sum(p - y))
        return value, grad

    bounds = [
        (0.0, None) if SIGNS.get(k) == 1 else (None, 0.0) if SIGNS.get(k) == -1 else (None, None)
        for k in FEATURES
    ] + [(None, None)]
    theta = minimize(
        loss, np.zeros(len(FEATURES) + 1), jac=True, method="L-BFGS-B", bounds=bounds
    ).x
    return Model(
        round(float(theta[-1]), 4),
        {k: round(float(v), 4) for k, v in zip(FEATURES, theta[:-1], strict=True)},
        1.5,
    )
