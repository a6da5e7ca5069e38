"""The scorers the duplicate model is measured beside (bench/triage.py).

* ``old_score``: the scorer before issue 24 — Jaccard over character bigrams (the larger of
  title and title+text), with distance, time and category, weights 0.6/0.2/0.1/0.1
  renormalised over the signals both sides have.
* ``TfidfCosine``: a plain character TF-IDF cosine (1–3-grams, sublinear tf, idf from the
  hot_messages corpus) of title + text.
"""

from __future__ import annotations

from datetime import datetime

from gongzhi.triage.duplicates import bigrams, haversine_m, jaccard

WEIGHTS = {"text": 0.6, "distance": 0.2, "time": 0.1, "category": 0.1}
HALF_DISTANCE_M = 150.0
HALF_HOURS = 72.0


def old_score(query: dict, other: dict) -> float:
    title_a, title_b = query.get("title") or "", other.get("title") or ""
    text = max(
        jaccard(bigrams(title_a), bigrams(title_b)),
        jaccard(
            bigrams(f"{title_a} {query.get('text') or ''}"[:800]),
            bigrams(f"{title_b} {other.get('text') or ''}"[:800]),
        ),
    )
    parts = {"text": text}
    if None not in (query.get("lng"), query.get("lat"), other.get("lng"), other.get("lat")):
        d = haversine_m(query["lng"], query["lat"], other["lng"], other["lat"])
        parts["distance"] = 0.5 ** (d / HALF_DISTANCE_M)
    t1, t2 = query.get("time"), other.get("time")
    if isinstance(t1, datetime) and isinstance(t2, datetime):
        parts["time"] = 0.5 ** (abs((t1 - t2).total_seconds()) / 3600 / HALF_HOURS)
    total = sum(WEIGHTS[k] for k in parts)
    return sum(WEIGHTS[k] * v for k, v in parts.items()) / total


class TfidfCosine:
    def __init__(self, corpus: list[dict]):
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        self.vec.fit([self._doc(r) for r in corpus])

    @staticmethod
    def _doc(r: dict) -> str:
        return f"{r.get('title') or ''} {(r.get('text') or '')[:800]}"

    def __call__(self, query: dict, other: dict) -> float:
        x = self.vec.transform([self._doc(query), self._doc(other)])
        return float((x[0] @ x[1].T).toarray()[0, 0])
