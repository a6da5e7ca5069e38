"""Which caps apply to a ceremony, and the warnings its figures earn (never a block).

A rule row belongs to a village, or to a township, county or the city for every village
under it; for a village and a kind the enabled row of the longest path above it applies.
A warning is kept on the registration as data (``field``, ``cap``, ``figure``) and said
as a sentence in the reader's language by ``warning_text``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from ..models import CustomRule

# The figures a rule caps, in the order warnings are listed.
CAPPED = (
    ("tables", "max_tables"),
    ("guests", "max_guests"),
    ("gift", "max_gift"),
    ("days", "max_days"),
)


def ancestors(path: str) -> list[str]:
    """ "/a/b/c/" → ["/a/", "/a/b/", "/a/b/c/"]."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: n + 1]) + "/" for n in range(len(parts))]


def rule_for(region_path: str, kind: str) -> CustomRule | None:
    """The most specific enabled rule for this kind at or above the village."""
    rows = CustomRule.objects.filter(
        kind=kind, enabled=True, region_path__in=ancestors(region_path)
    ).select_related("region")
    return max(rows, key=lambda r: len(r.region_path), default=None)


def warnings_for(rule: CustomRule | None, **figures) -> list[dict]:
    """One entry per figure above its cap: {field, cap, figure, region}."""
    if rule is None:
        return []
    found = []
    for field, cap_field in CAPPED:
        cap = getattr(rule, cap_field)
        figure = figures.get(field)
        if cap is not None and figure is not None and figure > cap:
            found.append({"field": field, "cap": cap, "figure": figure, "region": rule.region.name})
    return found


def warning_text(w: dict) -> str:
    values = {"figure": w["figure"], "cap": w["cap"], "region": w.get("region", "")}
    if w["field"] == "tables":
        return (
            _("%(figure)s tables are planned; the rules of %(region)s allow at most %(cap)s.")
            % values
        )
    if w["field"] == "guests":
        return (
            _("%(figure)s guests are expected; the rules of %(region)s allow at most %(cap)s.")
            % values
        )
    if w["field"] == "gift":
        return (
            _(
                "The largest cash gift is %(figure)s yuan; the rules of %(region)s allow at most %(cap)s yuan."
            )
            % values
        )
    return (
        _("It lasts %(figure)s days; the rules of %(region)s allow at most %(cap)s days.") % values
    )


def warning_texts(ceremony) -> list[str]:
    return [warning_text(w) for w in ceremony.warnings or []]
