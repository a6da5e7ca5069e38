"""The figures of 移风易俗: per village and month, registrations by kind, within the caps or
over them, and the average tables and guests. Cancelled registrations are left out (they
did not happen); a registration counts in the month of its date."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from gongzhi.accounts.masking import mask_name
from gongzhi.core.scope import scope_for
from gongzhi.people import members

from ..choices import CeremonyState
from ..models import Ceremony


@dataclass
class Figure:
    region_id: int
    region_name: str
    month: str  # "2026-05"
    weddings: int = 0
    funerals: int = 0
    within: int = 0
    over: int = 0
    tables: int = 0
    guests: int = 0

    @property
    def total(self) -> int:
        return self.weddings + self.funerals

    @property
    def avg_tables(self) -> float | None:
        return round(self.tables / self.total, 1) if self.total else None

    @property
    def avg_guests(self) -> float | None:
        return round(self.guests / self.total, 1) if self.total else None

    def as_dict(self) -> dict:
        return {
            "region_id": self.region_id,
            "region_name": self.region_name,
            "month": self.month,
            "weddings": self.weddings,
            "funerals": self.funerals,
            "total": self.total,
            "within_caps": self.within,
            "over_caps": self.over,
            "avg_tables": self.avg_tables,
            "avg_guests": self.avg_guests,
        }


def reads_figures(user) -> bool:
    """Staff of a village or above it (a resident sees their own registrations only)."""
    scope = scope_for(user)
    return scope.everything or bool(members.staff_paths(scope))


def staff_area(user):
    """The registrations of the staff's area (never a resident's own household only)."""
    from django.db.models import Q

    scope = scope_for(user)
    if scope.everything:
        return Ceremony.objects.all()
    q = Q(pk__in=[])
    for path in members.staff_paths(scope):
        q |= Q(region_path__startswith=path)
    return Ceremony.objects.filter(q)


def household_label(household, viewer, *, reveal=False) -> str:
    """The household as staff see it (its head's name masked, unless revealed: then with
    the phone) or as its own resident."""
    head = household.head.name if household.head_id else ""
    me = members.villager(viewer)
    if reveal and household.head_id:
        head = f"{head} {household.head.phone}".strip()
    elif me is None or me.household_id != household.pk:
        head = mask_name(head)
    return " ".join(p for p in (household.number, head) if p) or f"#{household.pk}"


def monthly(user, *, start: dt.date, end: dt.date, region_path: str | None = None) -> list[Figure]:
    """Per village and month, dates from ``start`` to ``end`` inclusive."""
    rows = (
        staff_area(user)
        .exclude(state=CeremonyState.CANCELLED)
        .filter(date__gte=start, date__lte=end)
        .values_list("region_id", "region__name", "date", "kind", "tables", "guests", "warnings")
    )
    if region_path:
        rows = rows.filter(region_path__startswith=region_path)
    found: dict[tuple, Figure] = {}
    for region_id, name, date, kind, tables, guests, warnings in rows:
        month = date.strftime("%Y-%m")
        f = found.setdefault((month, region_id), Figure(region_id, name, month))
        if kind == "wedding":
            f.weddings += 1
        else:
            f.funerals += 1
        if warnings:
            f.over += 1
        else:
            f.within += 1
        f.tables += tables
        f.guests += guests
    return sorted(found.values(), key=lambda f: (f.month, f.region_name))


def by_month(figures: list[Figure]) -> list[Figure]:
    """The same summed over the villages: one row a month, for the chart."""
    months: dict[str, Figure] = defaultdict(lambda: None)  # type: ignore[arg-type]
    for f in figures:
        m = months[f.month] or Figure(0, "", f.month)
        for attr in ("weddings", "funerals", "within", "over", "tables", "guests"):
            setattr(m, attr, getattr(m, attr) + getattr(f, attr))
        months[f.month] = m
    return [months[k] for k in sorted(months)]


def chart(figures: list[Figure]) -> dict:
    from django.utils.translation import gettext as _

    months = by_month(figures)
    return {
        "labels": [m.month for m in months],
        "series": [
            {"name": _("Within the caps"), "data": [m.within for m in months], "colour": "#059669"},
            {"name": _("Over a cap"), "data": [m.over for m in months], "colour": "#dc2626"},
        ],
    }
