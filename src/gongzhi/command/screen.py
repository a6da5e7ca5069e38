"""The big screen (大屏): every panel's data for one viewer and one place, in one dict.

Case figures come from ``figures`` (the rollups, never a scan of cases); the domain panels
from each app's own selectors, each under its own access rule (sensing's, mediation's, the
care groups'). The place is a region the viewer may see (``?region=``) or one grid in it
(``?grid=``: the screen of its township, its map and points narrowed to the grid). The page
loads this once, then again on a push message (debounced) and every minute.
"""

from __future__ import annotations

import datetime as dt
from functools import reduce
from operator import or_

from django.db.models import Count, Max, Min, Q, Sum
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Role
from gongzhi.cases import live
from gongzhi.cases.choices import FINAL_STATES
from gongzhi.cases.models import Case
from gongzhi.community import models as community
from gongzhi.core import push
from gongzhi.core.errors import NotAllowed, NotFound, ServiceError
from gongzhi.core.models import PushMessage
from gongzhi.core.scope import scope_for
from gongzhi.deliberation import members as hall
from gongzhi.deliberation.choices import ImplementationState, TopicState
from gongzhi.deliberation.models import Implementation, Topic
from gongzhi.legal.advice.choices import QuestionState
from gongzhi.legal.aid.choices import UNDECIDED as AID_UNDECIDED
from gongzhi.legal.figures import queries as legal_figures
from gongzhi.legal.models import Application, Question
from gongzhi.mediation.choices import Risk
from gongzhi.mediation.models import Dispute
from gongzhi.people.choices import VisitState
from gongzhi.people.models import Visit
from gongzhi.regions.models import Grid, Region, RegionLevel
from gongzhi.sensing import queries as sensing
from gongzhi.sensing.choices import DeviceState, EventState
from gongzhi.sensing.events import TOPIC as SENSING_TOPIC
from gongzhi.surveys import figures as survey_figures

from . import figures, safety

# Who may open the screen: those who run the place, not residents or grid workers.
SCREEN_ROLES = frozenset({Role.LEADER, Role.DISPATCHER, Role.ADMINISTRATOR})
TOPICS = (live.TOPIC, SENSING_TOPIC)
MAX_POINTS = 500  # open cases on the map: the newest; a wall shows a city's as a cloud
MAX_DEVICES = 400
RANKED = 8  # rows of each ranking
TICKER = 20
HOTSPOT_DAYS = 7
SAFETY_MONTHS = 6
LINKED = ("reported", "closed", "open", "overdue")


def may_open(viewer) -> bool:
    scope = scope_for(viewer)
    return scope.everything or bool(scope.roles & SCREEN_ROLES)


def check_may_open(*, viewer) -> None:
    if not may_open(viewer):
        raise NotAllowed(
            "not_allowed", _("The big screen is for leaders and the command centre's staff.")
        )


# -- the place ----------------------------------------------------------------------------------


def _township_of(grid: Grid) -> Region | None:
    codes = [c for c in grid.region_path.strip("/").split("/") if c]
    return (
        Region.objects.filter(code__in=codes, level=RegionLevel.TOWNSHIP).defer("boundary").first()
    )


def place(*, viewer, region_code: str | None = None, grid_code: str | None = None):
    """(region or None, grid or None) for the screen, each within the viewer's scope."""
    grid = None
    if grid_code:
        grid = (
            Grid.objects.visible_to(viewer)
            .filter(code=grid_code.strip())
            .only("pk", "code", "name", "region_path", *BOUNDS)
            .first()
        )
        if grid is None:
            raise NotFound("unknown_grid", _("There is no such grid in your area."), "grid")
        township = _township_of(grid)
        region_code = township.code if township else region_code
    region = figures.region_for(viewer=viewer, code=region_code or None)
    return region, grid


BOUNDS = ("min_lng", "min_lat", "max_lng", "max_lat")


def _bounds(viewer, region, grid) -> list[float] | None:
    if grid is not None and grid.min_lng is not None:
        return [getattr(grid, name) for name in BOUNDS]
    if region is not None:  # read on its own: the region came without its box
        box = Region.objects.filter(pk=region.pk).values_list(*BOUNDS).first()
        if box and box[0] is not None:
            return list(box)
    regions = Region.objects.visible_to(viewer).filter(min_lng__isnull=False)
    if region is not None:
        regions = regions.filter(path__startswith=region.path)
    box = regions.aggregate(w=Min("min_lng"), s=Min("min_lat"), e=Max("max_lng"), n=Max("max_lat"))
    return None if box["w"] is None else [box["w"], box["s"], box["e"], box["n"]]


def _crumbs(viewer, region) -> list[dict]:
    """The chain of regions above ``region`` the viewer may see, to drill back up."""
    if region is None:
        return []
    codes = [c for c in region.path.strip("/").split("/") if c]
    scope = scope_for(viewer)
    rows = (
        Region.objects.filter(code__in=codes)
        .order_by("path")
        .values("code", "name", "path", "level")
    )
    return [
        {"code": r["code"], "name": r["name"], "level": r["level"]}
        for r in rows
        if scope.covers_region_path(r["path"]) and r["level"] != RegionLevel.PROVINCE
    ]


# -- case figures -------------------------------------------------------------------------------


def _links(viewer, region, start, end, **filters) -> dict:
    return {
        m: figures.records_url(
            viewer=viewer, measure=m, region=region, start=start, end=end, **filters
        )
        for m in LINKED
    }


def _period(viewer, region, start, end) -> dict:
    summary = figures.summary(viewer=viewer, region=region, start=start, end=end)
    return {
        "start": start,
        "end": end,
        **summary,
        "links": _links(viewer, region, start, end),
    }


def _score(row) -> float | None:
    rates = [row.get(k) for k in ("response_rate", "resolution_rate", "satisfaction_rate")]
    known = [r for r in rates if r is not None]
    return sum(known) / len(known) if known else None


def _units(viewer, region, start, end) -> dict:
    rows = figures.breakdown(viewer=viewer, region=region, start=start, end=end, by="unit")
    for row in rows:
        row["score"] = _score(row)
        row["overdue_url"] = figures.records_url(
            viewer=viewer,
            measure="overdue",
            region=region,
            start=start,
            end=end,
            unit=row["key"],
        )
    rated = sorted(
        (r for r in rows if r["score"] is not None and r["key"] is not None),
        key=lambda r: (-r["score"], -r["reported"]),
    )
    late = sorted((r for r in rows if r["overdue"]), key=lambda r: (-r["overdue"], r["label"]))
    return {"by_rates": rated[:RANKED], "by_overdue": late[:RANKED]}


def _change(now: int, then: int) -> float | None:
    return None if not then else round((now - then) / then, 4)


def _categories(viewer, region, start, end) -> list[dict]:
    """This month so far by first-level category, against the same days just before (环比)
    and a year before (同比)."""
    days = (end - start).days + 1
    before = (start - dt.timedelta(days=days), start - dt.timedelta(days=1))
    year_ago = (_year_back(start), _year_back(end))

    def counts(first, last):
        rows = figures.breakdown(viewer=viewer, region=region, start=first, end=last, by="category")
        return {r["key"]: r for r in rows}

    if figures.needs_grid_rows(viewer, region):  # a community: categories are kept per township
        return []

    current, previous, last_year = counts(start, end), counts(*before), counts(*year_ago)
    out = []
    for key, row in current.items():
        prev = previous.get(key, {}).get("reported", 0)
        year = last_year.get(key, {}).get("reported", 0)
        out.append(
            {
                "key": key,
                "label": row["label"],
                "reported": row["reported"],
                "previous": prev,
                "last_year": year,
                "change_previous": _change(row["reported"], prev),
                "change_last_year": _change(row["reported"], year),
                "url": figures.records_url(
                    viewer=viewer,
                    measure="reported",
                    region=region,
                    start=start,
                    end=end,
                    category=key,
                ),
            }
        )
    out.sort(key=lambda r: (-r["reported"], str(r["label"])))
    return out[:RANKED]


def _year_back(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _regions(viewer, region, start, end, grid) -> list[dict]:
    if grid is not None:
        return []
    rows = figures.breakdown(viewer=viewer, region=region, start=start, end=end, by="region")
    codes = [r["code"] for r in rows if r["code"] and not isinstance(r["key"], int)]
    levels = dict(Region.objects.filter(code__in=codes).values_list("code", "level"))
    for row in rows:
        row["score"] = _score(row)
        # A township's rows are its grids (keyed by id), others' are regions (by path).
        grid = isinstance(row["key"], int)
        row["drill"] = None if not row["code"] else "grid" if grid else "region"
        row["level"] = "grid" if grid else levels.get(row["code"])
    return rows


def _hotspots(viewer, region, grid, today) -> list[dict]:
    """The grids with the most reports over the last week."""
    start = today - dt.timedelta(days=HOTSPOT_DAYS - 1)
    rows = figures.grid_figures(viewer=viewer, region=region, start=start, end=today)
    if grid is not None:
        rows = [r for r in rows if r["grid_id"] == grid.pk]
    rows = sorted((r for r in rows if r["reported"]), key=lambda r: (-r["reported"], r["code"]))
    for row in rows:
        row["url"] = figures.records_url(
            viewer=viewer,
            measure="reported",
            region=region,
            start=start,
            end=today,
            grid=row["grid_id"],
        )
    return rows[:RANKED]


# -- the domains' panels ------------------------------------------------------------------------


def _under(rows, region, grid, *, prefix: str = ""):
    if grid is not None:
        return rows.filter(**{f"{prefix}grid_id": grid.pk})
    if region is not None:
        return rows.filter(**{f"{prefix}region_path__startswith": region.path})
    return rows


def _disputes(viewer, region, grid) -> list[dict]:
    """Open disputes by risk, the highest first."""
    rows = _under(Dispute.objects.visible_to(viewer).open(), region, None)
    counted = dict(rows.order_by().values_list("risk").annotate(n=Count("pk")))
    return [
        {"risk": r.value, "label": str(r.label), "colour": r.colour, "count": counted.get(r, 0)}
        for r in Risk.ordered()
    ]


def _visits_late(viewer, region, grid, today) -> int:
    rows = Visit.objects.visible_to(viewer).filter(state=VisitState.DUE, due_on__lt=today)
    return _under(rows, region, grid).count()


def _legal(viewer, region, now) -> dict | None:
    """Legal aid and legal advice waiting in the area, for those who may read the legal
    figures (leaders of the place, the legal-aid centre, the 司法局); None for others."""
    try:
        paths = legal_figures.viewer_paths(viewer)
    except NotAllowed:
        return None
    allowed = Q()
    if paths is not None:
        allowed = reduce(or_, (Q(region_path__startswith=p) for p in paths), Q(pk__in=[]))
    inside = Q(region_path__startswith=region.path) if region is not None else Q()
    undecided = Application.objects.filter(allowed, inside, state__in=AID_UNDECIDED)
    waiting = Question.objects.filter(allowed, inside, state=QuestionState.WAITING)
    return {
        "aid_pending": undecided.count(),
        "aid_overdue": undecided.filter(decision_due__lt=now).count(),
        "questions_waiting": waiting.count(),
        "questions_overdue": waiting.filter(due_at__lt=now).count(),
    }


def _deliberation(viewer, region, today, now) -> dict | None:
    """The villages' topics past their answer date and their decisions' tasks overdue, for
    those who oversee villages (township, county and city staff, leaders); None for others."""
    scope = scope_for(viewer)
    if not scope.everything and not hall.oversight_paths(scope):
        return None
    inside = Q(region_path__startswith=region.path) if region is not None else Q()
    late = Topic.objects.visible_to(viewer).filter(inside, state=TopicState.DUE, answer_due__lt=now)
    overdue = Implementation.objects.visible_to(viewer).filter(
        inside,
        state__in=[ImplementationState.PLANNED, ImplementationState.UNDER_WAY],
        due_on__lt=today,
    )
    return {"topics_late": late.count(), "tasks_overdue": overdue.count()}


def _community(viewer, region, month_start, now) -> dict | None:
    """Repairs overdue now and escalated to the community this month, this month's patrol
    completion (checkpoints scanned ÷ checkpoints) and notices read (households that read ÷
    households reached), for those who oversee communities and villages; None for others."""
    scope = scope_for(viewer)
    if not scope.everything and not hall.oversight_paths(scope):
        return None
    inside = Q(region_path__startswith=region.path) if region is not None else Q()
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(month_start, dt.time.min, tzinfo=tz)
    repairs = community.RepairRequest.objects.visible_to(viewer).filter(inside)
    walked = (
        community.Patrol.objects.visible_to(viewer)
        .filter(inside, started_at__gte=since)
        .aggregate(checkpoints=Sum("checkpoints"), scanned=Sum("scanned"))
    )
    sent = community.Notice.objects.visible_to(viewer).filter(
        inside, publish_at__gte=since, publish_at__lte=now
    )
    deliveries = community.NoticeDelivery.objects.filter(notice__in=sent).aggregate(
        reached=Count("id"), read=Count("id", filter=Q(read_at__isnull=False))
    )

    def share(part, whole):
        return round(part / whole, 4) if whole else None

    return {
        "repairs_overdue": repairs.filter(case__is_overdue=True)
        .exclude(case__state__in=FINAL_STATES)
        .count(),
        "repairs_escalated": repairs.filter(escalated_at__gte=since).count(),
        "patrol_completion": share(walked["scanned"] or 0, walked["checkpoints"] or 0),
        "notices_read": share(deliveries["read"], deliveries["reached"]),
    }


def _sensing(viewer, region, grid) -> dict | None:
    """Cameras and sensors by status, open alarms and events waiting, and their points; None
    for a viewer sensing shows nothing to (its own access rule)."""
    if not sensing.sees_sensing(viewer):
        return None
    cameras = _under(sensing.cameras(viewer), region, grid)
    devices = _under(sensing.devices(viewer), region, grid)
    alarms = sensing.alarms(viewer).filter(cleared_at__isnull=True)
    events = sensing.events(viewer).filter(state=EventState.NEW)
    points = []
    fields = ("pk", "name", "lng", "lat", "enabled", "last_seen_at", "offline_since")
    for kind, rows in (("camera", cameras), ("device", devices)):
        extra = ("state",) if kind == "device" else ()
        for obj in rows.select_related(None).only(*fields, *extra)[:MAX_DEVICES]:
            status = sensing.status_of(obj)
            points.append(
                {
                    "kind": kind,
                    "name": obj.name,
                    "lng": obj.lng,
                    "lat": obj.lat,
                    "status": status,
                    "colour": sensing.Status.colour_of(status),
                    "alarm": kind == "device" and obj.state == DeviceState.ALARM,
                }
            )
    return {
        "cameras": _statuses(cameras),
        "devices": _statuses(devices),
        "alarms_open": _under(alarms, region, grid, prefix="device__").count(),
        "events_new": _under(events, region, grid, prefix="camera__").count(),
        "points": points,
    }


def _statuses(rows) -> list[dict]:
    return [
        {
            "status": s.value,
            "label": str(s.label),
            "colour": s.colour,
            "count": rows.filter(sensing.status_q(s.value)).count(),
        }
        for s in sensing.Status.ordered()
    ]


def _survey_region(viewer, region):
    """The survey's place: the screen's region, else the widest region the viewer sees."""
    if region is not None:
        return region
    scope = scope_for(viewer)
    levels = [RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP]
    rows = Region.objects.filter(level__in=levels).defer("boundary")
    if not scope.everything:
        rows = rows.filter(path__in=scope.region_paths)
    return rows.order_by(Length("path"), "path").first()


def _survey(viewer, region) -> dict | None:
    """The latest survey wave's safety and satisfaction over the place, with the next level's
    areas; None when the viewer may not read results or there is no wave (暂无调查)."""
    if not survey_figures.reads_results(viewer):
        return None
    region = _survey_region(viewer, region)
    if region is None:
        return None
    try:
        found = survey_figures.results(viewer=viewer, region=region)
    except (NotAllowed, NotFound):
        return None
    if found["wave"] is None:
        return None
    return {
        "region": found["region"],
        "wave": found["wave"],
        "measures": found["measures"],
        "response": found["response"],
        "areas": [{k: a[k] for k in ("code", "name", "level", "measures")} for a in found["areas"]],
        "url": reverse("surveys:results") + f"?region={region.code}",
    }


def _safety(viewer, region, today) -> dict | None:
    """The police's criminal and public-order cases a month over the last six months, beside
    the platform's own reports; None for a viewer the figures are not shown to."""
    if not safety.may_view(viewer):
        return None
    start = safety.add_months(today.replace(day=1), 1 - SAFETY_MONTHS)
    try:
        found = safety.figures_for(viewer=viewer, region=region, start=start, end=today)
    except ServiceError:  # a place the figures are not kept for (a community)
        return None
    url = reverse("command:safety")
    return {
        "months": [
            {
                "month": t["month"],
                "criminal": t["criminal"],
                "public_order": t["public_order"],
                "platform_reported": t["platform_reported"],
            }
            for t in found["totals"]
        ],
        "url": url + f"?region={region.code}" if region is not None else url,
    }


# -- the map and the ticker ---------------------------------------------------------------------


def _points(viewer, region, grid) -> dict:
    """Open cases as points, the newest first, without anything about who reported them."""
    rows = _under(Case.objects.visible_to(viewer).open(), region, grid).filter(
        lng__isnull=False, lat__isnull=False
    )
    points = list(
        rows.order_by("-created_at").values(
            "number", "title", "state", "lng", "lat", "is_overdue", "is_urgent", "grid_id"
        )[: MAX_POINTS + 1]
    )
    return {"cases": points[:MAX_POINTS], "truncated": len(points) > MAX_POINTS}


def _ticker(viewer, region, grid) -> list[dict]:
    """The newest live messages of the place (new reports, steps, alarms, events)."""
    scope = scope_for(viewer)
    seen = Q()
    for topic in TOPICS:  # each topic's own rule of who sees its messages
        seen |= Q(topic=topic) & push.visible_q(scope, topic)
    rows = PushMessage.objects.filter(seen)
    if region is not None:
        rows = rows.filter(region_path__startswith=region.path)
    found = []
    for row in rows.order_by("-id").values("id", "topic", "kind", "data", "at")[: TICKER * 3]:
        if grid is not None and row["topic"] == live.TOPIC and row["data"].get("grid") != grid.pk:
            continue
        found.append(row)
        if len(found) == TICKER:
            break
    return found


# -- everything ---------------------------------------------------------------------------------


def gather(*, viewer, region_code=None, grid_code=None, today: dt.date | None = None) -> dict:
    check_may_open(viewer=viewer)
    after = push.newest_id()  # first: a message sent while the rest is read is not missed
    region, grid = place(viewer=viewer, region_code=region_code, grid_code=grid_code)
    today = today or timezone.localdate()
    month_start = today.replace(day=1)
    return {
        "region": _region_out(region),
        "grid": (
            {"id": grid.pk, "code": grid.code, "name": grid.name} if grid is not None else None
        ),
        "crumbs": _crumbs(viewer, region),
        "today": _period(viewer, region, today, today),
        "month": _period(viewer, region, month_start, today),
        "units": _units(viewer, region, month_start, today),
        "categories": _categories(viewer, region, month_start, today),
        "regions": _regions(viewer, region, month_start, today, grid),
        "hotspots": _hotspots(viewer, region, grid, today),
        "disputes": _disputes(viewer, region, grid),
        "visits_late": _visits_late(viewer, region, grid, today),
        "sensing": _sensing(viewer, region, grid),
        "legal": _legal(viewer, region, timezone.now()),
        "deliberation": _deliberation(viewer, region, today, timezone.now()),
        "community": _community(viewer, region, month_start, timezone.now()),
        "survey": _survey(viewer, region),
        "safety": _safety(viewer, region, today),
        "map": {"bounds": _bounds(viewer, region, grid), **_points(viewer, region, grid)},
        "ticker": _ticker(viewer, region, grid),
        "push_after": after,
        "generated_at": timezone.now(),
    }


def _region_out(region) -> dict | None:
    if region is None:
        return None
    return {
        "code": region.code,
        "name": region.name,
        "level": region.level,
        "path": region.path,
    }
