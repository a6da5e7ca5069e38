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
    train_s, fold_f1, lat = [], [], None
    for train, test in splitter.split(np.zeros(len(y)), y, groups):
        model = make().fit([records[i] for i in train])
        train_s.append(model.train_seconds)
        predicted[test] = model.predict_top(
            [records[i].title for i in test], [records[i].text for i in test]
        )
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
    }


def holdout_metrics(records: list[Record], *, make: Callable[[], TextClassifier]) -> dict:
    """One grouped 80/20 split: the figures a model row records about itself."""
    from sklearn.model_selection import GroupShuffleSplit

    groups = near_duplicate_groups([join_text(r.title, r.text) for r in records])
    train, test = next(
        GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=0).split(
            np.zeros(len(records)), groups=groups
        )
    )
    y = np.array([split_label(records[i].label)[0] for i in test])
    if len({split_label(records[i].label)[0] for i in train}) < 2:
        return {}
    model = make().fit([records[i] for i in train])
    predicted = model.predict_top([records[i].title for i in test], [records[i].text for i in test])
    return {
        "holdout": "grouped 80/20",
        "n_test": int(len(test)),
        "accuracy": round(float(accuracy_score(y, predicted)), 4),
        "macro_f1": round(float(f1_score(y, predicted, average="macro")), 4),
    }
