"""A village's support threshold (``TopicRule`` rows): the most specific enabled row wins,
and a topic's threshold is the smaller of its households and its share of the village's
households, at least one."""

from __future__ import annotations

import math
from decimal import Decimal

from ..models import TopicRule


def rule_for(region) -> TopicRule | None:
    """The enabled rule of the village itself, else of its nearest area above, else the
    default row without a region."""
    best = None
    for rule in (
        TopicRule.objects.filter(enabled=True).select_related("region").order_by("order", "id")
    ):
        if rule.region_id is not None and not region.path.startswith(rule.region.path):
            continue
        if best is None or len(_path(rule)) > len(_path(best)):
            best = rule
    return best


def _path(rule) -> str:
    return rule.region.path if rule.region_id else ""


def threshold(rule: TopicRule | None, households: int) -> int:
    """Households needed: ``min(rule.households, ceil(percent % of households))``, ≥ 1."""
    if rule is None:
        return max(1, min(10, math.ceil(households * 5 / 100)))
    share = math.ceil(Decimal(households) * rule.percent / Decimal(100)) if rule.percent else None
    needed = rule.households if share is None else min(rule.households, share)
    return max(1, int(needed))
