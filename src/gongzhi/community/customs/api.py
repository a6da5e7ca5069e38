"""The customs room's JSON API, under /api/v1/community/ (the same services and scoping
as the pages; errors ``{"error","message","field"}``).

GET  /customs/ceremonies                    the caller's visible registrations (``reveal=true``:
                                            the heads' names and phones, audited)
POST /customs/ceremonies                    register (warnings in the answer, never a 400)
GET  /customs/ceremonies/{id}               one, with its warnings and the caller's actions
POST /customs/ceremonies/{id}/actions/{act} acknowledge, hold, cancel (409 out of order)
GET  /customs/rules?region=<id>             the rules in force for a village
PUT  /customs/rules                         set a region's row (committee / oversight)
GET  /customs/figures?start=&end=           per village and month (staff)
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from gongzhi.core.api import Day, ErrorOut, Id
from gongzhi.core.errors import NotAllowed, NotFound, ServiceError
from gongzhi.regions.models import Region

from .. import reveal as reveal_names
from ..choices import CeremonyKind
from . import queries, rules, services
from .workflow import FLOW, RULES

router = Router(tags=["community customs"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class CeremonyIn(Schema):
    household: Id
    kind: str
    date: dt.date
    days: int = Field(1, ge=1, le=30)
    guests: int = Field(ge=0, le=100_000)
    tables: int = Field(ge=0, le=10_000)
    gift: int = Field(0, ge=0, le=10_000_000)
    place: str = ""
    note: str = ""


class CeremonyWarningOut(Schema):
    field: str
    cap: int
    figure: int
    message: str


class CeremonyOut(Schema):
    id: int
    household: int
    household_name: str = Field(
        description="the household's number and head (masked unless revealed, with the phone)"
    )
    region_id: int
    region_name: str
    kind: str
    kind_label: str
    state: str
    state_label: str
    date: dt.date
    days: int
    place: str
    guests: int
    tables: int
    gift: int
    note: str
    council_note: str
    within_caps: bool
    warnings: list[CeremonyWarningOut]
    actions: list[str]


class CeremonyStepIn(Schema):
    note: str = ""
    expected_state: str | None = None


class CustomRuleIn(Schema):
    region: Id
    kind: str
    max_tables: int | None = Field(None, ge=0, le=10_000)
    max_guests: int | None = Field(None, ge=0, le=100_000)
    max_gift: int | None = Field(None, ge=0, le=10_000_000)
    max_days: int | None = Field(None, ge=1, le=30)
    note: str = Field("", max_length=200)
    enabled: bool = True


class CustomRuleOut(Schema):
    region_id: int
    region_name: str
    kind: str
    max_tables: int | None
    max_guests: int | None
    max_gift: int | None
    max_days: int | None
    note: str
    enabled: bool


class CeremonyFigureOut(Schema):
    region_id: int
    region_name: str
    month: str
    weddings: int
    funerals: int
    total: int
    within_caps: int
    over_caps: int
    avg_tables: float | None
    avg_guests: float | None


def _out(c, user, *, reveal=False) -> dict:
    return {
        "id": c.pk,
        "household": c.household_id,
        "household_name": queries.household_label(c.household, user, reveal=reveal),
        "region_id": c.region_id,
        "region_name": c.region.name,
        "kind": c.kind,
        "kind_label": str(c.get_kind_display()),
        "state": c.state,
        "state_label": str(c.get_state_display()),
        "date": c.date,
        "days": c.days,
        "place": c.place,
        "guests": c.guests,
        "tables": c.tables,
        "gift": c.gift,
        "note": c.note,
        "council_note": c.council_note,
        "within_caps": not c.warnings,
        "warnings": [{**w, "message": rules.warning_text(w)} for w in c.warnings],
        "actions": FLOW.allowed_actions(c, user),
    }


def _rule_out(r) -> dict:
    return {
        "region_id": r.region_id,
        "region_name": r.region.name,
        "kind": r.kind,
        "max_tables": r.max_tables,
        "max_guests": r.max_guests,
        "max_gift": r.max_gift,
        "max_days": r.max_days,
        "note": r.note,
        "enabled": r.enabled,
    }


@router.get(
    "/customs/ceremonies",
    response={200: list[CeremonyOut], **ERRORS},
    summary="Weddings and funerals",
)
def list_ceremonies(request, reveal: bool = False):
    """``reveal=true``: the heads' names and phones where the caller may see them (the
    staff of the village, not a leader), each person audited; 403 if nowhere."""
    rows = list(
        services.visible(request.user)
        .select_related("region", "household__head")
        .order_by("-date", "-id")[:500]
    )
    opened = (
        reveal_names.opened(
            request, rows, head=lambda c: c.household.head, reason="customs registrations api"
        )
        if reveal
        else set()
    )
    return [_out(c, request.user, reveal=c.pk in opened) for c in rows]


@router.post(
    "/customs/ceremonies",
    response={201: CeremonyOut, **ERRORS},
    summary="Register a wedding or funeral",
)
def register(request, payload: CeremonyIn):
    c = services.do_register(
        actor=request.user,
        registration=services.Registration(
            household_id=payload.household,
            kind=payload.kind,
            date=payload.date,
            days=payload.days,
            guests=payload.guests,
            tables=payload.tables,
            gift=payload.gift,
            place=payload.place,
            note=payload.note,
        ),
    )
    c = services.get_ceremony(actor=request.user, pk=c.pk)
    return Status(201, _out(c, request.user))


@router.get(
    "/customs/ceremonies/{pk}", response={200: CeremonyOut, **ERRORS}, summary="One registration"
)
def ceremony(request, pk: int):
    return _out(services.get_ceremony(actor=request.user, pk=pk), request.user)


@router.post(
    "/customs/ceremonies/{pk}/actions/{action}",
    response={200: CeremonyOut, **ERRORS},
    summary="A step of the council",
)
def step(request, pk: int, action: str, payload: CeremonyStepIn):
    if action not in RULES:
        raise NotFound("unknown_action", _("There is no such action."))
    services.do_step(
        actor=request.user,
        pk=pk,
        action=action,
        note=payload.note,
        expected_state=payload.expected_state,
    )
    return _out(services.get_ceremony(actor=request.user, pk=pk), request.user)


@router.get(
    "/customs/rules",
    response={200: list[CustomRuleOut], **ERRORS},
    summary="The rules in force for a village",
)
def rules_in_force(request, region: int):
    place = Region.objects.filter(pk=region).first()
    if place is None:
        raise NotFound("not_found", _("There is no such region."))
    return [_rule_out(r) for k in CeremonyKind.values if (r := rules.rule_for(place.path, k))]


@router.put(
    "/customs/rules", response={200: CustomRuleOut, **ERRORS}, summary="Set a region's rule"
)
def save_rule(request, payload: CustomRuleIn):
    row = services.do_save_rule(
        actor=request.user,
        region_id=payload.region,
        kind=payload.kind,
        max_tables=payload.max_tables,
        max_guests=payload.max_guests,
        max_gift=payload.max_gift,
        max_days=payload.max_days,
        note=payload.note,
        enabled=payload.enabled,
    )
    row.refresh_from_db()
    return _rule_out(row)


class CeremonyFigureQuery(Schema):
    start: Day | None = None
    end: Day | None = None


@router.get(
    "/customs/figures",
    response={200: list[CeremonyFigureOut], **ERRORS},
    summary="Monthly figures per village",
)
def figures(request, q: Query[CeremonyFigureQuery]):
    if not queries.reads_figures(request.user):
        raise NotAllowed("not_permitted", _("The figures are for the staff of the villages."))
    end = q.end or timezone.localdate()
    start = q.start or (end - dt.timedelta(days=365))
    if start > end:
        raise ServiceError("invalid", _("The start comes after the end."), "start")
    return [f.as_dict() for f in queries.monthly(request.user, start=start, end=end)]
