"""The area a figures page reads, shared by the domain apps' figures (community, the
deliberation hall, legal services): the viewer's region paths (None: everywhere; each app
decides whose), a region chosen inside them, the drill-down's children and way back up, and
a period of days."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import NotAllowed, ServiceError

from .models import Region

MAX_DAYS = 366 * 5


def widest(paths) -> tuple[str, ...]:
    """``paths`` without those inside another of them."""
    kept: list[str] = []
    for p in sorted(paths, key=len):
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return tuple(sorted(kept))


def inside(path: str, paths: tuple[str, ...] | None) -> bool:
    return paths is None or any(path.startswith(p) for p in paths)


def within(queryset, everything: bool, paths, field: str = "region_path"):
    """``queryset`` narrowed to the records whose copied path is inside ``paths`` (all of
    them for ``everything``, none for no path): the scoping of records kept by place."""
    if everything:
        return queryset.all()
    if not paths:
        return queryset.none()
    q = Q()
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return queryset.filter(q)


def tops(paths: tuple[str, ...] | None) -> list[Region]:
    """The regions at the top of the area, for the area chooser."""
    if paths is None:
        return list(Region.objects.filter(parent__isnull=True).order_by("code"))
    return list(Region.objects.filter(path__in=paths).order_by("path"))


def find_region(paths: tuple[str, ...] | None, code: str | None) -> Region | None:
    """The region with ``code`` if it is inside the area (None for no code: the whole area);
    an unknown code or one outside is refused on the field ``region``."""
    if not code:
        return None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ServiceError("unknown_region", _("There is no region with this code."), "region")
    if not inside(region.path, paths):
        raise NotAllowed(
            "out_of_area", _("This region is outside the area you may read."), "region"
        )
    return region


def child_of(path: str, children) -> Region | None:
    for child in children:
        if path.startswith(child.path):
            return child
    return None


def crumbs(region: Region | None, paths: tuple[str, ...] | None) -> list[Region]:
    """The way back up from ``region`` to the top of the viewer's area."""
    out = []
    current = region
    while current is not None and current.parent_id:
        current = current.parent
        if inside(current.path, paths):
            out.insert(0, current)
    return out


def period(
    start: dt.date | None, end: dt.date | None, *, default_days: int
) -> tuple[dt.date, dt.date]:
    """The period asked for (days, inclusive); by default the ``default_days`` up to today."""
    end = end or timezone.localdate()
    start = start or end - dt.timedelta(days=default_days - 1)
    if start > end:
        raise ServiceError("invalid", _("The start of the period is after its end."), "start")
    if (end - start).days > MAX_DAYS:
        raise ServiceError("invalid", _("The period may not be longer than five years."), "start")
    return start, end


def bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The moments the days from ``start`` to ``end`` (inclusive) begin and end, locally."""
    tz = timezone.get_current_timezone()
    first = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    last = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return first, last
