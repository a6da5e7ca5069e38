"""The patrols room's JSON API, under /api/v1/community/.

GET  /patrols/routes                         the caller's routes (staff: their area; a volunteer:
                                             their teams'; a leader: their team's)
POST /patrols/routes                         create one (committee staff, the team's leader)
GET  /patrols/routes/{id}                    one route with its checkpoints in order
POST /patrols/routes/{id}/checkpoints        add a checkpoint at the end
POST /patrols/routes/{id}/reprint            new codes: the printed ones stop working
POST /patrols/routes/{id}/patrols            start a patrol (or get the one under way)
GET  /patrols/{id}                           one patrol with its scans
POST /patrols/{id}/scans                     scan a checkpoint's code with the phone's position
POST /patrols/{id}/finish                    finish: what was not scanned is missed
POST /patrols/{id}/problems                  a case from the patrol (multipart, ``photos``)
GET  /patrols/live                           today's patrols (team leader, staff)
GET  /patrols/month?month=YYYY-MM            each route's completion in a month

Scoped like the pages (``queries``); errors are ``{"error", "message", "field"}``.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from gongzhi.core.api import ErrorOut, Id
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.regions.models import Region

from ..models import Team
from . import queries, services

router = Router(tags=["community patrols"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class PatrolCheckpointOut(Schema):
    id: int
    order: int
    name: str
    lng: float
    lat: float
    code_version: int


class PatrolRouteOut(Schema):
    id: int
    name: str
    region_id: Id
    region_path: str
    team_id: int | None
    in_order: bool
    radius_m: int
    enabled: bool
    may_walk: bool
    keeps: bool
    checkpoints: list[PatrolCheckpointOut]


def _route_out(route, user) -> dict:
    return {
        "id": route.pk,
        "name": route.name,
        "region_id": route.region_id,
        "region_path": route.region_path,
        "team_id": route.team_id,
        "in_order": route.in_order,
        "radius_m": route.radius_m,
        "enabled": route.enabled,
        "may_walk": services.may_walk(user, route),
        "keeps": services.keeps(user, route),
        "checkpoints": [
            {
                "id": c.pk,
                "order": c.order,
                "name": c.name,
                "lng": c.lng,
                "lat": c.lat,
                "code_version": c.code_version,
            }
            for c in route.checkpoints.filter(enabled=True).order_by("order")
        ],
    }


@router.get("/patrols/routes", response={200: list[PatrolRouteOut], **ERRORS}, summary="Routes")
def list_routes(request):
    rows = queries.routes(request.user).select_related("team").prefetch_related("checkpoints")
    return [_route_out(r, request.user) for r in rows.order_by("region_path", "name", "id")]


class PatrolRouteIn(Schema):
    name: str = Field(max_length=100)
    region_id: int
    team_id: Id | None = None
    in_order: bool = True
    radius_m: int = Field(100, ge=1, le=5_000)


@router.post("/patrols/routes", response={201: PatrolRouteOut, **ERRORS}, summary="Create a route")
def create_route(request, payload: PatrolRouteIn):
    region = Region.objects.filter(pk=payload.region_id).first()
    if region is None:
        raise ServiceError("invalid_region", _("No such community or village."), "region_id")
    team = None
    if payload.team_id is not None:
        team = Team.objects.filter(pk=payload.team_id).first()
        if team is None:
            raise ServiceError("invalid_team", _("No such team."), "team_id")
    route = services.do_create_route(
        actor=request.user,
        region=region,
        name=payload.name,
        team=team,
        in_order=payload.in_order,
        radius_m=payload.radius_m,
    )
    return Status(201, _route_out(route, request.user))


@router.get(
    "/patrols/routes/{route_id}", response={200: PatrolRouteOut, **ERRORS}, summary="One route"
)
def get_route(request, route_id: int):
    return _route_out(services.get_route(actor=request.user, pk=route_id), request.user)


class PatrolCheckpointIn(Schema):
    name: str = Field(max_length=100)
    lng: float
    lat: float


@router.post(
    "/patrols/routes/{route_id}/checkpoints",
    response={201: PatrolCheckpointOut, **ERRORS},
    summary="Add a checkpoint",
)
def add_checkpoint(request, route_id: int, payload: PatrolCheckpointIn):
    route = services.get_route(actor=request.user, pk=route_id)
    c = services.do_add_checkpoint(
        actor=request.user, route=route, name=payload.name, lng=payload.lng, lat=payload.lat
    )
    return Status(
        201,
        {
            "id": c.pk,
            "order": c.order,
            "name": c.name,
            "lng": c.lng,
            "lat": c.lat,
            "code_version": c.code_version,
        },
    )


@router.post(
    "/patrols/routes/{route_id}/reprint",
    response={200: PatrolRouteOut, **ERRORS},
    summary="New codes",
)
def reprint(request, route_id: int):
    route = services.get_route(actor=request.user, pk=route_id)
    services.do_reprint(actor=request.user, route=route)
    return _route_out(route, request.user)


class PatrolScanOut(Schema):
    id: int
    checkpoint_id: int
    checkpoint: str
    order: int
    scanned_at: dt.datetime
    lng: float | None
    lat: float | None
    accuracy_m: float | None
    distance_m: float | None
    too_far: bool
    out_of_order: bool
    no_position: bool
    case_number: str | None


class PatrolOut(Schema):
    id: int
    route_id: int
    route: str
    walker: str
    state: str
    state_label: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    checkpoints: int
    scanned: int
    missed: int
    flagged: int
    scans: list[PatrolScanOut]
    missed_checkpoints: list[str] = Field(description="names; filled once the patrol is closed")


def _scan_out(s) -> dict:
    return {
        "id": s.pk,
        "checkpoint_id": s.checkpoint_id,
        "checkpoint": s.checkpoint.name,
        "order": s.checkpoint.order,
        "scanned_at": s.scanned_at,
        "lng": s.lng,
        "lat": s.lat,
        "accuracy_m": s.accuracy_m,
        "distance_m": s.distance_m,
        "too_far": s.too_far,
        "out_of_order": s.out_of_order,
        "no_position": s.no_position,
        "case_number": s.case.number if s.case_id else None,
    }


def _patrol_out(p) -> dict:
    scans = list(p.scans.select_related("checkpoint", "case"))
    done = {s.checkpoint_id for s in scans}
    missed = []
    if p.state != "walking":
        missed = [
            c.name
            for c in p.route.checkpoints.filter(enabled=True).order_by("order")
            if c.pk not in done
        ]
    return {
        "id": p.pk,
        "route_id": p.route_id,
        "route": p.route.name,
        "walker": (getattr(p.walker, "display_name", "") or p.walker.get_username())
        if p.walker
        else "",
        "state": p.state,
        "state_label": str(p.get_state_display()),
        "started_at": p.started_at,
        "finished_at": p.finished_at,
        "checkpoints": p.checkpoints,
        "scanned": p.scanned,
        "missed": p.missed,
        "flagged": p.flagged,
        "scans": [_scan_out(s) for s in scans],
        "missed_checkpoints": missed,
    }


@router.post(
    "/patrols/routes/{route_id}/patrols",
    response={201: PatrolOut, **ERRORS},
    summary="Start a patrol",
)
def start(request, route_id: int):
    route = services.get_route(actor=request.user, pk=route_id)
    patrol = services.do_start(actor=request.user, route=route)
    return Status(201, _patrol_out(services.get_patrol(actor=request.user, pk=patrol.pk)))


@router.get("/patrols/live", response={200: list[PatrolOut], **ERRORS}, summary="Today's patrols")
def live(request, day: dt.date | None = None):
    if not queries.leads(request.user):
        raise NotAllowed("not_allowed", _("Only team leaders and staff see the patrols live."))
    return [_patrol_out(p) for p in queries.live(request.user, day)]


class PatrolMonthOut(Schema):
    route_id: int
    name: str
    patrols: int
    finished: int
    planned: int
    done_pct: int | None
    due: int
    scanned: int
    scanned_pct: int | None
    missed: int
    flagged: int


@router.get(
    "/patrols/month", response={200: list[PatrolMonthOut], **ERRORS}, summary="A month's completion"
)
def month(request, month: str = ""):
    if not queries.leads(request.user):
        raise NotAllowed(
            "not_allowed", _("Only team leaders and staff see the routes' completion.")
        )
    today = timezone.localdate()
    try:
        year, month_no = (int(x) for x in month.split("-")) if month else (today.year, today.month)
        dt.date(year, month_no, 1)
    except ValueError:
        raise ServiceError("invalid_month", _("Give the month as YYYY-MM."), "month") from None
    return [
        {k: v for k, v in row.items() if k != "route"}
        for row in queries.month(request.user, year, month_no)
    ]


@router.get("/patrols/{patrol_id}", response={200: PatrolOut, **ERRORS}, summary="One patrol")
def get_patrol(request, patrol_id: int):
    return _patrol_out(services.get_patrol(actor=request.user, pk=patrol_id))


class PatrolScanIn(Schema):
    code: str = Field(max_length=600, description="what the QR code holds, or the typed code")
    lng: float | None = None
    lat: float | None = None
    accuracy: float | None = None


@router.post(
    "/patrols/{patrol_id}/scans",
    response={201: PatrolScanOut, **ERRORS},
    summary="Scan a checkpoint",
)
def scan(request, patrol_id: int, payload: PatrolScanIn):
    s = services.do_scan(  # looks the patrol up in the caller's scope as it locks it
        actor=request.user,
        patrol=patrol_id,
        code=payload.code,
        lng=payload.lng,
        lat=payload.lat,
        accuracy=payload.accuracy,
    )
    return Status(201, _scan_out(s))


@router.post("/patrols/{patrol_id}/finish", response={200: PatrolOut, **ERRORS}, summary="Finish")
def finish(request, patrol_id: int):
    patrol = services.get_patrol(actor=request.user, pk=patrol_id)
    services.do_finish(actor=request.user, patrol=patrol)
    return _patrol_out(services.get_patrol(actor=request.user, pk=patrol_id))


class PatrolProblemIn(Schema):
    description: str = Field(max_length=2000)
    category_id: Id
    idempotency_key: str | None = Field(None, max_length=64)


class PatrolProblemOut(Schema):
    case_number: str
    scan_id: int | None


@router.post(
    "/patrols/{patrol_id}/problems",
    response={201: PatrolProblemOut, **ERRORS},
    summary="Report a problem",
)
def problem(
    request, patrol_id: int, payload: Form[PatrolProblemIn], photos: File[list[UploadedFile]] = None
):
    patrol = services.get_patrol(actor=request.user, pk=patrol_id)
    case = services.do_report_problem(
        actor=request.user,
        patrol=patrol,
        description=payload.description,
        category_id=payload.category_id,
        photos=photos or (),
        idempotency_key=payload.idempotency_key,
    )
    linked = patrol.scans.filter(case=case).values_list("pk", flat=True).first()
    return Status(201, {"case_number": case.number, "scan_id": linked})
