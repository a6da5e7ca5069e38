"""Triage services: classify, train, record labels; plain data in, plain data out.

Apps above triage (``cases``) hand in their reports as ``Record``s or dicts and register a
source of training data with ``register_source``; triage never imports them.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import registry
from .classifier import Record, TextClassifier, split_label
from .models import Assessment, AssessmentStatus, TrainingLabel, TriageModel, TriagePolicy
from .text import governance_terms


class TriageError(ValueError):
    """Bad input to a triage service: a code for the API and a message for people."""

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code, self.message, self.field = code, message, field

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "field": self.field}


DEFAULT_THRESHOLD = 0.6

# name -> callable returning Records, besides the dotted paths in GONGZHI["TRIAGE_SOURCES"]
# (settings name cases' closed cases there, so triage imports nothing from above).
_sources: dict[str, Callable[[], Iterable[Record]]] = {}


def register_source(name: str, fn: Callable[[], Iterable[Record]]) -> None:
    _sources[name] = fn


POLICY_TTL = 5.0  # seconds a process trusts its copy of the policy row
_policy: tuple[float, TriagePolicy | None] = (0.0, None)


def policy() -> TriagePolicy:
    """The enabled policy row, read at most every few seconds (it is read on every report);
    saving a policy clears this process's copy at once."""
    global _policy
    read_at, found = _policy
    now = time.monotonic()
    if found is None or now - read_at > POLICY_TTL:
        found = TriagePolicy.objects.filter(enabled=True).first() or TriagePolicy(
            name="default", confidence_threshold=DEFAULT_THRESHOLD
        )
        _policy = (now, found)
    return found


def forget_policy(**_signal_kwargs) -> None:
    global _policy
    _policy = (0.0, None)


# -- the domain dictionary ---------------------------------------------------------------
def domain_words() -> list[str]:
    """Place names (regions, grids) and governance terms (categories, their keywords)."""
    from gongzhi.regions.models import Grid, Region
    from gongzhi.taxonomy.models import Category

    words = set(governance_terms())
    words.update(Region.objects.values_list("name", flat=True))
    words.update(Grid.objects.values_list("name", flat=True))
    for name, keywords in Category.objects.values_list("name", "keywords"):
        words.add(name)
        words.update(keywords.split())
    return sorted(w for w in words if w)


# -- classification ----------------------------------------------------------------------
def classify(title: str, text: str = "", *, top_k: int = 3) -> dict | None:
    """Ranked category paths with calibrated confidences, or None when no model is active.

    ``needs_review`` is true when the best confidence is below the policy's threshold: the
    report should wait in the human triage queue.
    """
    loaded = registry.active()
    if loaded is None or not (title or text).strip():
        return None
    predictions = loaded.model.predict(title or "", text or "", top_k=top_k)
    threshold = policy().confidence_threshold
    best = predictions[0]
    return {
        "model_version": loaded.version,
        "threshold": threshold,
        "needs_review": best.confidence < threshold,
        "predictions": [p.as_dict() for p in predictions],
    }


# -- training ----------------------------------------------------------------------------
def _configured_sources() -> list[Callable[[], Iterable[Record]]]:
    from django.conf import settings
    from django.utils.module_loading import import_string

    names = getattr(settings, "GONGZHI", {}).get("TRIAGE_SOURCES", [])
    return [import_string(n) for n in names] + list(_sources.values())


def platform_records() -> list[Record]:
    """Records from the configured sources (closed cases), overridden by dispatchers' labels."""
    by_ref: dict[str, Record] = {}
    anonymous: list[Record] = []
    for fn in _configured_sources():
        for rec in fn():
            if rec.ref:
                by_ref[rec.ref] = rec
            else:
                anonymous.append(rec)
    for lab in TrainingLabel.objects.all():
        by_ref[lab.case_ref] = Record(lab.title, lab.text, lab.label, ref=lab.case_ref)
    return [*by_ref.values(), *anonymous]


def _checksum(records: list[Record]) -> str:
    h = hashlib.sha256()
    for r in records:
        h.update(f"{r.title}\x1f{r.text}\x1f{r.label}\x1e".encode())
    return h.hexdigest()


def check_training_data(records: list[Record]) -> None:
    labels = {split_label(r.label)[0] for r in records if split_label(r.label)}
    if len(records) < 10 or len(labels) < 2:
        raise TriageError(
            "too_little_data",
            _("At least 10 labelled reports in at least two categories are needed to train."),
        )


def do_train(
    records: list[Record],
    *,
    source: str,
    activate: bool = True,
    holdout: bool = True,
    extra_words: Iterable[str] | None = None,
) -> TriageModel:
    """Train, write the versioned file, record its data and metrics, optionally activate."""
    check_training_data(records)
    words = list(extra_words) if extra_words is not None else domain_words()
    metrics: dict = {}
    if holdout and len(records) >= 50:
        from .evaluation import holdout_metrics

        metrics = holdout_metrics(records, make=lambda: TextClassifier(extra_words=words))
    model = TextClassifier(extra_words=words).fit(records)
    version = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + _checksum(records)[:6]
    name = registry.save(model, version)
    with transaction.atomic():
        if activate:
            TriageModel.objects.filter(is_active=True).update(is_active=False)
        row, _created = TriageModel.objects.update_or_create(
            version=version,
            defaults={
                "file": name,
                "source": source[:200],
                "data_sha256": _checksum(records),
                "n_train": len(records),
                "label_counts": model.label_counts,
                "metrics": metrics,
                "train_seconds": round(model.train_seconds, 3),
                "is_active": activate,
            },
        )
    transaction.on_commit(registry.invalidate)
    return row


def do_activate(*, version: str) -> TriageModel:
    with transaction.atomic():
        row = TriageModel.objects.select_for_update().filter(version=version).first()
        if row is None:
            raise TriageError("unknown_model", _("No model with this version."), "version")
        TriageModel.objects.filter(is_active=True).exclude(pk=row.pk).update(is_active=False)
        row.is_active = True
        row.save(update_fields=["is_active", "updated_at"])
    transaction.on_commit(registry.invalidate)
    return row


def do_record_label(
    *,
    case_ref: str,
    title: str,
    text: str,
    label: str,
    user=None,
    prediction: dict | None = None,
) -> TrainingLabel:
    """Keep the dispatcher's final category as a label (the latest one wins)."""
    if not split_label(label):
        raise TriageError("missing_label", _("Choose a category."), "label")
    best = (prediction or {}).get("predictions", [{}])[0] if prediction else {}
    row, _created = TrainingLabel.objects.update_or_create(
        case_ref=case_ref,
        defaults={
            "title": title[:200],
            "text": text,
            "label": label,
            "predicted": best.get("label", ""),
            "confidence": best.get("confidence"),
            "model_version": (prediction or {}).get("model_version", ""),
            "labelled_by": user,
        },
    )
    return row


# -- assessments (the triage queue) --------------------------------------------------------
REASON_LOW_CONFIDENCE = "low_confidence"
REASON_DISAGREES = "disagrees"
REASON_NO_CATEGORY = "no_category"
REASON_NO_MODEL = "no_model"


def _first(label: str) -> str:
    parts = split_label(label or "")
    return parts[0] if parts else ""


def check_assess(*, title: str, text: str, chosen: str = "") -> dict:
    """Classify a new report (no writes) and decide whether a dispatcher must look at its category.

    It waits in the queue when no category was chosen, when the model is unsure (below the
    policy's threshold), or when the model is sure of a different first-level category
    than the one chosen at intake. With no active model, only uncategorised reports wait.
    """
    result = classify(title, text)
    best = result["predictions"][0] if result else {}
    reason = ""
    if not chosen:
        reason = REASON_NO_CATEGORY
    elif result is None:
        reason = ""
    elif result["needs_review"]:
        reason = REASON_LOW_CONFIDENCE
    elif _first(best["label"]) != _first(chosen):
        reason = REASON_DISAGREES
    return {
        "model_version": result["model_version"] if result else "",
        "predicted": best.get("label", ""),
        "confidence": best.get("confidence"),
        "predictions": result["predictions"] if result else [],
        "chosen": chosen,
        "reason": reason,
        "status": AssessmentStatus.PENDING if reason else AssessmentStatus.AUTO,
    }


def do_assess_many(assessed: dict[str, dict]) -> list[Assessment]:
    """Write a batch of ``check_assess`` results, by case reference: one insert for the new
    reports, each already assessed one updated on its own. Classify before the transaction
    that writes them, so the classifier holds no lock."""
    if not assessed:
        return []
    old = set(
        Assessment.objects.filter(case_ref__in=list(assessed)).values_list("case_ref", flat=True)
    )
    rows = Assessment.objects.bulk_create(
        Assessment(case_ref=ref, **values) for ref, values in assessed.items() if ref not in old
    )
    now = timezone.now()
    for ref in old:
        Assessment.objects.filter(case_ref=ref).update(**assessed[ref], updated_at=now)
    return rows


def do_decide(*, case_ref: str, label: str, title: str, text: str, user) -> Assessment:
    """The dispatcher's final category: close the assessment and keep it as a training label."""
    if not split_label(label):
        raise TriageError("missing_label", _("Choose a category."), "label")
    with transaction.atomic():
        row = Assessment.objects.select_for_update().filter(case_ref=case_ref).first()
        if row is None:
            row = Assessment(case_ref=case_ref, chosen=label)
        row.status = AssessmentStatus.CONFIRMED
        row.decided, row.decided_by, row.decided_at = label, user, timezone.now()
        row.save()
        prediction = (
            {"model_version": row.model_version, "predictions": row.predictions}
            if row.predictions
            else None
        )
        do_record_label(
            case_ref=case_ref, title=title, text=text, label=label, user=user, prediction=prediction
        )
    return row


def pending_refs():
    """Case numbers waiting for a dispatcher (a subquery for the apps above)."""
    return Assessment.objects.filter(status=AssessmentStatus.PENDING).values("case_ref")
