"""Rank open cases that probably report the same problem as a new report.

The score of a pair is the chance, from ``resemblance.model()``, that the two are one
problem: text that recognises rewording (character 1–3-grams and jieba words weighted by
learned idf, the title alone), the places both name (or one names and the other's title
names another), and, where both sides have them, the distance between their points, the
days between them and whether their first-level categories differ. A report without a
point is compared without distance, so a hotline call is still scored by its text.

The platform offers a merge at ``TriagePolicy.duplicate_min_score`` (0.5 by default): a
repeat at least as likely as not, measured on hand-labelled pairs (``pairs.py``,
bench/triage.py), and recalibrated on the platform's own verdicts once there are enough
(``calibration.py``). Each candidate carries the reason: the rare words and the places
both share, the distance and the days apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from . import resemblance
from .text import normalise

EARTH_M = 6_371_000.0


@dataclass
class Candidate:
    id: object
    score: float
    text: float
    distance_m: float | None
    hours: float | None
    same_category: bool | None
    shared_words: list[str] = field(default_factory=list)
    shared_places: list[str] = field(default_factory=list)
    # What the model read (kept with a verdict, so the calibration can be refitted).
    features: dict = field(default_factory=dict, repr=False)

    @property
    def days(self) -> float | None:
        return None if self.hours is None else self.hours / 24

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "score": round(self.score, 4),
            "text_similarity": round(self.text, 4),
            "distance_m": None if self.distance_m is None else round(self.distance_m, 1),
            "hours_apart": None if self.hours is None else round(self.hours, 1),
            "days_apart": None if self.hours is None else round(self.hours / 24, 1),
            "same_category": self.same_category,
            "shared_words": list(self.shared_words),
            "shared_places": list(self.shared_places),
        }


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams of the normalised text (letters and digits): a quick overlap
    measure for short texts (the typed question against the answers, ``cases.answers``)."""
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


def _first(category) -> str | None:
    if not category:
        return None
    return str(category).strip("/").split("/")[0]


def _profile(rec: dict) -> resemblance.Profile:
    return resemblance.profile(rec.get("title"), rec.get("text"))


def score_pair(query: dict, other: dict, *, calibration=None) -> Candidate:
    """How likely ``other`` is the problem ``query`` reports, and why. ``calibration``
    (``calibration.Calibration``) maps the model's log-odds to the chance: the platform
    passes the one refitted from its verdicts; without one the shipped chance is given."""
    distance = hours = same = None
    if None not in (query.get("lng"), query.get("lat"), other.get("lng"), other.get("lat")):
        distance = haversine_m(query["lng"], query["lat"], other["lng"], other["lat"])
    t1, t2 = query.get("time"), other.get("time")
    if isinstance(t1, datetime) and isinstance(t2, datetime):
        hours = abs((t1 - t2).total_seconds()) / 3600
    c1, c2 = _first(query.get("category")), _first(other.get("category"))
    if c1 and c2:
        same = c1 == c2
    found = resemblance.compare(
        _profile(query),
        _profile(other),
        days=None if hours is None else hours / 24,
        distance_m=distance,
    )
    z = resemblance.model().log_odds(found.features, same_category=same)
    if calibration is None:
        score = resemblance.model().chance(found.features, same_category=same)
    else:
        score = calibration.chance_of(z)
    return Candidate(
        other.get("id"),
        score,
        found.features["words"],
        distance,
        hours,
        same,
        found.shared_words,
        found.shared_places,
        {**found.features, "same_category": same},
    )


def rank_duplicates(
    query: dict,
    candidates: list[dict],
    *,
    min_score: float = 0.0,
    limit: int = 10,
    calibration=None,
) -> list[dict]:
    """Candidates most likely to be the same problem as ``query``, best first.

    Records are dicts with ``id``, ``title``, ``text`` and, where known, ``lng``/``lat``
    (WGS84), ``time`` (aware datetime) and ``category`` (a path such as "urban/roads").
    """
    scored = [
        score_pair(query, c, calibration=calibration)
        for c in candidates
        if c.get("id") != query.get("id")
    ]
    scored = [c for c in scored if c.score >= min_score]
    scored.sort(key=lambda c: -c.score)
    return [c.as_dict() for c in scored[:limit]]
