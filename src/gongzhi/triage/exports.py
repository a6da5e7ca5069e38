"""The dispatchers' decisions as labelled CSV files.

* ``categories``: one row a confirmed category (``TrainingLabel``), with the columns
  ``gongzhi triage train --data`` reads by default (title, detail, label) and what the
  model had suggested, so the file trains a model or measures one.
* ``merges``: one row a verdict on a pair (``MergeOffer``): both reports' words, label 1
  (merged) or 0 (rejected: not the same problem), the score and the reasons shown, and
  where it was decided (``source``: offer, case page, "me too" on the intake hint). These are labelled pairs for the duplicate scorer's calibration (as
  ``data/dup_pairs_labelled.csv``, but with the texts inline).

Every export is audited: the files hold residents' words.
"""

from __future__ import annotations

import csv
from pathlib import Path

from .classifier import split_label
from .models import Assessment, MergeOffer, TrainingLabel

CATEGORY_COLUMNS = [
    "case_ref", "title", "detail", "label", "predicted", "confidence", "agreed",
    "model_version", "decided_at",
]  # fmt: skip
MERGE_COLUMNS = [
    "case_ref", "other_ref", "title", "detail", "other_title", "other_detail", "label",
    "score", "days_apart", "distance_m", "shared_words", "decided_at", "source",
]  # fmt: skip


def category_rows():
    assessed = dict(Assessment.objects.exclude(predicted="").values_list("case_ref", "predicted"))
    for lab in TrainingLabel.objects.order_by("pk").iterator():
        predicted = lab.predicted or assessed.get(lab.case_ref, "")
        yield {
            "case_ref": lab.case_ref,
            "title": lab.title,
            "detail": lab.text,
            "label": lab.label,
            "predicted": predicted,
            "confidence": "" if lab.confidence is None else round(lab.confidence, 4),
            "agreed": "" if not predicted else int(predicted == lab.label),
            "model_version": lab.model_version,
            "decided_at": lab.updated_at.isoformat(),
        }


def merge_rows():
    for m in MergeOffer.objects.order_by("pk").iterator():
        why = m.why or {}
        yield {
            "case_ref": m.case_ref,
            "other_ref": m.other_ref,
            "title": m.title,
            "detail": m.text,
            "other_title": m.other_title,
            "other_detail": m.other_text,
            "label": int(m.accepted),
            "score": "" if m.score is None else round(m.score, 4),
            "days_apart": why.get("days_apart", ""),
            "distance_m": why.get("distance_m", ""),
            "shared_words": "、".join(why.get("shared_words") or []),
            "decided_at": m.updated_at.isoformat(),
            "source": m.source,
        }


def write_csv(kind: str, out: str | Path, *, actor=None) -> int:
    from gongzhi.core import audit

    columns, rows = (
        (CATEGORY_COLUMNS, category_rows())
        if kind == "categories"
        else (MERGE_COLUMNS, merge_rows())
    )
    n = 0
    with Path(out).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            n += 1
    audit.record(
        actor=actor,
        action="triage_export",
        named=("triage.export", kind, f"{n} rows"),
        reason=f"{kind} → {Path(out).name}; {audit.command_line()}",
    )
    return n


def first_level(label: str) -> str:
    parts = split_label(label or "")
    return parts[0] if parts else ""
