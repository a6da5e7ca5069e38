"""The community app's figures for an area and a period (issue 21, item 7).

* repairs: requests made in the period; responded in time (the company signed for the case
  by its deadline) and finished in time (resolved by its deadline); satisfied: callbacks
  "satisfied" or "basically satisfied" ÷ rated repairs;
* notices: notices published in the period, their deliveries (households reached), read
  ÷ deliveries, answered ÷ deliveries of the notices that ask for an answer;
* volunteers: volunteers who registered in the period, of them those approved now, and the
  hours of attended shifts that began in the period;
* patrols: patrols begun in the period, completion = checkpoints scanned ÷ checkpoints of
  those patrols, checkpoints missed, scans flagged;
* points: points awarded (positive entries) and redeemed in the period; households with a
  balance now;
* 移风易俗: weddings and funerals registered in the period (not cancelled), and the share
  within the village's caps (no warning);
* companies: each property company with an estate in the area, its latest month's score
  and rank.

Rows: the area itself and one per place one level down. Only the viewer's area may be
asked for (community and village committees their places; township, county and city staff
theirs; administrators everything); residents and company staff are refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from gongzhi.cases.choices import Satisfaction
from gongzhi.cases.models import Callback
from gongzhi.core.errors import NotAllowed
from gongzhi.core.scope import scope_for
from gongzhi.people import members
from gongzhi.regions import areas as area
from gongzhi.regions.models import Region

from ..choices import CeremonyState, NoticeState, SignUpState, VolunteerState
from ..models import (
    Ceremony,
    CompanyScore,
    Estate,
    Notice,
    NoticeDelivery,
    Patrol,
    PointAccount,
    PointEntry,
    Redemption,
    RepairRequest,
    SignUp,
    Volunteer,
)

DEFAULT_DAYS = 365
SATISFIED = (Satisfaction.SATISFIED, Satisfaction.BASIC)


def viewer_paths(user) -> tuple[str, ...] | None:
    """The region paths whose figures ``user`` may read; None: everywhere. Refused
    (NotAllowed) for a user who works for no community, village, township or county."""
    scope = scope_for(user)
    if scope.everything:
        return None
    paths = members.staff_paths(scope)
    if not paths:
        raise NotAllowed("forbidden", _("You may not read the community figures."))
    return widest(paths)


def may_read(user) -> bool:
    try:
        viewer_paths(user)
    except NotAllowed:
        return False
    return True


def areas(user) -> list[Region]:
    return area.tops(viewer_paths(user))


def find_region(user, code: str | None) -> Region | None:
    return area.find_region(viewer_paths(user), code)


def period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    """The period asked for (days, inclusive); by default the year up to today."""
    return area.period(start, end, default_days=DEFAULT_DAYS)


bounds, child_of, crumbs, widest = area.bounds, area.child_of, area.crumbs, area.widest


def ratio(a, b) -> float | None:
    return round(float(a) / float(b), 4) if b else None


@dataclass
class Row:
    key: str
    label: str
    code: str = ""
    repairs: int = 0
    responded_in_time: int = 0
    finished_in_time: int = 0
    rated: int = 0
    satisfied: int = 0
    notices: int = 0
    deliveries: int = 0
    read: int = 0
    asked: int = 0
    answered: int = 0
    volunteers_registered: int = 0
    volunteers_approved: int = 0
    volunteer_hours: float = 0.0
    patrols: int = 0
    checkpoints: int = 0
    scanned: int = 0
    missed: int = 0
    flagged: int = 0
    points_awarded: int = 0
    points_redeemed: int = 0
    households_with_balance: int = 0
    ceremonies: int = 0
    within_caps: int = 0

    def as_dict(self) -> dict:
        out = asdict(self)
        out["volunteer_hours"] = round(self.volunteer_hours, 1)
        out["responded_in_time_share"] = ratio(self.responded_in_time, self.repairs)
        out["finished_in_time_share"] = ratio(self.finished_in_time, self.repairs)
        out["satisfied_share"] = ratio(self.satisfied, self.rated)
        out["read_share"] = ratio(self.read, self.deliveries)
        out["answered_share"] = ratio(self.answered, self.asked)
        out["patrol_completion"] = ratio(self.scanned, self.checkpoints)
        out["within_caps_share"] = ratio(self.within_caps, self.ceremonies)
        return out


class Tally:
    """Adds each record to the area's row and its place's row."""

    def __init__(self, total: Row, children: list[Region]):
        self.total = total
        self.children = children
        self.rows = {c.pk: Row(f"region:{c.code}", c.name, c.code) for c in children}

    def add(self, path: str, **amounts) -> None:
        child = child_of(path, self.children)
        for row in (self.total,) if child is None else (self.total, self.rows[child.pk]):
            for name, amount in amounts.items():
                setattr(row, name, getattr(row, name) + (amount or 0))


def _within(paths, prefix: str = "") -> Q:
    """Records under any of ``paths`` (None: everywhere)."""
    if paths is None:
        return Q()
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{prefix}region_path__startswith": p})
    return q


def _repairs(tally: Tally, where: Q, first, last) -> None:
    requests = RepairRequest.objects.filter(where, created_at__gte=first, created_at__lt=last)
    rows = requests.values_list("region_path", "case_id", "case__sign_for_met", "case__resolve_met")
    rated = {}
    for case_id, satisfaction in (
        Callback.objects.filter(case__repair__in=requests)
        .order_by("case_id", "-created_at")
        .values_list("case_id", "satisfaction")
    ):
        rated.setdefault(case_id, satisfaction)  # the latest callback counts
    for path, case_id, sign_met, resolve_met in rows.iterator(chunk_size=5000):
        satisfaction = rated.get(case_id)
        tally.add(
            path,
            repairs=1,
            responded_in_time=sign_met is True,
            finished_in_time=resolve_met is True,
            rated=satisfaction is not None,
            satisfied=satisfaction in SATISFIED,
        )


def _notices(tally: Tally, where: Q, first, last) -> None:
    sent = Notice.objects.filter(
        where,
        state__in=[NoticeState.PUBLISHED, NoticeState.EXPIRED],
        publish_at__gte=first,
        publish_at__lt=last,
    )
    for (path,) in sent.values_list("region_path"):
        tally.add(path, notices=1)
    deliveries = NoticeDelivery.objects.filter(notice__in=sent)
    for path, read_at, answered_at, kind in deliveries.values_list(
        "region_path", "read_at", "answered_at", "notice__answer_kind"
    ).iterator(chunk_size=5000):
        asked = kind != "none"
        tally.add(
            path,
            deliveries=1,
            read=read_at is not None,
            asked=asked,
            answered=asked and answered_at is not None,
        )


def _volunteers(tally: Tally, where: Q, first, last) -> None:
    joined = Volunteer.objects.filter(where, created_at__gte=first, created_at__lt=last)
    for path, state in joined.values_list("region_path", "state"):
        tally.add(
            path, volunteers_registered=1, volunteers_approved=state == VolunteerState.APPROVED
        )
    attended = (
        SignUp.objects.filter(
            state=SignUpState.ATTENDED, shift__starts_at__gte=first, shift__starts_at__lt=last
        )
        .filter(_prefixed(where, "shift__"))
        .values_list("shift__region_path")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    for path, hours in attended:
        tally.add(path, volunteer_hours=float(hours or 0))


def _prefixed(where: Q, prefix: str) -> Q:
    """The area filter on a related record's ``region_path``."""
    q = Q()
    for child in where.children:
        if isinstance(child, tuple):
            q |= Q(**{f"{prefix}{child[0]}": child[1]})
    if where.children and not q.children:
        return Q(pk__in=[])
    return q


def _patrols(tally: Tally, where: Q, first, last) -> None:
    walked = Patrol.objects.filter(where, started_at__gte=first, started_at__lt=last)
    for path, checkpoints, scanned, missed, flagged in walked.values_list(
        "region_path", "checkpoints", "scanned", "missed", "flagged"
    ).iterator(chunk_size=5000):
        tally.add(
            path,
            patrols=1,
            checkpoints=checkpoints,
            scanned=scanned,
            missed=missed,
            flagged=flagged,
        )


def _points(tally: Tally, where: Q, first, last) -> None:
    awarded = (
        PointEntry.objects.filter(where, points__gt=0, created_at__gte=first, created_at__lt=last)
        .values_list("region_path")
        .annotate(total=Sum("points"))
        .order_by()
    )
    for path, total in awarded:
        tally.add(path, points_awarded=total)
    redeemed = (
        Redemption.objects.filter(where, created_at__gte=first, created_at__lt=last)
        .values_list("region_path")
        .annotate(total=Sum("points"))
        .order_by()
    )
    for path, total in redeemed:
        tally.add(path, points_redeemed=total)
    for (path,) in PointAccount.objects.filter(where, balance__gt=0).values_list("region_path"):
        tally.add(path, households_with_balance=1)


def _customs(tally: Tally, where: Q, first, last) -> None:
    registered = Ceremony.objects.filter(where, created_at__gte=first, created_at__lt=last).exclude(
        state=CeremonyState.CANCELLED
    )
    for path, warnings in registered.values_list("region_path", "warnings"):
        tally.add(path, ceremonies=1, within_caps=not warnings)


def companies(where: Q) -> list[dict]:
    """The property companies with an estate in the area: their latest month's score."""
    ids = set(
        Estate.objects.filter(where, company__isnull=False).values_list("company_id", flat=True)
    )
    latest: dict[int, CompanyScore] = {}
    for score in (
        CompanyScore.objects.filter(company_id__in=ids)
        .select_related("company")
        .order_by("company_id", "-month")
    ):
        latest.setdefault(score.company_id, score)
    rows = [
        {
            "code": s.company.code,
            "name": s.company.name,
            "month": s.month,
            "score": float(s.score),
            "rank": s.rank,
            "repairs": s.repairs,
            "complaints": s.complaints,
        }
        for s in latest.values()
    ]
    return sorted(rows, key=lambda r: (r["rank"] is None, r["rank"] or 0, r["name"]))


def figures(
    *, user, region: Region | None = None, start: dt.date | None = None, end: dt.date | None = None
) -> dict:
    """The figures of ``region`` (default: the viewer's whole area) for the period from
    ``start`` to ``end`` (days, inclusive; default the last year)."""
    paths = viewer_paths(user)
    start, end = period(start, end)
    if region is not None:
        within = (region.path,)
        children = list(Region.objects.filter(parent=region).order_by("code"))
        label = region.name
    elif paths is None:
        within = None
        children = list(Region.objects.filter(parent__isnull=True).order_by("code"))
        label = _("Everywhere")
    else:
        within = paths
        tops = list(Region.objects.filter(path__in=paths).order_by("path"))
        if len(tops) == 1:
            region = tops[0]
            children = list(Region.objects.filter(parent=region).order_by("code"))
            label = region.name
        else:
            children = tops
            label = _("My whole area")
    where = _within(within)
    first, last = bounds(start, end)
    tally = Tally(Row("total", str(label), region.code if region else ""), children)
    for count in (_repairs, _notices, _volunteers, _patrols, _points, _customs):
        count(tally, where, first, last)
    return {
        "region": region,
        "start": start,
        "end": end,
        "total": tally.total.as_dict(),
        "places": [tally.rows[c.pk].as_dict() for c in children],
        "companies": companies(where),
    }
