"""The duplicate scorer's calibration, refitted from the recorded verdicts.

The shipped model (``resemblance.model()``) turns a pair's features into log-odds ``z``,
fitted on hand-labelled pairs of another city's messages. What a dispatcher here calls one
problem may differ, so the chance shown and the offer threshold ("offered when the chance
of a repeat is at least 50 %") are recalibrated on the platform's own verdicts
(``MergeOffer``: answers to merge offers, merges on the case page, "me too" on the intake
hint): chance = sigmoid(slope · z + intercept), two numbers, so that a few hundred
verdicts are enough. The fit is pulled towards the calibration in force (a Gaussian prior
on the two numbers, standard deviation 1/√``PRIOR``), and the slope is kept positive: a
better match never lowers the chance.

``do_calibrate`` refits and keeps the result only when

* there are enough verdicts (``MIN_VERDICTS``, at least ``MIN_EACH`` merged and rejected)
  and enough new ones since the calibration in force (``MIN_NEW``), which never saw them;
* the refit predicts those new verdicts better than the calibration in force (log loss),
  each predicted by a fit on the other folds (pairs sharing a case are in one fold).

Else the previous calibration stays. Every run says what it did, and is audited.

A caveat the figures carry: rejections come only from pairs that were offered (their chance
was at least the threshold), merges from anywhere (a dispatcher merges a repeat the scorer
missed on the case page). Below the threshold the verdicts therefore hold repeats and few
non-repeats; the prior and the held-out comparison keep a refit from believing them alone.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils import timezone

from . import resemblance
from .models import DuplicateCalibration, MergeOffer

log = logging.getLogger(__name__)

MIN_VERDICTS = 30
MIN_EACH = 5
MIN_NEW = 10
FOLDS = 5
PRIOR = 1.0
MIN_SLOPE = 0.05


@dataclass(frozen=True)
class Calibration:
    slope: float = 1.0
    intercept: float = 0.0

    def chance_of(self, z: float) -> float:
        t = self.slope * z + self.intercept
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, t))))

    def chances(self, z: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-np.clip(self.slope * z + self.intercept, -30.0, 30.0)))


SHIPPED = Calibration()

# Seconds a process trusts its copy of the calibration in force: it changes at most on the
# retraining schedule, and a page of possible duplicates should not pay a query for it.
TTL = 60.0
_current: tuple[float, Calibration | None] = (0.0, None)


def current() -> Calibration:
    """The calibration in force (the active row, else the shipped one), read at most once a
    minute (``TTL``; at once in the process that activated it): it is read for every
    duplicate score."""
    global _current
    read_at, found = _current
    now = time.monotonic()
    if found is None or now - read_at > TTL:
        row = DuplicateCalibration.objects.filter(is_active=True).first()
        found = Calibration(row.slope, row.intercept) if row else SHIPPED
        _current = (now, found)
    return found


def forget() -> None:
    global _current
    _current = (0.0, None)


# -- the verdicts as (z, label) ---------------------------------------------------------------
def log_odds(features: dict) -> float | None:
    """The shipped model's log-odds for stored features (None when they are incomplete)."""
    if not all(k in features for k in resemblance.FEATURES):
        return None
    return resemblance.model().log_odds(
        {k: float(features[k]) for k in resemblance.FEATURES},
        same_category=features.get("same_category"),
    )


def _recomputed(offer: MergeOffer) -> float:
    """Log-odds of a verdict kept before its features were: from both texts, with the
    distance and days shown at the time (no category)."""
    why = offer.why or {}
    found = resemblance.compare(
        resemblance.profile(offer.title, offer.text),
        resemblance.profile(offer.other_title, offer.other_text),
        days=why.get("days_apart"),
        distance_m=why.get("distance_m"),
    )
    return resemblance.model().log_odds(found.features)


def verdicts() -> list[dict]:
    """Every recorded verdict: z (log-odds), label (1 merged), when, and its fold group
    (pairs that share a case share a group)."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    rows = []
    for offer in MergeOffer.objects.order_by("pk").iterator():
        z = log_odds(offer.features or {})
        if z is None:
            z = _recomputed(offer)
        a, b = root(offer.case_ref), root(offer.other_ref)
        parent[a] = b
        rows.append(
            {
                "z": z,
                "label": int(offer.accepted),
                "at": offer.updated_at,
                "refs": (offer.case_ref, offer.other_ref),
            }
        )
    for row in rows:
        row["group"] = root(row["refs"][0])
    return rows


# -- fitting ----------------------------------------------------------------------------------
def fit(z, y, *, prior: Calibration = SHIPPED, strength: float = PRIOR) -> Calibration:
    """Slope and intercept by penalised maximum likelihood (Newton steps, the slope held to
    at least ``MIN_SLOPE``), pulled towards ``prior`` (an L2 penalty of ``strength``/2)."""
    z, y = np.asarray(z, dtype=np.float64), np.asarray(y, dtype=np.float64)
    theta0 = np.array([prior.slope, prior.intercept])
    theta = theta0.copy()
    for _step in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(theta[0] * z + theta[1], -30.0, 30.0)))
        w = p * (1.0 - p)
        grad = np.array([np.sum((p - y) * z), np.sum(p - y)]) + strength * (theta - theta0)
        hess = np.array(
            [[np.sum(w * z * z), np.sum(w * z)], [np.sum(w * z), np.sum(w)]]
        ) + strength * np.eye(2)
        step = np.linalg.solve(hess, grad)
        theta = theta - step
        theta[0] = max(theta[0], MIN_SLOPE)
        if np.max(np.abs(step)) < 1e-8:
            break
    return Calibration(round(float(theta[0]), 4), round(float(theta[1]), 4))


def log_loss(chances: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(chances, 1e-6, 1 - 1e-6)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _at_threshold(chances: np.ndarray, y: np.ndarray, threshold: float) -> dict:
    offered = chances >= threshold
    tp = int(np.sum(offered & (y == 1)))
    precision = tp / int(np.sum(offered)) if np.any(offered) else None
    recall = tp / int(np.sum(y == 1)) if np.any(y == 1) else None
    return {
        "offered": int(np.sum(offered)),
        "precision": None if precision is None else round(precision, 3),
        "recall": None if recall is None else round(recall, 3),
    }


def _out_of_fold(rows: list[dict], prior: Calibration) -> np.ndarray:
    """Each verdict's chance from a fit on the folds that do not hold it (by group)."""
    groups = sorted({r["group"] for r in rows})
    fold_of = {g: i % FOLDS for i, g in enumerate(groups)}
    z = np.array([r["z"] for r in rows])
    y = np.array([r["label"] for r in rows])
    folds = np.array([fold_of[r["group"]] for r in rows])
    out = np.zeros(len(rows))
    for k in range(FOLDS):
        held = folds == k
        if not held.any():
            continue
        cal = fit(z[~held], y[~held], prior=prior)
        out[held] = cal.chances(z[held])
    return out


def do_calibrate(*, threshold: float = 0.5, actor=None, now=None, force: bool = False) -> dict:
    """Refit the calibration from every recorded verdict and make it the one in force if
    it predicts the verdicts the calibration in force never saw better than that one does.

    Returns {"status": "activated" | "kept_previous" | "skipped", "reason", "verdicts",
    "merged", "new", "previous", "candidate", "compared"…}. ``force`` lowers the number of
    new verdicts needed to one (the others still hold)."""
    now = now or timezone.now()
    previous_row = DuplicateCalibration.objects.filter(is_active=True).first()
    previous = Calibration(previous_row.slope, previous_row.intercept) if previous_row else SHIPPED
    rows = verdicts()
    merged = sum(r["label"] for r in rows)
    since = previous_row.created_at if previous_row else None
    new = [i for i, r in enumerate(rows) if since is None or r["at"] > since]
    result: dict = {
        "verdicts": len(rows),
        "merged": merged,
        "rejected": len(rows) - merged,
        "new": len(new),
        "previous": {"slope": previous.slope, "intercept": previous.intercept},
    }
    needed_new = 1 if force else MIN_NEW
    reason = None
    if len(rows) < MIN_VERDICTS:
        reason = f"{len(rows)} verdicts, {MIN_VERDICTS} needed"
    elif min(merged, len(rows) - merged) < MIN_EACH:
        reason = f"{merged} merged and {len(rows) - merged} rejected, {MIN_EACH} of each needed"
    elif len(new) < needed_new:
        reason = f"{len(new)} new verdicts since the calibration in force, {needed_new} needed"
    if reason:
        result |= {"status": "skipped", "reason": reason}
        _note(result, actor=actor)
        return result
    z = np.array([r["z"] for r in rows])
    y = np.array([r["label"] for r in rows], dtype=np.float64)
    candidate = fit(z, y, prior=previous)
    held = _out_of_fold(rows, previous)[new]
    before = previous.chances(z[new])
    result["candidate"] = {"slope": candidate.slope, "intercept": candidate.intercept}
    result["compared"] = {
        "n": len(new),
        "previous_log_loss": round(log_loss(before, y[new]), 4),
        "candidate_log_loss": round(log_loss(held, y[new]), 4),
        "previous_at_threshold": _at_threshold(before, y[new], threshold),
        "candidate_at_threshold": _at_threshold(held, y[new], threshold),
        "threshold": threshold,
    }
    # Where the candidate puts the threshold, in the shipped model's log-odds.
    result["candidate"]["threshold_log_odds"] = round(
        (math.log(threshold / (1 - threshold)) - candidate.intercept) / candidate.slope, 3
    )
    if result["compared"]["candidate_log_loss"] >= result["compared"]["previous_log_loss"]:
        result |= {
            "status": "kept_previous",
            "reason": "the refit predicts the new verdicts no better",
        }
        _note(result, actor=actor)
        return result
    with transaction.atomic():
        DuplicateCalibration.objects.filter(is_active=True).update(is_active=False)
        row = DuplicateCalibration.objects.create(
            slope=candidate.slope,
            intercept=candidate.intercept,
            n_verdicts=len(rows),
            n_merged=merged,
            metrics={k: result[k] for k in ("compared", "new", "previous")} | {"at": str(now)},
            is_active=True,
        )
        transaction.on_commit(forget)
    result |= {"status": "activated", "id": row.pk, "reason": "better on the new verdicts"}
    _note(result, actor=actor, row=row)
    return result


def _note(result: dict, *, actor, row: DuplicateCalibration | None = None) -> None:
    from gongzhi.core import audit

    compared = result.get("compared") or {}
    reason = f"{result['status']}: {result['verdicts']} verdicts ({result['new']} new)" + (
        f"; held-out log loss {compared['candidate_log_loss']} vs {compared['previous_log_loss']}"
        if compared
        else f"; {result.get('reason', '')}"
    )
    audit.record(
        actor=actor,
        action="duplicate_calibrate",
        obj=row,
        named=None if row else ("triage.duplicatecalibration", "", "calibrate"),
        reason=reason if actor else f"{reason}; {audit.command_line()}",
    )
    log.info("duplicate calibration %s", reason)
