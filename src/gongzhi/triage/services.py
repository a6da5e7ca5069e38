"""Triage services: classify, train, record labels; plain data in, plain data out.

Apps above triage (``cases``) hand in their reports as ``Record``s or dicts and register a
source of training data with ``register_source``; triage never imports them.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import registry
from .classifier import Record, TextClassifier, split_label
from .models import (
    Assessment,
    AssessmentStatus,
    MergeOffer,
    TrainingLabel,
    TriageModel,
    TriagePolicy,
)
from .text import governance_terms


class TriageError(ValueError):
    """Bad input to a triage service: a code for the API and a message for people."""

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code, self.message, self.field = code, message, field

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "field": self.field}


DEFAULT_THRESHOLD = 0.6
REASONS = 4  # words shown for each suggestion

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
def classify(title: str, text: str = "", *, top_k: int = 3, reasons: bool = True) -> dict | None:
    """Ranked category paths with calibrated confidences, or None when no model is active.

    ``needs_review`` is true when the best confidence is below the policy's threshold: the
    report should wait in the human triage queue.
    """
    loaded = registry.active()
    if loaded is None or not (title or text).strip():
        return None
    predictions = loaded.model.predict(
        title or "", text or "", top_k=top_k, reasons=REASONS if reasons else 0
    )
    threshold, coverage = threshold_in_force(loaded)
    best = predictions[0]
    return {
        "model_version": loaded.version,
        "threshold": round(threshold, 4),
        "coverage_target": coverage,
        "needs_review": best.confidence < threshold,
        "predictions": [p.as_dict() for p in predictions],
    }


def explain(title: str, text: str, labels: list[str]) -> dict[str, list[str]]:
    """The words that weighed most for each label with the active model ({} without one):
    for assessments recorded before the reasons were kept."""
    loaded = registry.active()
    if loaded is None or not labels:
        return {}
    return loaded.model.reasons(title or "", text or "", labels, k=REASONS)


def deferral() -> dict | None:
    """What the queue page says about the rule in force: the share routed automatically and
    the threshold that achieves it with the active model (None without a model)."""
    loaded = registry.active()
    if loaded is None:
        return None
    threshold, coverage = threshold_in_force(loaded)
    return {"threshold": threshold, "coverage_target": coverage, "version": loaded.version}


def threshold_in_force(loaded: registry.Loaded) -> tuple[float, float | None]:
    """(confidence threshold, coverage target it achieves): the threshold that routes the
    policy's share of reports, as measured on the model's held-out folds; the policy's
    fallback threshold (and no coverage) for a model trained without them."""
    from .evaluation import threshold_for

    rules = policy()
    found = threshold_for(list(loaded.coverage_curve), rules.coverage_target)
    if found is None:
        return rules.confidence_threshold, None
    return found, rules.coverage_target


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
    metrics: dict | None = None,
) -> TriageModel:
    """Train, write the versioned file, record its data and metrics, optionally activate.

    With ``holdout`` (and 50 reports or more) the data is first split into grouped folds
    and every report predicted by a model that did not see it: the figures at 70–100 %
    coverage and the coverage curve (which threshold routes which share) are kept in
    ``metrics``, so the policy's coverage target maps to this model's own threshold."""
    check_training_data(records)
    words = list(extra_words) if extra_words is not None else domain_words()
    if metrics is None:
        metrics = {}
        if holdout and len(records) >= 50:
            from .evaluation import fold_calibration

            metrics = fold_calibration(records, make=lambda: TextClassifier(extra_words=words))
    metrics = {k: v for k, v in metrics.items() if not k.startswith("_")}
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
    # The words behind each suggestion cost as much as the prediction: they are found only
    # for the reports a dispatcher will read.
    result = classify(title, text, reasons=False)
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
    if reason and result:
        words = explain(title, text, [p["label"] for p in result["predictions"]])
        for p in result["predictions"]:
            p["words"] = words.get(p["label"], [])
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


# -- retraining from the dispatchers' decisions --------------------------------------------
log = logging.getLogger(__name__)


def decision_records() -> list[Record]:
    """The dispatchers' confirmed categories as training records (by case number)."""
    return [
        Record(lab.title, lab.text, lab.label, ref=lab.case_ref)
        for lab in TrainingLabel.objects.order_by("pk")
    ]


def _first_level_accuracy(predicted: list[str], truth: list[str]) -> float:
    hits = sum(_first(p) == _first(t) for p, t in zip(predicted, truth, strict=True))
    return round(hits / len(truth), 4) if truth else 0.0


def do_retrain(
    *,
    records: list[Record] | None = None,
    source: str = "platform",
    force: bool = False,
    actor=None,
    extra_words: Iterable[str] | None = None,
    now=None,
) -> dict:
    """Train a candidate on the platform's data with the dispatchers' confirmed categories,
    and activate it only if it is not worse than the active model on the same held-out
    reports: the decisions made since the active model was trained (it never saw them),
    each predicted by the candidate from a fold that did not hold it. Audited and logged.

    Returns {"status": "activated" | "kept_previous" | "skipped", …}. Skipped when fewer
    new decisions than the policy asks for (``force`` lowers that to one)."""
    from .evaluation import fold_calibration

    now = now or timezone.now()
    rules = policy()
    if records is None:
        records = platform_records()
    check_training_data(records)
    previous = TriageModel.objects.filter(is_active=True).first()
    fresh = TrainingLabel.objects.all()
    if previous is not None:
        fresh = fresh.filter(updated_at__gt=previous.created_at)
    fresh = list(fresh.values_list("case_ref", "title", "text", "label"))
    needed = 1 if force else max(1, rules.retrain_min_decisions)
    result: dict = {
        "previous": previous.version if previous else None,
        "new_decisions": len(fresh),
        "source": source,
    }
    if previous is not None and len(fresh) < needed:
        result |= {"status": "skipped", "reason": f"{len(fresh)} new decisions, {needed} needed"}
        _note_retrain(result, actor=actor, now=now)
        return result
    words = list(extra_words) if extra_words is not None else domain_words()
    metrics = fold_calibration(records, make=lambda: TextClassifier(extra_words=words))
    oof = metrics.get("_predicted", {})
    compared = [(ref, title, text, label) for ref, title, text, label in fresh if ref in oof]
    prev_model = None
    if previous is not None:
        try:
            prev_model = registry.load(previous.file)
        except (OSError, EOFError, ValueError):
            log.warning("triage retrain: the active model's file %s is missing", previous.file)
    if prev_model is not None and compared:
        truth = [c[3] for c in compared]
        old = prev_model.predict_top([c[1] for c in compared], [c[2] for c in compared])
        result["compared"] = {
            "n": len(compared),
            "previous_accuracy": _first_level_accuracy([str(p) for p in old], truth),
            "candidate_accuracy": _first_level_accuracy([oof[c[0]] for c in compared], truth),
        }
        if result["compared"]["candidate_accuracy"] < result["compared"]["previous_accuracy"]:
            result["status"] = "kept_previous"
            _note_retrain(result, actor=actor, now=now)
            return result
    metrics["compared"] = result.get("compared", {})
    row = do_train(records, source=source, activate=True, extra_words=words, metrics=metrics)
    result |= {"status": "activated", "version": row.version}
    _note_retrain(result, actor=actor, now=now, row=row)
    return result


def _note_retrain(result: dict, *, actor, now, row: TriageModel | None = None) -> None:
    from gongzhi.core import audit

    TriagePolicy.objects.filter(enabled=True).update(last_retrain_at=now)
    forget_policy()
    compared = result.get("compared") or {}
    reason = f"{result['status']}: {result['new_decisions']} new decisions" + (
        f"; held-out accuracy {compared['candidate_accuracy']} vs "
        f"{compared['previous_accuracy']} (n={compared['n']})"
        if compared
        else ""
    )
    audit.record(
        actor=actor,
        action="triage_retrain",
        obj=row,
        named=None if row else ("triage.triagemodel", result.get("previous") or "", "retrain"),
        reason=reason if actor else f"{reason}; {audit.command_line()}",
    )
    log.info("triage retrain %s", reason)


# -- merge offers and the weekly figures ----------------------------------------------------
def do_record_merge_offer(
    *,
    case_ref: str,
    other_ref: str,
    accepted: bool,
    candidate: dict | None,
    title: str,
    text: str,
    other_title: str,
    other_text: str,
    user=None,
    source: str = "offer",
    features: dict | None = None,
) -> MergeOffer:
    """Keep a verdict on a pair of reports (the latest verdict on a pair wins): a
    dispatcher's answer to a merge offer, a merge on the case page, a "me too" on the
    intake hint (``source``). ``features``: what the duplicate scorer read of the pair, for
    its calibration (``calibration.do_calibrate``)."""
    candidate = candidate or {}
    why = {
        k: candidate.get(k)
        for k in ("shared_words", "shared_places", "distance_m", "days_apart")
        if candidate.get(k) is not None
    }
    row, _created = MergeOffer.objects.update_or_create(
        case_ref=case_ref,
        other_ref=other_ref,
        defaults={
            "accepted": accepted,
            "score": candidate.get("score"),
            "why": why,
            "source": source,
            "features": features or {},
            "title": title[:200],
            "text": text,
            "other_title": other_title[:200],
            "other_text": other_text,
            "decided_by": user,
        },
    )
    return row


def rejected_pairs(refs: list[str]) -> dict[str, set[str]]:
    """For each case number, the numbers a dispatcher said are not the same problem (either
    way round), in one query."""
    out: dict[str, set[str]] = {}
    rows = MergeOffer.objects.filter(accepted=False).filter(
        models.Q(case_ref__in=refs) | models.Q(other_ref__in=refs)
    )
    wanted = set(refs)
    for a, b in rows.values_list("case_ref", "other_ref"):
        if a in wanted:
            out.setdefault(a, set()).add(b)
        if b in wanted:
            out.setdefault(b, set()).add(a)
    return out


def weekly_figures(*, refs, weeks: int = 8, now=None) -> list[dict]:
    """Per week (Monday to Sunday, local time), newest first: the categories dispatchers
    confirmed in the triage queue and how often they agreed with the suggested category (the
    model's first choice; also: among its first three), and the merge offers they accepted
    or rejected. ``refs``: the case numbers the viewer may see (a subquery)."""
    now = timezone.localtime(now or timezone.now())
    monday = (now - timedelta(days=now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    start = monday - timedelta(weeks=weeks - 1)
    table = {
        (start + timedelta(weeks=i)).date(): {
            "week": (start + timedelta(weeks=i)).date(),
            "decided": 0, "agreed": 0, "in_top3": 0, "merged": 0, "rejected": 0,
        }
        for i in range(weeks)
    }  # fmt: skip

    def week_of(at):
        local = timezone.localtime(at)
        return (local - timedelta(days=local.weekday())).date()

    decided = Assessment.objects.filter(
        status=AssessmentStatus.CONFIRMED, decided_at__gte=start, case_ref__in=refs
    ).values_list("decided_at", "predicted", "decided", "predictions")
    for at, predicted, label, ranked in decided:
        row = table.get(week_of(at))
        if row is None:
            continue
        row["decided"] += 1
        row["agreed"] += bool(predicted) and predicted == label
        row["in_top3"] += any(p.get("label") == label for p in (ranked or [])[:3])
    offers = MergeOffer.objects.filter(updated_at__gte=start, case_ref__in=refs).values_list(
        "updated_at", "accepted"
    )
    for at, accepted in offers:
        row = table.get(week_of(at))
        if row is not None:
            row["merged" if accepted else "rejected"] += 1
    out = []
    for row in sorted(table.values(), key=lambda r: r["week"], reverse=True):
        n, offered = row["decided"], row["merged"] + row["rejected"]
        row["agreed_share"] = round(row["agreed"] / n, 3) if n else None
        row["in_top3_share"] = round(row["in_top3"] / n, 3) if n else None
        row["merged_share"] = round(row["merged"] / offered, 3) if offered else None
        out.append(row)
    return out
