"""The register's figures for an area, place by place (a county's townships, a township's
communities, a community's grids): population (registered and migrant), houses by use,
members of each care group, visits made on time and daily check-ins kept.

* population: residents living there on the period's last day (moved in by then, not moved
  out); houses: as they are now (a house keeps no history of its use);
* care groups: current memberships on the period's last day, through
  ``CareMembership.objects.for_figures`` — counts only; a group the user may not count is
  not even a column (a grid worker is never shown a 社区矫正对象 figure, not even 0);
* visits on time: of the visits that fell due in the period and are made or late (a visit
  still due and not yet late is not judged), the share made by the day they were due
  (``visited_at``'s local date ≤ ``due_on``); counted over the same memberships;
* check-ins kept: of the plan-days in the period that are over (up to yesterday), from
  each plan's start until the day it ended, the share with a check-in.

A rate is None when there is nothing to divide by. Every figure is an aggregate query
grouped by place: the number of queries does not depend on the number of people.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    DurationField,
    F,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least, TruncMonth
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Role
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.core.scope import scope_for
from gongzhi.regions.models import Grid, Region, RegionLevel

from .access import access_for, parse_functions
from .choices import HouseUse, Registration, VisitState
from .models import CareGroup, CareMembership, CheckIn, CheckInPlan, House, Resident, Visit

MAX_DAYS = 366
DEFAULT_DAYS = 30
REGION_FIELDS = ("pk", "code", "name", "path", "level")


# -- who counts what, where ---------------------------------------------------------------------


def _counts_everywhere(user) -> bool:
    """Leaders and administrators count every group's members in their places."""
    return bool(scope_for(user).roles & {Role.LEADER, Role.ADMINISTRATOR})


def area_paths(user) -> tuple[bool, tuple[str, ...], frozenset[int]]:
    """(everything, the region paths whose figures the user sees, their own grids)."""
    access = access_for(user)
    scope = scope_for(user)
    if access.everything:
        return True, (), frozenset()
    paths = set(access.governed_paths)
    for served in access.functions.values():
        paths |= set(served)
    if _counts_everywhere(user):
        paths |= set(scope.region_paths)
    kept: list[str] = []
    for path in sorted(paths, key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return False, tuple(sorted(kept)), access.grid_ids


def may_see_figures(user) -> bool:
    everything, paths, grids = area_paths(user)
    return everything or bool(paths or grids)


def countable_groups(user) -> list[CareGroup]:
    """The enabled groups whose members the user may count (the columns of the table)."""
    access = access_for(user)
    groups = list(CareGroup.objects.filter(enabled=True).order_by("order", "code"))
    if access.everything or _counts_everywhere(user):
        return groups
    codes = set(access.functions)
    return [
        g
        for g in groups
        if (g.open_to_local and access.sees_register) or parse_functions(g.functions) & codes
    ]


# -- the area and its places ----------------------------------------------------------------------


@dataclass
class Places:
    """The area looked at (None: all of the user's) and the rows: ``(key, label, code)``;
    ``by`` says whether the key is a region path or a grid id."""

    area: dict | None
    rows: list[tuple]
    by: str  # "path" or "grid"
    parents: list[dict]


def _regions(**filters) -> list[dict]:
    return list(Region.objects.filter(**filters).order_by("code").values(*REGION_FIELDS))


def _grid_rows(grids) -> list[tuple]:
    return [
        (g["pk"], g["name"], g["code"]) for g in grids.order_by("code").values("pk", "name", "code")
    ]


def places(user, region_code: str | None = None) -> Places:
    """The rows for the user's area, or for a place inside it (drill-down by code)."""
    everything, paths, grids = area_paths(user)
    if not region_code:
        if everything:
            tops = _regions(parent=None)
            if len(tops) == 1:
                return places(user, tops[0]["code"])
            return Places(None, [(r["path"], r["name"], r["code"]) for r in tops], "path", [])
        if len(paths) == 1 and not grids:
            code = Region.objects.filter(path=paths[0]).values_list("code", flat=True).first()
            if code:
                return places(user, code)
        if paths:
            # The places the user serves (a grid of theirs elsewhere: through its community).
            rows = [(r["path"], r["name"], r["code"]) for r in _regions(path__in=paths)]
            return Places(None, rows, "path", [])
        return Places(None, _grid_rows(Grid.objects.filter(pk__in=grids)), "grid", [])
    area = Region.objects.filter(code=str(region_code).strip()).values(*REGION_FIELDS).first()
    if area is None:
        raise ServiceError("unknown_region", _("There is no region with this code."), "region")
    whole = everything or any(area["path"].startswith(p) for p in paths)
    own_grids = Grid.objects.filter(pk__in=grids, region_path__startswith=area["path"])
    if not whole and not own_grids.exists():
        raise NotAllowed("out_of_scope", _("That region is outside your area."), "region")
    parents = [
        r
        for r in _regions(path__in=_ancestor_paths(area["path"]))
        if everything or any(r["path"].startswith(p) for p in paths)
    ]
    if area["level"] == RegionLevel.COMMUNITY or not whole:
        shown = Grid.objects.filter(community_id=area["pk"]) if whole else own_grids
        rows = _grid_rows(shown.filter(is_active=True) if whole else shown)
        return Places(area, rows, "grid", parents)
    children = _regions(parent_id=area["pk"])
    return Places(area, [(r["path"], r["name"], r["code"]) for r in children], "path", parents)


def _ancestor_paths(path: str) -> list[str]:
    codes = [c for c in path.strip("/").split("/") if c]
    return ["/" + "/".join(codes[:n]) + "/" for n in range(1, len(codes))]


@dataclass(frozen=True)
class _Key:
    """How records are grouped into the rows: by their own column (a plain GROUP BY, which
    the database does several times faster than a CASE of LIKEs on every record), each
    value then given to its row here (``place``)."""

    column: str
    place: Callable


def _key(where: Places, prefix: str = "") -> _Key:
    """The grouping key of a record: its grid, or the region path of the place it is in."""
    if where.by == "grid":
        ids = {key for key, _label, _code in where.rows if key is not None}
        return _Key(f"{prefix}grid_id", lambda value: value if value in ids else None)
    paths = [key for key, _label, _code in where.rows if key]

    def place(value):
        return next((p for p in paths if value and value.startswith(p)), "")

    return _Key(f"{prefix}region_path", place)


def _area(where: Places, prefix: str = "") -> Q:
    return Q(**{f"{prefix}region_path__startswith": where.area["path"]}) if where.area else Q()


# -- the period -------------------------------------------------------------------------------------


def period(start=None, end=None) -> tuple[dt.date, dt.date]:
    """Both days included; by default the last 30 days to today; at most a year."""
    today = timezone.localdate()

    def day(value, field):
        if value in (None, ""):
            return None
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ServiceError("invalid", _("Give the period as two dates."), field) from None

    last = day(end, "end") or today
    first = day(start, "start") or last - dt.timedelta(days=DEFAULT_DAYS - 1)
    if last < first:
        raise ServiceError("invalid", _("The end of the period is before its start."), "end")
    if (last - first).days >= MAX_DAYS:
        raise ServiceError("invalid", _("Choose a period of at most a year."), "start")
    if not (dt.date(2000, 1, 1) <= first and last <= dt.date(2099, 12, 31)):
        raise ServiceError("invalid", _("The date is out of range."), "start")
    return first, last


# -- the measures ------------------------------------------------------------------------------------


def _grouped(queryset, key: _Key, **measures) -> dict:
    out: dict = {}
    for row in queryset.values(key.column).annotate(**measures).order_by():
        into = out.setdefault(key.place(row.pop(key.column)), {})
        for name, value in row.items():  # counts, or sums of days (None when none)
            held = into.get(name)
            into[name] = value if held is None else held if value is None else held + value
    return out


def _population(user, where, on):
    residents = Resident.objects.visible_to(user).filter(
        _area(where), Q(moved_out__isnull=True) | Q(moved_out__gt=on), moved_in__lte=on
    )
    return _grouped(
        residents,
        _key(where),
        registered=Count("pk", filter=Q(kind=Registration.REGISTERED)),
        migrant=Count("pk", filter=Q(kind=Registration.MIGRANT)),
    )


def _houses(user, where):
    houses = House.objects.visible_to(user).filter(_area(where))
    return _grouped(
        houses,
        _key(where),
        **{f"use_{use}": Count("pk", filter=Q(use=use)) for use in HouseUse.values},
    )


def _groups(user, where, on, groups):
    members = CareMembership.objects.for_figures(user).current(on).filter(_area(where))
    return _grouped(
        members,
        _key(where),
        **{f"group_{g.code}": Count("pk", filter=Q(group_id=g.pk)) for g in groups},
    )


def _visits(user, where, first, last):
    return _grouped(_judged_visits(user, where, first, last), _key(where), **_visit_measures())


def _judged_visits(user, where, first, last):
    """Visits due in the period that are made, or due and already late."""
    today = timezone.localdate()
    counted = CareMembership.objects.for_figures(user).values("pk")
    return Visit.objects.filter(
        _area(where),
        Q(state=VisitState.DONE) | Q(state=VisitState.DUE, due_on__lt=today),
        membership_id__in=counted,
        due_on__gte=first,
        due_on__lte=last,
    )


def _visit_measures() -> dict:
    made = Q(state=VisitState.DONE)
    return {
        "visits": Count("pk"),
        "on_time": Count("pk", filter=made & Q(visited_at__date__lte=F("due_on"))),
        "made_late": Count("pk", filter=made & Q(visited_at__date__gt=F("due_on"))),
        "overdue": Count("pk", filter=Q(state=VisitState.DUE)),
    }


def _plan_days(first: dt.date, last: dt.date):
    """Each plan's days in [first, last]: from its start until the day it ended (that day
    not included), 0 for a plan that did not run then."""
    start = Greatest(F("started_on"), Value(first))
    after = Value(last + dt.timedelta(days=1))
    stop = Least(Coalesce(F("ended_on"), after), after)
    return Case(
        When(GreaterThan(stop, start), then=stop - start),
        default=Value(dt.timedelta(0)),
        output_field=DurationField(),
    )


def _checkin_window(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date] | None:
    """The period's days that are over: a day is missed only once it has passed."""
    last = min(last, timezone.localdate() - dt.timedelta(days=1))
    return (first, last) if last >= first else None


def _plans(user, where, window):
    first, last = window
    return CheckInPlan.objects.visible_to(user).filter(
        _area(where), Q(ended_on__isnull=True) | Q(ended_on__gt=first), started_on__lte=last
    )


def _kept_checkins(user, where, window):
    """The check-ins on the window's days while their plan ran."""
    first, last = window
    return CheckIn.objects.filter(
        Q(plan__ended_on__isnull=True) | Q(plan__ended_on__gt=F("day")),
        plan__in=_plans(user, where, window).values("pk"),
        plan__started_on__lte=F("day"),
        day__gte=first,
        day__lte=last,
    )


def _days(value) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.timedelta):
        return round(value.total_seconds() / 86400)
    return int(value)


def _checkins(user, where, first, last):
    window = _checkin_window(first, last)
    if window is None:
        return {}
    plans = _grouped(
        _plans(user, where, window),
        _key(where),
        plan_days=Sum(_plan_days(*window), output_field=DurationField()),
    )
    kept = _grouped(_kept_checkins(user, where, window), _key(where, "plan__"), kept=Count("pk"))
    out = {}
    for place in set(plans) | set(kept):
        out[place] = {
            "plan_days": _days(plans.get(place, {}).get("plan_days")),
            "kept": kept.get(place, {}).get("kept", 0),
        }
    return out


def _rate(part, whole) -> float | None:
    return round(part / whole, 4) if whole else None


def _finish(row: dict) -> dict:
    row["population"] = row["registered"] + row["migrant"]
    row["houses"] = sum(row[f"use_{use}"] for use in HouseUse.values)
    row["on_time_rate"] = _rate(row["on_time"], row["visits"])
    row["kept_rate"] = _rate(row["kept"], row["plan_days"])
    return row


def _zero(groups) -> dict:
    names = ["registered", "migrant", "visits", "on_time", "made_late", "overdue"]
    names += ["plan_days", "kept"] + [f"use_{u}" for u in HouseUse.values]
    names += [f"group_{g.code}" for g in groups]
    return dict.fromkeys(names, 0)


# -- the whole page ------------------------------------------------------------------------------------


def figures(*, user, region: str | None = None, start=None, end=None) -> dict:
    """``{"area", "parents", "start", "end", "groups", "rows", "total", "months"}``: one row
    per place (``key``, ``label``, ``code`` to drill into, the counts and rates), the rows'
    total, and the area's visits and check-ins month by month."""
    first, last = period(start, end)
    where = places(user, region)
    groups = countable_groups(user)
    measured = [
        _population(user, where, last),
        _houses(user, where),
        _groups(user, where, last, groups),
        _visits(user, where, first, last),
        _checkins(user, where, first, last),
    ]
    # Records at a place not listed (an inactive grid, a place visible for another reason)
    # are counted in one catch-all row, shown only when it counts something.
    catch_all = None if where.by == "grid" else ""
    listed = [*where.rows]
    if catch_all not in {key for key, _label, _code in listed}:
        listed.append((catch_all, _("Elsewhere") if catch_all == "" else _("No grid"), ""))
    rows = []
    for key, label, code in listed:
        row = {"key": key, "label": str(label), "code": code, **_zero(groups)}
        for part in measured:
            row.update(part.get(key) or {})
        if key == catch_all and not any(row[name] for name in _zero(groups)):
            continue
        rows.append(_finish(row))
    total = {"key": "total", "label": _("Total"), "code": "", **_zero(groups)}
    for row in rows:
        for name in _zero(groups):
            total[name] += row[name]
    return {
        "area": where.area,
        "parents": where.parents,
        "by": where.by,
        "start": first,
        "end": last,
        "groups": groups,
        "rows": rows,
        "total": _finish(total),
        "months": months(user, where, first, last),
    }


def _month_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    day, out = first.replace(day=1), []
    while day <= last:
        out.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return out


def months(user, where: Places, first: dt.date, last: dt.date) -> list[dict]:
    """The area's visits on time and check-ins kept, month by month (3 queries)."""
    starts = _month_starts(first, last)
    visits = {
        _month(row["month"]): row
        for row in _judged_visits(user, where, first, last)
        .annotate(month=TruncMonth("due_on"))
        .values("month")
        .annotate(**_visit_measures())
        .order_by()
    }
    window = _checkin_window(first, last)
    plan_days, kept = {}, {}
    if window is not None:
        bounds = {}
        for start in starts:
            following = (start + dt.timedelta(days=32)).replace(day=1)
            lo, hi = max(start, window[0]), min(following - dt.timedelta(days=1), window[1])
            if lo <= hi:
                bounds[start] = (lo, hi)
        if bounds:
            sums = _plans(user, where, window).aggregate(
                **{
                    f"m{start:%Y%m}": Sum(_plan_days(lo, hi), output_field=DurationField())
                    for start, (lo, hi) in bounds.items()
                }
            )
            plan_days = {start: _days(sums[f"m{start:%Y%m}"]) for start in bounds}
            kept = {
                _month(row["month"]): row["kept"]
                for row in _kept_checkins(user, where, window)
                .annotate(month=TruncMonth("day"))
                .values("month")
                .annotate(kept=Count("pk"))
                .order_by()
            }
    out = []
    for start in starts:
        v = visits.get(start, {})
        row = {
            "month": f"{start:%Y-%m}",
            "visits": v.get("visits", 0),
            "on_time": v.get("on_time", 0),
            "plan_days": plan_days.get(start, 0),
            "kept": kept.get(start, 0),
        }
        row["on_time_rate"] = _rate(row["on_time"], row["visits"])
        row["kept_rate"] = _rate(row["kept"], row["plan_days"])
        out.append(row)
    return out


def _month(value) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.replace(day=1)


__all__ = ["area_paths", "countable_groups", "figures", "may_see_figures", "period", "places"]
