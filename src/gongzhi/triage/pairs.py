"""A labelled set of near-duplicate and distinct message pairs, and the scorer's figures on it.

Labels come from facts about the messages that the duplicate scorer does not look at
(who wrote them, the place the title names, identical titles) so that the set does not
simply restate the scorer:

near-duplicates (label 1)
  ``same_title``   the same normalised title, different wording in the body: a letter
                   re-sent or co-signed with edits. Scored *title-blind* (titles removed),
                   so the scorer has to recognise the bodies.
  ``resubmitted``  the same author, the same named place in the title, within 30 days.
  ``exact_copy``   the identical body text sent again (the easy case, kept for recall).

distinct (label 0)
  ``nearby_other`` the same county/district, within 7 days, different authors, and each
                   title names a *different* estate/village/road: the hard negatives an
                   intake desk sees every day.
  ``same_author``  the same author writing about a different named place.
  ``random``       any two messages within 30 days (the easy negatives).

Each kind is capped and sampled with a fixed seed.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import timedelta

from .duplicates import score_pair
from .places import extract_places, named_places
from .text import normalise

CAPS = {
    "same_title": 400,
    "resubmitted": 400,
    "exact_copy": 200,
    "nearby_other": 800,
    "same_author": 400,
    "random": 800,
}


def _named(title: str) -> str:
    found = named_places(title, limit=1)
    return found[0] if found else ""


def _admin(title: str) -> str:
    for p in extract_places(title, limit=8):
        if p[-1] in "县区":
            return p
    return ""


def build_pairs(records: list[dict], *, seed: int = 0) -> list[dict]:
    """Pairs as dicts: a, b (records), label (1 duplicate / 0 distinct), kind, title_blind."""
    rng = random.Random(seed)
    recs = [r for r in records if r.get("time")]
    for r in recs:
        r["_named"] = _named(r.get("title") or "")
        r["_admin"] = _admin(r.get("title") or "")
        r["_body"] = normalise(r.get("text") or "")
        r["_title"] = normalise(r.get("title") or "")
    pairs: dict[str, list] = defaultdict(list)
    seen: set = set()

    def add(kind, a, b, label, blind=False):
        key = tuple(sorted((str(a["id"]), str(b["id"]))))
        if a is b or key in seen:
            return
        seen.add(key)
        pairs[kind].append({"a": a, "b": b, "label": label, "kind": kind, "title_blind": blind})

    by_title, by_body, by_author, by_admin = (defaultdict(list) for _ in range(4))
    for r in recs:
        by_title[r["_title"]].append(r)
        by_body[r["_body"]].append(r)
        by_author[r.get("reporter") or ""].append(r)
        if r["_admin"]:
            by_admin[r["_admin"]].append(r)
    for group in by_body.values():
        for i in range(1, len(group)):
            add("exact_copy", group[0], group[i], 1)
    for group in by_title.values():
        for i in range(len(group)):
            for j in range(i + 1, len(group)):
                if group[i]["_body"] != group[j]["_body"]:
                    add("same_title", group[i], group[j], 1, blind=True)
    month = timedelta(days=30)
    for author, group in by_author.items():
        if not author:
            continue
        for i in range(len(group)):
            for j in range(i + 1, len(group)):
                a, b = group[i], group[j]
                if not (a["_named"] and b["_named"]):
                    continue
                if a["_named"] == b["_named"] and abs(a["time"] - b["time"]) <= month:
                    if a["_title"] != b["_title"] and a["_body"] != b["_body"]:
                        add("resubmitted", a, b, 1)
                elif a["_named"] != b["_named"] and a["_named"] not in b["_named"] + b["_title"]:
                    add("same_author", a, b, 0)
    week = timedelta(days=7)
    for group in by_admin.values():
        group = sorted(group, key=lambda r: r["time"])
        for i, a in enumerate(group):
            for b in group[i + 1 : i + 40]:
                if b["time"] - a["time"] > week:
                    break
                if (
                    a.get("reporter") != b.get("reporter")
                    and a["_named"]
                    and b["_named"]
                    and a["_named"] not in b["_named"] + b["_title"] + b["_body"][:200]
                    and b["_named"] not in a["_named"] + a["_title"] + a["_body"][:200]
                ):
                    add("nearby_other", a, b, 0)
    ordered = sorted(recs, key=lambda r: r["time"])
    for _ in range(CAPS["random"] * 3):
        i = rng.randrange(len(ordered))
        j = min(len(ordered) - 1, i + rng.randrange(1, 200))
        a, b = ordered[i], ordered[j]
        if (
            b["time"] - a["time"] <= month
            and a["_title"] != b["_title"]
            and a["_named"] != b["_named"]
        ):
            add("random", a, b, 0)
        if len(pairs["random"]) >= CAPS["random"]:
            break
    out = []
    for kind, items in pairs.items():
        rng.shuffle(items)
        out.extend(items[: CAPS.get(kind, len(items))])
    return out


def pair_score(pair: dict, scorer=score_pair) -> float:
    a, b = pair["a"], pair["b"]
    if pair["title_blind"]:
        a, b = {**a, "title": ""}, {**b, "title": ""}
    qa = {"id": a["id"], "title": a.get("title"), "text": a.get("text"), "time": a.get("time")}
    qb = {"id": b["id"], "title": b.get("title"), "text": b.get("text"), "time": b.get("time")}
    return scorer(qa, qb).score


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


def evaluate_pairs(pairs: list[dict], *, seed: int = 0, scorer=score_pair) -> dict:
    """Pick the F1-best threshold on one half of the pairs, report on the other half."""
    rng = random.Random(seed)
    idx = list(range(len(pairs)))
    rng.shuffle(idx)
    half = len(idx) // 2
    tune, test = idx[:half], idx[half:]
    scores = [pair_score(p, scorer) for p in pairs]
    labels = [p["label"] for p in pairs]
    grid = [i / 100 for i in range(5, 96)]
    best = max(
        grid,
        key=lambda t: precision_recall([scores[i] for i in tune], [labels[i] for i in tune], t)[
            "f1"
        ],
    )
    held = precision_recall([scores[i] for i in test], [labels[i] for i in test], best)
    kinds: dict[str, dict] = {}
    for p, s in zip(pairs, scores, strict=True):
        k = kinds.setdefault(p["kind"], {"n": 0, "label": p["label"], "called_duplicate": 0})
        k["n"] += 1
        k["called_duplicate"] += int(s >= best)
    return {
        "pairs": len(pairs),
        "duplicates": sum(labels),
        "distinct": len(labels) - sum(labels),
        "tuned_threshold": best,
        "held_out": held,
        "by_kind": kinds,
    }
