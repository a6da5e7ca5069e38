"""Cross-validated figures for a classifier, with folds grouped by near-duplicate text.

A random split flatters a model on citizen messages: the same letter is often sent several
times with small edits, and a copy in the training folds makes its twin in the test fold
easy. Folds here are ``StratifiedGroupKFold`` over groups of texts whose char-trigram
cosine is at least 0.6 (``text.near_duplicate_groups``).
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedGroupKFold

from .classifier import Record, TextClassifier, join_text, split_label
from .text import near_duplicate_groups


class DataError(ValueError):
    """The CSV cannot be used as asked (missing file or columns, too few rows)."""


def read_csv(path: str | Path, *, text_cols: list[str], label_col: str | None) -> list[Record]:
    path = Path(path)
    if not path.is_file():
        raise DataError(f"no such file: {path}")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        wanted = [*text_cols, *([label_col] if label_col else [])]
        missing = [c for c in wanted if c not in header]
        if missing:
            raise DataError(f"missing columns {missing}; the file has {header}")
        out = []
        for row in reader:
            parts = [row.get(c) or "" for c in text_cols]
            label = (row.get(label_col) or "").strip() if label_col else ""
            if label_col and not label:
                continue
            title, text = (parts[0], " ".join(parts[1:])) if len(parts) > 1 else ("", parts[0])
            out.append(Record(title=title, text=text, label=label))
    return out


def latency(model: TextClassifier, records: list[Record], n: int = 500) -> dict:
    """Single-report prediction latency, as intake calls it (one report at a time)."""
    sample = records[:n]
    model.predict(sample[0].title, sample[0].text)  # warm the tokenizer
    times = []
    cpu = time.process_time()
    for r in sample:
        t = time.perf_counter()
        model.predict(r.title, r.text)
        times.append(time.perf_counter() - t)
    cpu = time.process_time() - cpu
    ms = np.array(times) * 1000
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 3),
        "p99_ms": round(float(np.percentile(ms, 99)), 3),
        "predictions_per_second": int(len(ms) / (ms.sum() / 1000)),
        # Per CPU second of this process: the figure a busy shared machine distorts least.
        "predictions_per_cpu_second": int(len(ms) / max(cpu, 1e-9)),
    }


def cross_validate(
    records: list[Record],
    *,
    folds: int = 5,
    seed: int = 0,
    make: Callable[[], TextClassifier] | None = None,
    latency_sample: int = 500,
) -> dict:
    if folds < 2:
        raise DataError("--folds must be at least 2")
    y = np.array([split_label(r.label)[0] for r in records])
    classes, counts = np.unique(y, return_counts=True)
    if len(classes) < 2 or counts.min() < folds:
        raise DataError(
            f"every class needs at least {folds} examples; have {dict(zip(classes.tolist(), counts.tolist(), strict=True))}"
        )
    make = make or TextClassifier
    groups = near_duplicate_groups([join_text(r.title, r.text) for r in records])
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    predicted = np.empty(len(records), dtype=object)
    proba = np.zeros((len(records), len(classes)))
    train_s, fold_f1, lat = [], [], None
    for train, test in splitter.split(np.zeros(len(y)), y, groups):
        model = make().fit([records[i] for i in train])
        train_s.append(model.train_seconds)
        p = model.proba_top([records[i].title for i in test], [records[i].text for i in test])
        proba[np.ix_(test, np.searchsorted(classes, model.top.classes_))] = p
        predicted[test] = model.top.classes_[p.argmax(axis=1)]
        fold_f1.append(f1_score(y[test], predicted[test].astype(str), average="macro"))
        if lat is None:
            lat = latency(model, [records[i] for i in test], latency_sample)
    per_class = f1_score(y, predicted.astype(str), average=None, labels=classes)
    return {
        "n": len(records),
        "near_duplicate_groups": int(len(set(groups.tolist()))),
        "folds": folds,
        "seed": seed,
        "accuracy": round(float(accuracy_score(y, predicted.astype(str))), 4),
        "macro_f1": round(float(f1_score(y, predicted.astype(str), average="macro")), 4),
        # The mean of the folds' own macro-F1 (the figure papers usually quote), and each.
        "macro_f1_fold_mean": round(float(np.mean(fold_f1)), 4),
        "macro_f1_folds": [round(float(f), 4) for f in fold_f1],
        "per_class_f1": {
            str(c): round(float(f), 4) for c, f in zip(classes, per_class, strict=True)
        },
        "latency": lat,
        "training_seconds": round(float(np.mean(train_s)), 2),
        **selective_figures(y, proba, classes),
    }


COVERAGES = (0.7, 0.8, 0.85, 0.9, 1.0)


def coverage_curve(confidence: np.ndarray) -> list[list[float]]:
    """[coverage, threshold] from 0.50 to 1.00 by 0.01: routing the reports whose confidence
    is at least ``threshold`` routes that share of them (on the held-out predictions)."""
    ranked = np.sort(np.asarray(confidence))[::-1]
    out = []
    for c in np.round(np.arange(0.5, 1.0001, 0.01), 2):
        k = max(1, int(round(c * len(ranked))))
        out.append([float(c), round(float(ranked[k - 1]), 6)])
    return out


def threshold_for(curve: list, coverage: float) -> float | None:
    """The confidence threshold that routes ``coverage`` of the reports (linear between the
    curve's points); None without a curve."""
    if not curve:
        return None
    xs = [float(c) for c, _t in curve]
    ts = [float(t) for _c, t in curve]
    return float(np.interp(min(max(coverage, xs[0]), xs[-1]), xs, ts))


def selective_figures(y: np.ndarray, proba: np.ndarray, classes: np.ndarray) -> dict:
    """Macro-F1 and accuracy on the most confident 70/80/85/90/100 % of the reports, and
    whether the true class is among the first two or three: what a dispatcher gets when the
    most confident share is routed automatically and the rest comes with suggestions."""
    y = np.asarray(y).astype(str)
    classes = np.asarray(classes).astype(str)
    order = np.argsort(-proba, axis=1)
    predicted = classes[order[:, 0]]
    confidence = proba[np.arange(len(y)), order[:, 0]]
    ranked = np.argsort(-confidence, kind="stable")
    at = {}
    for c in COVERAGES:
        k = max(1, int(round(c * len(y))))
        keep = ranked[:k]
        at[f"{round(c * 100)}%"] = {
            "n": int(k),
            "threshold": round(float(confidence[keep[-1]]), 4),
            "macro_f1": round(float(f1_score(y[keep], predicted[keep], average="macro")), 4),
            "accuracy": round(float(accuracy_score(y[keep], predicted[keep])), 4),
        }
    truth = np.searchsorted(classes, y)
    hits = order == truth[:, None]
    return {
        "coverage": at,
        "top2_accuracy": round(float(hits[:, :2].any(axis=1).mean()), 4),
        "top3_accuracy": round(float(hits[:, :3].any(axis=1).mean()), 4),
    }


def fold_calibration(
    records: list[Record], *, make: Callable[[], TextClassifier], folds: int = 3, seed: int = 0
) -> dict:
    """Held-out figures a model row records about itself, from grouped folds: every report
    is predicted by a model that did not see it (nor its near-duplicates). Gives the
    coverage curve (the confidence threshold that routes each share automatically), the
    figures at 70–100 % coverage and the out-of-fold predictions by case reference, so a
    retraining can be compared with the model before it on the same reports."""
    y = np.array([split_label(r.label)[0] for r in records])
    classes, counts = np.unique(y, return_counts=True)
    if len(classes) < 2:
        return {}
    groups = near_duplicate_groups([join_text(r.title, r.text) for r in records])
    if len(set(groups.tolist())) < folds or folds < 2:
        return {}
    if counts.min() >= folds:
        splits = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
        split = splits.split(np.zeros(len(y)), y, groups)
    else:
        from sklearn.model_selection import GroupKFold

        split = GroupKFold(n_splits=folds).split(np.zeros(len(y)), y, groups)
    proba = np.zeros((len(records), len(classes)))
    for train, test in split:
        if len(set(y[train])) < 2:
            return {}
        model = make().fit([records[i] for i in train])
        p = model.proba_top([records[i].title for i in test], [records[i].text for i in test])
        proba[np.ix_(test, np.searchsorted(classes, model.top.classes_))] = p
    confidence = proba.max(axis=1)
    predicted = classes[proba.argmax(axis=1)]
    out = {
        "holdout": f"grouped {folds}-fold",
        "n_test": len(records),
        "accuracy": round(float(accuracy_score(y, predicted)), 4),
        "macro_f1": round(float(f1_score(y, predicted, average="macro")), 4),
        **selective_figures(y, proba, classes),
        "coverage_curve": coverage_curve(confidence),
    }
    out["_predicted"] = {r.ref: str(p) for r, p in zip(records, predicted, strict=True) if r.ref}
    return out
