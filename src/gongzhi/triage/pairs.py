"""The hand-labelled duplicate pairs, and the duplicate scorer's figures on them.

``data/dup_pairs_labelled.csv`` holds 550 pairs of messages of the Teddy 2020
``hot_messages.csv`` (by message id), each labelled by reading both messages as a dispatcher
would: "would I merge these two into one case?". How the pairs were chosen and labelled,
and the two splits (``calibration``, where the model is fitted, and ``report``, where it is
measured; by problem group, so one problem is never in both) are described in
``data/dup_pairs_labelled.md``. The labels were not made with the place extractor or any
scorer.

Points: the messages carry none, so ``with_points`` gives each pair two synthetic points,
near (a median of ~60 m apart: the same estate, GPS noise) when the reader marked the two
as the same place (``same_place``: every duplicate, and the distinct problems of one estate,
village, road or building) and far (600 m – 15 km, even on a log scale) otherwise.
"""

from __future__ import annotations

import csv
import math
import random
from datetime import datetime
from pathlib import Path

from .text import DATA_DIR

LABELLED = DATA_DIR / "dup_pairs_labelled.csv"
SPLITS = ("calibration", "report")
# A point in 海东 around which the synthetic points are put (only distances matter).
ORIGIN = (102.104, 36.502)


def read_labelled(messages: list[dict], path: Path = LABELLED) -> list[dict]:
    """The labelled pairs as dicts: a, b (the message dicts), label, same_place, split,
    group, source, note. ``messages`` are ``datasets.read_messages`` of hot_messages.csv."""
    by_id = {str(m["id"]): m for m in messages}
    out = []
    with Path(path).open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            a, b = by_id.get(row["a"]), by_id.get(row["b"])
            if a is None or b is None:
                raise ValueError(f"pair {row['pair']}: message {row['a']} or {row['b']} missing")
            out.append(
                {
                    "pair": int(row["pair"]),
                    "a": a,
                    "b": b,
                    "label": int(row["label"]),
                    "same_place": int(row["same_place"]),
                    "split": row["split"],
                    "group": int(row["group"]),
                    "source": row["source"],
                    "note": row["note"],
                }
            )
    return out


def _offset(lng: float, lat: float, metres: float, bearing: float) -> tuple[float, float]:
    dlat = metres * math.cos(bearing) / 111_320
    dlng = metres * math.sin(bearing) / (111_320 * math.cos(math.radians(lat)))
    return lng + dlng, lat + dlat


def synthetic_metres(same_place: bool, rng: random.Random) -> float:
    if same_place:
        return min(400.0, math.exp(rng.gauss(math.log(60.0), 0.8)))
    return math.exp(rng.uniform(math.log(600.0), math.log(15_000.0)))


def records(pair: dict, *, points: bool, seed: int = 0) -> tuple[dict, dict]:
    """The two messages as scorer records (id, title, text, time), with synthetic points
    when ``points`` (the same for a pair and seed, whatever else is scored)."""
    a, b = pair["a"], pair["b"]
    qa = {"id": a["id"], "title": a.get("title"), "text": a.get("text"), "time": a.get("time")}
    qb = {"id": b["id"], "title": b.get("title"), "text": b.get("text"), "time": b.get("time")}
    if points:
        rng = random.Random(f"{seed}:{pair['pair']}")
        base = _offset(*ORIGIN, rng.uniform(0, 20_000), rng.uniform(0, 2 * math.pi))
        far = _offset(*base, synthetic_metres(bool(pair["same_place"]), rng), rng.uniform(0, 6.3))
        qa["lng"], qa["lat"] = base
        qb["lng"], qb["lat"] = far
    return qa, qb


def precision_recall(scores: list[float], labels: list[int], threshold: float) -> dict:
    tp = sum(1 for s, y in zip(scores, labels, strict=True) if s >= threshold and y == 1)
    fp = sum(1 for s, y in zip(scores, labels, strict=True) if s >= threshold and y == 0)
    fn = sum(1 for s, y in zip(scores, labels, strict=True) if s < threshold and y == 1)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "threshold": round(threshold, 3),
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f, 4),
    }


def best_threshold(scores: list[float], labels: list[int]) -> float:
    grid = [i / 100 for i in range(1, 100)]
    return max(grid, key=lambda t: precision_recall(scores, labels, t)["f1"])


def auc(scores: list[float], labels: list[int]) -> float:
    """The chance that a duplicate scores above a distinct pair (ties count half)."""
    pos = [s for s, y in zip(scores, labels, strict=True) if y == 1]
    neg = [s for s, y in zip(scores, labels, strict=True) if y == 0]
    if not pos or not neg:
        return 0.0
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return round(wins / (len(pos) * len(neg)), 4)


def reliability(scores: list[float], labels: list[int], bins=(0, 0.2, 0.4, 0.5, 0.6, 0.8, 1.01)):
    """Per band of the score: how many pairs, their mean score and the share of duplicates."""
    out = []
    for lo, hi in zip(bins, bins[1:], strict=False):
        rows = [(s, y) for s, y in zip(scores, labels, strict=True) if lo <= s < hi]
        if rows:
            out.append(
                {
                    "band": f"{lo:.1f}–{min(hi, 1):.1f}",
                    "pairs": len(rows),
                    "mean_score": round(sum(s for s, _ in rows) / len(rows), 3),
                    "duplicates": round(sum(y for _, y in rows) / len(rows), 3),
                }
            )
    return out


def days_apart(a: dict, b: dict) -> float | None:
    t1, t2 = a.get("time"), b.get("time")
    if isinstance(t1, datetime) and isinstance(t2, datetime):
        return abs((t1 - t2).total_seconds()) / 86400
    return None


def evaluate(
    pairs: list[dict],
    scorer,
    *,
    split: str = "report",
    points: bool = False,
    threshold: float = 0.5,
    tune_on: str | None = "calibration",
    seed: int = 0,
) -> dict:
    """Precision, recall and F1 of ``scorer(query, other) -> score`` on one split at
    ``threshold`` (the platform's), and at the F1-best threshold of ``tune_on``; AUC."""

    def scores_of(name):
        chosen = [p for p in pairs if p["split"] == name]
        return [scorer(*records(p, points=points, seed=seed)) for p in chosen], [
            p["label"] for p in chosen
        ]

    scores, labels = scores_of(split)
    out = {
        "pairs": len(labels),
        "duplicates": sum(labels),
        "at_threshold": precision_recall(scores, labels, threshold),
        "auc": auc(scores, labels),
    }
    if tune_on:
        tuned = best_threshold(*scores_of(tune_on))
        out["at_tuned_threshold"] = precision_recall(scores, labels, tuned)
    out["reliability"] = reliability(scores, labels)
    return out


# -- fitting the duplicate model ---------------------------------------------------------------
def feature_rows(pairs: list[dict], *, split: str = "calibration", seed: int = 0):
    """Features and labels of one split's pairs, each pair three times: text and days (a
    hotline call), with synthetic points too (an app report), and text alone (no times), so
    the model learns each signal and what its absence means."""
    from . import resemblance
    from .duplicates import haversine_m

    rows, labels = [], []
    for p in pairs:
        if p["split"] != split:
            continue
        qa, qb = records(p, points=True, seed=seed)
        metres = haversine_m(qa["lng"], qa["lat"], qb["lng"], qb["lat"])
        a = resemblance.profile(qa["title"], qa["text"])
        b = resemblance.profile(qb["title"], qb["text"])
        days = days_apart(qa, qb)
        for d, m in ((days, None), (days, metres), (None, None)):
            rows.append(resemblance.compare(a, b, days=d, distance_m=m).features)
            labels.append(p["label"])
    return rows, labels


def fit_model(pairs: list[dict], *, seed: int = 0, c: float = 3.0):
    """The duplicate model fitted on the calibration split (``resemblance.fit``)."""
    from . import resemblance

    rows, labels = feature_rows(pairs, split="calibration", seed=seed)
    return resemblance.fit(rows, labels, c=c)


def main(argv: list[str] | None = None) -> None:
    """python -m gongzhi.triage.pairs DATA_DIR: refit the model on the calibration split
    and write ``data/duplicate_model.json``."""
    import json
    import sys

    from . import resemblance
    from .datasets import read_messages

    args = argv if argv is not None else sys.argv[1:]
    data = Path(args[0]) if args else Path("../shared/data/teddy2020")
    pairs = read_labelled(read_messages(data / "hot_messages.csv"))
    fitted = fit_model(pairs)
    body = fitted.as_json(
        fitted_on="dup_pairs_labelled.csv, calibration split, each pair as text+days, "
        "text+days+synthetic points and text alone",
        category_conflict_note="set by hand: the labelled pairs carry no category",
    )
    resemblance.MODEL_FILE.write_text(
        json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(json.dumps(body, ensure_ascii=False))


if __name__ == "__main__":
    main()
