"""Figures of the disputes a user sees, per region, level, type or month of a period.

Every figure counts the disputes *registered* in the period (the cohort), whatever has
happened to them since, so a period's figures only grow more complete over time:

* found: registered in the period;
* concluded: mediation has an outcome (``concluded_at`` set: settled, performed, not
  performed, failed, withdrawn, and closed after one of those). A declined dispute was
  never mediated: it is found, not concluded (``choices.CONCLUDED`` leaves it out too).
  One that failed and was moved up is concluded again only when the level above ends it;
* settled: a settlement was recorded (``settled_at`` set);
* 化解率 = settled ÷ concluded; village share = settled at the village level ÷ settled;
  within the township = settled at the village or township level ÷ settled;
* repeat rate = repeats (``repeat_of`` set) ÷ found;
* average days to settle = mean of (settled − registered) over the settled;
* performance rate = performed ÷ (performed + not performed), over the settlements whose
  obligations have all been checked (one obligation not performed: not performed).

A row holds the counts, ``settle_days`` (the days spent settling, summed) and the rates;
a rate is None when its denominator is 0. Each call runs a fixed number of queries
whatever the number of disputes: one aggregate query grouped by the chosen key, plus the
labels of the groups.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Case,
    CharField,
    Count,
    DurationField,
    Exists,
    F,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.core.scope import scope_for
from gongzhi.regions.models import Region

from .choices import Level
from .models import Dispute, DisputeType, Obligation

GROUPS = ("region", "level", "type", "month")
COUNTS = (
    "found",
    "concluded",
    "settled",
    "settled_village",
    "settled_within_township",
    "repeats",
    "performed",
    "not_performed",
)


def _measures() -> dict:
    obligations = Obligation.objects.filter(agreement__dispute=OuterRef("pk"))
    all_checked = Exists(obligations) & ~Exists(obligations.filter(status=Obligation.Status.DUE))
    one_failed = Exists(obligations.filter(status=Obligation.Status.NOT_PERFORMED))
    settled = Q(settled_at__isnull=False)
    return {
        "found": Count("pk"),
        "concluded": Count("pk", filter=Q(concluded_at__isnull=False, decline_reason="")),
        "settled": Count("pk", filter=settled),
        "settled_village": Count("pk", filter=settled & Q(level=Level.VILLAGE)),
        "settled_within_township": Count(
            "pk", filter=settled & Q(level__in=[Level.VILLAGE, Level.TOWNSHIP])
        ),
        "repeats": Count("pk", filter=Q(repeat_of__isnull=False)),
        "time_to_settle": Sum(
            F("settled_at") - F("created_at"), filter=settled, output_field=DurationField()
        ),
        "performed": Count("pk", filter=all_checked & ~one_failed),
        "not_performed": Count("pk", filter=all_checked & one_failed),
    }


def _rate(part, whole) -> float | None:
    return round(part / whole, 4) if whole else None


def finish(row: dict) -> dict:
    """The rates from a row's counts and ``settle_days`` (days spent settling, summed)."""
    settled = row["settled"]
    row.update(
        settle_rate=_rate(settled, row["concluded"]),
        village_share=_rate(row["settled_village"], settled),
        township_share=_rate(row["settled_within_township"], settled),
        repeat_rate=_rate(row["repeats"], row["found"]),
        avg_days_to_settle=round(row["settle_days"] / settled, 2) if settled else None,
        performance_rate=_rate(row["performed"], row["performed"] + row["not_performed"]),
    )
    return row


def total(rows: list[dict]) -> dict:
    """The rows added up, with their rates (a rate of the sums, not a mean of rates)."""
    row = {name: sum(r[name] for r in rows) for name in (*COUNTS, "settle_days")}
    return finish({"key": "total", "label": _("Total"), **row})


# -- the period and the place ----------------------------------------------------------------


def _day(value, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ServiceError("invalid", _("Give the period as two dates."), field) from None


def period_bounds(period_start, period_end) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) in the local time zone, both days included."""
    first, last = _day(period_start, "period_start"), _day(period_end, "period_end")
    if last < first:
        raise ServiceError("invalid", _("The end of the period is before its start."), "period_end")

    def midnight(day):
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

    return midnight(first), midnight(last + dt.timedelta(days=1))


def _place(region) -> dict | None:
    fields = ("pk", "path", "name", "code")
    if isinstance(region, Region):
        return {f: getattr(region, f) for f in fields}
    try:
        return Region.objects.filter(pk=int(region)).values(*fields).first()
    except (TypeError, ValueError):
        return None


PLACE_FIELDS = ("pk", "path", "name", "code")


def _areas(user, region: dict | None) -> tuple[dict | None, list[dict]]:
    """(the area, the places to group by): the area's child regions (a county's townships,
    a township's communities), or the area itself when it has none. Without a region the
    area is the user's: the one region they serve, or — serving several — each of them."""
    scope = scope_for(user)
    area = region
    if area is None:
        if scope.everything:
            places = list(Region.objects.filter(parent=None).values(*PLACE_FIELDS))
        else:
            places = list(Region.objects.filter(path__in=scope.region_paths).values(*PLACE_FIELDS))
        if len(places) != 1:
            return None, sorted(places, key=lambda p: p["code"])
        area = places[0]
    elif not scope.covers_region_path(area["path"]):
        raise NotAllowed("out_of_scope", _("That region is outside your area."), "region")
    children = Region.objects.filter(parent_id=area["pk"]).order_by("code")
    return area, list(children.values(*PLACE_FIELDS)) or [area]


# -- grouping: (the key to group by, [(key value, label, listed even when 0)]) ----------------


def _by_region(user, region, start, end):
    area, places = _areas(user, region)
    whens = [When(region_path__startswith=p["path"], then=Value(p["path"])) for p in places]
    key = Case(*whens, default=Value(area["path"] if area else ""), output_field=CharField())
    rows = [(p["path"], p["name"], True) for p in places]
    if area is not None and places != [area]:
        # Disputes registered at the area itself (a township's, no village named).
        rows.append((area["path"], _("%(area)s (directly)") % {"area": area["name"]}, False))
    # Visible for another reason (registered by the user, held by their unit).
    rows.append(("", _("Elsewhere"), False))
    return key, rows


def _by_level(user, region, start, end):
    return F("level"), [(lv.value, str(lv.label), True) for lv in Level.ordered()]


def _by_type(user, region, start, end):
    types = DisputeType.objects.order_by("order", "code").values_list("pk", "name", "enabled")
    return F("type_id"), list(types)


def _by_month(user, region, start, end):
    months, day = [], timezone.localtime(start).date().replace(day=1)
    last = timezone.localtime(end - dt.timedelta(microseconds=1)).date()
    while day <= last:
        months.append((f"{day:%Y-%m}", f"{day:%Y-%m}", True))
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return TruncMonth("created_at"), months


GROUPERS = {"region": _by_region, "level": _by_level, "type": _by_type, "month": _by_month}


def _key(value):
    """A month as "YYYY-MM" (a truncated date or datetime, by the database); others as is."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    if isinstance(value, dt.date):
        return f"{value:%Y-%m}"
    return value


def figures(*, user, region=None, period_start, period_end, group_by: str = "region") -> list[dict]:
    """One row per group — ``{"key", "label", <counts>, <rates>}`` — for the disputes the
    user sees that were registered in the period (and under ``region`` if given). Every
    region, level, enabled type and month is listed, with zeros if nothing was registered;
    the catch-all rows (an area's own disputes, those elsewhere, a disabled type) only
    when they count something."""
    if group_by not in GROUPERS:
        raise ServiceError("invalid", _("Choose how to group the figures."), "group_by")
    start, end = period_bounds(period_start, period_end)
    disputes = Dispute.objects.visible_to(user).filter(created_at__gte=start, created_at__lt=end)
    if region is not None:
        region = _place(region)
        if region is None:
            raise ServiceError("invalid", _("There is no such region."), "region")
        disputes = disputes.filter(region_path__startswith=region["path"])
    key, groups = GROUPERS[group_by](user, region, start, end)
    counted = disputes.annotate(group=key).values("group").annotate(**_measures()).order_by()
    found = {_key(row["group"]): row for row in counted}
    rows = []
    for value, label, listed in groups:
        row = found.get(value)
        if row is None and not listed:
            continue
        row = row or {}
        counts = {name: row.get(name, 0) for name in COUNTS}
        spent = row.get("time_to_settle") or dt.timedelta(0)
        days = round(spent.total_seconds() / 86400, 4)
        rows.append(finish({"key": value, "label": label, **counts, "settle_days": days}))
    return rows
