"""Rank open cases that probably report the same problem as a new report.

A score in [0, 1] from four signals, each in [0, 1]:

* text: the larger of the title and the full-text similarity (Jaccard over character
  bigrams of the normalised text — robust to the rewording and typos of a resubmission);
* distance: 1 at the same spot, 0.5 at ``HALF_DISTANCE_M``;
* time: 1 at the same moment, 0.5 after ``HALF_HOURS``;
* category: 1 if the same first-level category, 0 if different.

A signal that one side lacks (no GPS point, no category) is left out and the weights of the
others are renormalised, so a hotline report without a point is still compared by text.
Weights were set on the hot_messages pair set (see bench/triage.py): text carries most.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from .text import normalise

WEIGHTS = {"text": 0.6, "distance": 0.2, "time": 0.1, "category": 0.1}
HALF_DISTANCE_M = 150.0
HALF_HOURS = 72.0
EARTH_M = 6_371_000.0


@dataclass
class Candidate:
    id: object
    score: float
    text: float
    distance_m: float | None
    hours: float | None
    same_category: bool | None

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "score": round(self.score, 4),
            "text_similarity": round(self.text, 4),
            "distance_m": None if self.distance_m is None else round(self.distance_m, 1),
            "hours_apart": None if self.hours is None else round(self.hours, 1),
            "same_category": self.same_category,
        }


def bigrams(text: str) -> frozenset[str]:
    t = "".join(ch for ch in normalise(text) if ch.isalnum())
    return frozenset(t[i : i + 2] for i in range(len(t) - 1)) or frozenset(t)


def jaccard(a: frozenset, b: frozenset) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def haversine_m(lng1, lat1, lng2, lat2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_M * math.asin(math.sqrt(min(1.0, h)))


def _prepared(rec: dict) -> dict:
    if "_title_grams" not in rec:
        title = rec.get("title") or ""
        rec["_title_grams"] = bigrams(title)
        rec["_full_grams"] = bigrams(f"{title} {rec.get('text') or ''}"[:800])
    return rec


def _first(category) -> str | None:
    if not category:
        return None
    return str(category).strip("/").split("/")[0]


def text_similarity(a: dict, b: dict) -> float:
    a, b = _prepared(a), _prepared(b)
    return max(
        jaccard(a["_title_grams"], b["_title_grams"]), jaccard(a["_full_grams"], b["_full_grams"])
    )


def score_pair(query: dict, other: dict, weights: dict | None = None) -> Candidate:
    weights = weights or WEIGHTS
    parts = {"text": text_similarity(query, other)}
    distance = hours = same = None
    if None not in (query.get("lng"), query.get("lat"), other.get("lng"), other.get("lat")):
        distance = haversine_m(query["lng"], query["lat"], other["lng"], other["lat"])
        parts["distance"] = 0.5 ** (distance / HALF_DISTANCE_M)
    t1, t2 = query.get("time"), other.get("time")
    if isinstance(t1, datetime) and isinstance(t2, datetime):
        hours = abs((t1 - t2).total_seconds()) / 3600
        parts["time"] = 0.5 ** (hours / HALF_HOURS)
    c1, c2 = _first(query.get("category")), _first(other.get("category"))
    if c1 and c2:
        same = c1 == c2
        parts["category"] = 1.0 if same else 0.0
    total = sum(weights[k] for k in parts)
    score = sum(weights[k] * v for k, v in parts.items()) / total
    return Candidate(other.get("id"), score, parts["text"], distance, hours, same)


def rank_duplicates(
    query: dict, candidates: list[dict], *, min_score: float = 0.0, limit: int = 10
) -> list[dict]:
    """Candidates most likely to be the same problem as ``query``, best first.

    Records are dicts with ``id``, ``title``, ``text`` and, where known, ``lng``/``lat``
    (WGS84), ``time`` (aware datetime) and ``category`` (a path such as "urban/roads").
    """
    scored = [score_pair(query, c) for c in candidates if c.get("id") != query.get("id")]
    scored = [c for c in scored if c.score >= min_score]
    scored.sort(key=lambda c: -c.score)
    return [c.as_dict() for c in scored[:limit]]
