"""考核: the units' assessment scores for a region and period, from the weights and penalties
an administrator keeps as rows (``AssessmentWeight``, ``AssessmentPenalty``).

The score of a unit (the lead unit of the cases, as ``figures.breakdown(by="unit")`` counts
them), out of 100::

    score = max(0, Σ weightᵢ × rateᵢ × 100 / Σ weightᵢ  −  Σ min(capⱼ, pointsⱼ × countⱼ))

over the enabled rates i (响应率, 解决率, 满意率; a rate is 0..1, a weight is in per cent and
the enabled weights add up to 100, so the first term is Σ weightᵢ × rateᵢ) and the enabled
penalties j (so many points per case, at most the cap): overdue cases reported in the period
(by their lead unit), and returns made in the period, charged to the unit that made them
(``figures.returns_by_unit``: a return clears the lead unit, so counting returned cases by
their lead unit would charge whoever took the case over, or nobody).

A unit with no base for a rate (no case whose sign-for deadline has been decided, or no
rated case) is neither rewarded nor punished for it: the rate is left out and the weights of
the rates it has share the 100 points (with 响应率 30 / 解决率 40 / 满意率 30 and no rated
case, the response rate alone counts for all 100). A unit with no base for any rate gets no
score (listed last, "not scored"), whatever its penalties: there is nothing to judge yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.models import Organisation
from gongzhi.core.errors import ServiceError

from .models import AssessmentPenalty, AssessmentWeight

FORMULA = gettext_lazy(
    "Score = Σ weight × rate (the rates' weights add up to 100) − minus points for overdue "
    "and returned cases (so many per case, at most the cap), never below 0. A rate a unit has "
    "no base for is left out and its weight shared by the other rates; a unit with no base "
    "for any rate is not scored."
)


# The rows the data migration seeds (0002_assessment keeps its own copy, as migrations do).
DEFAULT_WEIGHTS = [
    ("response_rate", "响应率", Decimal(30), 10, "#2563eb"),
    ("resolution_rate", "解决率", Decimal(40), 20, "#059669"),
    ("satisfaction_rate", "满意率", Decimal(30), 30, "#d97706"),
]
DEFAULT_PENALTIES = [
    ("overdue", "超期件", Decimal("0.5"), Decimal(20), 10, "#dc2626"),
    ("returned", "退回件", Decimal(1), Decimal(20), 20, "#7c3aed"),
]


class AssessmentError(ServiceError):
    pass


def seed_defaults() -> None:
    """The default rows where none is (a database flushed by a test, a fresh install that
    skipped migrations); rows an administrator changed are left alone."""
    for code, name, weight, order, colour in DEFAULT_WEIGHTS:
        AssessmentWeight.objects.get_or_create(
            code=code, defaults={"name": name, "weight": weight, "order": order, "colour": colour}
        )
    for code, name, points, cap, order, colour in DEFAULT_PENALTIES:
        AssessmentPenalty.objects.get_or_create(
            code=code,
            defaults={"name": name, "points": points, "cap": cap, "order": order, "colour": colour},
        )


def weights() -> list[AssessmentWeight]:
    return list(AssessmentWeight.objects.filter(enabled=True).order_by("order", "code"))


def penalties() -> list[AssessmentPenalty]:
    return list(AssessmentPenalty.objects.filter(enabled=True).order_by("order", "code"))


def check_weights(*, rows: Iterable[tuple[str, bool, Decimal | None]]) -> None:
    """The weight rows as they would be after an edit, ``(code, enabled, weight)`` for each
    rate: the enabled ones must add up to 100. Raises ``AssessmentError``; changes nothing."""
    enabled = [(code, Decimal(weight or 0)) for code, on, weight in rows if on]
    if not enabled:
        raise AssessmentError(
            "no_weight", _("Enable at least one rate: a score needs something to weigh."), "enabled"
        )
    total = sum(w for _code, w in enabled)
    if total != 100:
        raise AssessmentError(
            "weights_sum",
            _(
                "The weights of the enabled rates add up to %(total)s%%, not 100%%. Change "
                "them together on the list of weights."
            )
            % {"total": f"{total.normalize():f}"},
            "weight",
        )


def score(row: dict, rates: list[AssessmentWeight], minus: list[AssessmentPenalty]) -> dict:
    """One unit's score and its parts, from its figures row (counts and rates)."""
    based = [w for w in rates if row.get(w.code) is not None and w.weight > 0]
    total_weight = sum((w.weight for w in based), Decimal(0))
    parts = []
    for w in rates:
        rate = row.get(w.code)
        share = float(w.weight / total_weight * 100) if w in based else None
        parts.append(
            {
                "measure": w.code,
                "label": str(w.get_code_display()),
                "weight": float(w.weight),
                "effective_weight": round(share, 2) if share is not None else None,
                "rate": rate,
                "points": round(share * rate, 2) if share is not None else None,
            }
        )
    taken = []
    for p in minus:
        count = int(row.get(p.code) or 0)
        taken.append(
            {
                "measure": p.code,
                "label": str(p.get_code_display()),
                "count": count,
                "points": float(min(p.cap, p.points * count)),
            }
        )
    minus_points = round(sum(t["points"] for t in taken), 2)
    if total_weight:
        rate_points = round(sum(p["points"] for p in parts if p["points"] is not None), 2)
        value = round(max(0.0, rate_points - minus_points), 2)
    else:
        rate_points = value = None
    return {
        "score": value,
        "rate_points": rate_points,
        "minus_points": minus_points,
        "parts": parts,
        "penalties": taken,
    }


def scores(*, viewer, region=None, start, end) -> dict:
    """The units that led cases reported in the period or returned cases in it, ranked by score (best first; equal
    scores share a rank, the unscored last). Raises ``figures.FigureError`` for a region
    outside the viewer's scope or a bad period."""
    from . import figures  # above the admin's import of this module: loaded only to score

    rates, minus = weights(), penalties()
    rows = figures.breakdown(viewer=viewer, region=region, start=start, end=end, by="unit")
    returns = figures.returns_by_unit(viewer=viewer, region=region, start=start, end=end)
    # A unit that returned cases but leads none reported in the period is still charged.
    led = {row["key"] for row in rows}
    names = dict(Organisation.objects.filter(pk__in=set(returns) - led).values_list("pk", "name"))
    rows += [figures.empty_row(pk, name) for pk, name in names.items()]
    units = []
    for row in rows:
        if not row.get("key"):
            continue  # cases no unit leads yet (still being accepted or dispatched)
        counts = {**row, "returned": returns.get(row["key"], 0)}
        units.append(
            {
                "key": row["key"],
                "label": row["label"],
                "figures": row,
                **score(counts, rates, minus),
            }
        )
    units.sort(key=lambda u: (u["score"] is None, -(u["score"] or 0), str(u["label"])))
    rank, previous = 0, object()
    for i, unit in enumerate(units, 1):
        if unit["score"] != previous:
            rank, previous = i, unit["score"]
        unit["rank"] = rank if unit["score"] is not None else None
    return {"weights": rates, "penalties": minus, "units": units, "formula": str(FORMULA)}
