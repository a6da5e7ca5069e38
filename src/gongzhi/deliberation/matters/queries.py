"""Selectors for the matters' pages and the API, each from ``Matter.objects.visible_to``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from ..choices import MatterState, MatterStepKind
from ..models import Matter

RELATED = ("region",)
OPEN = [
    MatterState.PROPOSED,
    MatterState.DELIBERATED,
    MatterState.REVIEWED,
    MatterState.RESOLVED,
    MatterState.PUBLISHED,
    MatterState.IMPLEMENTING,
]


@dataclass
class Filters:
    state: list[str] | None = None
    major: bool | None = None
    region_path: str | None = None  # places within it
    q: str | None = None  # part of the number or the title
    open: bool | None = None


def filtered(qs, f: Filters | None):
    if f is None:
        return qs
    if f.state:
        qs = qs.filter(state__in=f.state)
    if f.open is True:
        qs = qs.filter(state__in=OPEN)
    elif f.open is False:
        qs = qs.exclude(state__in=OPEN)
    if f.major is not None:
        qs = qs.filter(major=f.major)
    if f.region_path:
        qs = qs.filter(region_path__startswith=f.region_path)
    if f.q:
        q = f.q.strip()
        qs = qs.filter(number__icontains=q) | qs.filter(title__icontains=q)
    return qs


def visible(user, f: Filters | None = None):
    """Every matter the user may see, newest first (the list page and the API)."""
    qs = Matter.objects.visible_to(user).select_related(*RELATED)
    return filtered(qs, f).order_by("-created_at", "-id")


def counts_by_state(user) -> dict[str, int]:
    qs = Matter.objects.visible_to(user).order_by()
    return dict(qs.values_list("state").annotate(n=Count("id")))


def checklist(matter) -> list[dict]:
    """The six steps of 四议两公开 in order, each with the step taken (or None). An ordinary
    decision shows only the steps it takes (resolved by its meeting, then the two 公开)."""
    taken = {s.kind: s for s in matter.steps.select_related("meeting", "recorded_by")}
    kinds = MatterStepKind.ordered()
    if not matter.major:
        kinds = [
            k
            for k in kinds
            if k in (MatterStepKind.RESOLVE, MatterStepKind.PUBLISH, MatterStepKind.RESULT)
        ]
    return [{"kind": k, "label": k.label, "step": taken.get(k.value)} for k in kinds]


def timeline(matter):
    return matter.events.select_related("actor").order_by("at", "id")
