"""Services of the taxonomy: finding a category."""

from __future__ import annotations

from functools import reduce
from operator import and_, or_

from django.db import models

from .models import Category


def _terms(q: str) -> list[str]:
    return [t for t in (q or "").replace("/", " ").split() if t]


def search_categories(q: str, limit: int = 20, *, exclude_paths=()) -> list[Category]:
    """Enabled categories whose name, full path of names or keywords contain every word of
    ``q``, best first: exact name, name starting with the words, name containing them, then
    keyword and path matches; deeper (more specific) categories before their parents.
    ``exclude_paths``: trees left out by the search itself (a picker's reserved trees), so
    that up to ``limit`` categories are still found."""
    terms = _terms(q)
    if not terms or limit <= 0:
        return []
    condition = reduce(
        and_,
        (
            reduce(
                or_,
                (
                    models.Q(name__icontains=t),
                    models.Q(full_name__icontains=t),
                    models.Q(keywords__icontains=t),
                ),
            )
            for t in terms
        ),
    )
    left_out = [
        *Category.objects.filter(enabled=False).values_list("path", flat=True),
        *(p for p in exclude_paths if p),
    ]
    candidates = Category.objects.filter(condition, enabled=True).select_related("sla", "owner")
    if left_out:
        candidates = candidates.exclude(
            reduce(or_, (models.Q(path__startswith=p) for p in left_out))
        )
    phrase = "".join(terms).lower()

    def rank(category: Category) -> tuple:
        name = category.name.lower()
        if name == phrase:
            tier = 0
        elif name.startswith(phrase):
            tier = 1
        elif all(t.lower() in name for t in terms):
            tier = 2
        elif all(t.lower() in category.keywords.lower() or t.lower() in name for t in terms):
            tier = 3
        else:
            tier = 4
        return (tier, -category.level, category.order, category.path)

    return sorted(candidates[:500], key=rank)[:limit]
