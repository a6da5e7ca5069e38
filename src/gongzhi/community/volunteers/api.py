"""The volunteers room's JSON API, under /api/v1/community/ (same services and scoping as
the pages).

GET  /volunteers/me                          my registration, hours and sign-ups
POST /volunteers/register                    register (from the register, or naming a community)
GET  /volunteers                             the area's volunteers (staff; masked)
POST /volunteers/{id}/review                 approve / reject with a reason (committee)
GET  /volunteers/{id}/certificate.pdf        certificate of hours (self or staff)
GET  /volunteer-teams                        teams the caller sees
POST /volunteer-teams                        create a team (committee)
POST /volunteer-teams/{id}/members           add a volunteer (leader, committee)
POST /volunteer-teams/{id}/ask               ask to join (an approved volunteer)
GET  /volunteer-shifts                       shifts the caller sees (?open=true: open to me)
POST /volunteer-shifts                       create a shift (committee, team leader)
GET  /volunteer-shifts/{id}                  one shift (sign-ups for its managers)
POST /volunteer-shifts/{id}/sign-up          take a place (409 ``full`` when none is left)
POST /volunteer-shifts/{id}/cancel           give my place back (before the start)
POST /volunteer-shifts/{id}/check-in         myself by the QR code's token
POST /volunteer-shifts/{id}/signups/{s}/check-in   the leader checks a volunteer in
"""

import datetime as dt
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from gongzhi.accounts.masking import mask_mobile, mask_name
from gongzhi.core.api import ErrorOut, Id
from gongzhi.core.errors import NotAllowed, NotFound, ServiceError
from gongzhi.regions.models import Region

from .. import reveal as reveal_names
from ..choices import SignUpState
from ..models import SignUp, Team, Volunteer
from . import printing, queries, services

router = Router(tags=["community volunteers"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class VolunteerOut(Schema):
    id: int
    name: str
    phone: str
    region_code: str
    region_name: str
    state: str
    state_label: str
    skills: str
    in_register: bool
    reason: str
    hours: Decimal


def _volunteer(v, *, mask: bool) -> dict:
    return {
        "id": v.pk,
        "name": mask_name(v.name) if mask else v.name,
        "phone": mask_mobile(v.phone) if mask else v.phone,
        "region_code": v.region.code,
        "region_name": v.region.name,
        "state": v.state,
        "state_label": str(v.get_state_display()),
        "skills": v.skills,
        "in_register": v.resident_id is not None,
        "reason": v.reason,
        "hours": v.hours,
    }


class VolunteerSignUpOut(Schema):
    id: int
    shift: int
    title: str
    starts_at: dt.datetime
    state: str
    hours: Decimal | None


def _signup(u) -> dict:
    return {
        "id": u.pk,
        "shift": u.shift_id,
        "title": u.shift.title,
        "starts_at": u.shift.starts_at,
        "state": u.state,
        "hours": u.hours,
    }


class VolunteerMeOut(Schema):
    volunteer: VolunteerOut | None
    signups: list[VolunteerSignUpOut]


@router.get("/volunteers/me", response={200: VolunteerMeOut, **ERRORS}, summary="My volunteering")
def me(request):
    v = Volunteer.objects.select_related("region").filter(user=request.user).first()
    return {
        "volunteer": _volunteer(v, mask=False) if v else None,
        "signups": [_signup(u) for u in queries.my_signups(request.user)[:200]],
    }


class VolunteerRegisterIn(Schema):
    region: str | None = Field(None, description="the community's code, when not in the register")
    phone: str = Field("", max_length=20)
    skills: str = Field("", max_length=200)


@router.post("/volunteers/register", response={201: VolunteerOut, **ERRORS}, summary="Register")
def register(request, payload: VolunteerRegisterIn):
    region = None
    if payload.region:
        region = Region.objects.filter(code=payload.region[:32]).first()
        if region is None:
            raise ServiceError("invalid", _("There is no such community or village."), "region")
    v = services.do_register(
        user=request.user, region=region, skills=payload.skills, phone=payload.phone
    )
    return Status(201, _volunteer(v, mask=False))


@router.get("/volunteers", response={200: list[VolunteerOut], **ERRORS}, summary="Volunteers")
def list_volunteers(request, state: str = "", reveal: bool = False):
    everything, paths = services.staff_area(request.user)
    if not (everything or paths):
        raise NotAllowed("not_staff", _("Only staff see the volunteers."))
    rows = list(queries.desk_volunteers(request.user, state)[:500])
    # The one audited reveal of the community's lists: refused (403) to a role that may not.
    opened = (
        reveal_names.opened(request, rows, head=lambda v: v, reason="volunteers api")
        if reveal and rows
        else set()
    )
    return [_volunteer(v, mask=v.pk not in opened) for v in rows]


def _visible_volunteer(request, pk) -> Volunteer:
    v = queries.visible_volunteers(request.user).filter(pk=pk).first()
    if v is None:
        raise NotFound("not_found", _("There is no such volunteer."))
    return v


class VolunteerReviewIn(Schema):
    approve: bool
    reason: str = Field("", max_length=200)


@router.post(
    "/volunteers/{pk}/review",
    response={200: VolunteerOut, **ERRORS},
    summary="Check a registration",
)
def review(request, pk: int, payload: VolunteerReviewIn):
    v = services.do_review(
        actor=request.user,
        volunteer=_visible_volunteer(request, pk),
        approve=payload.approve,
        reason=payload.reason,
    )
    return _volunteer(v, mask=True)


@router.get("/volunteers/{pk}/certificate.pdf", summary="Certificate of hours (PDF)")
def certificate(request, pk: int, start: dt.date | None = None, end: dt.date | None = None):
    v = _visible_volunteer(request, pk)
    pdf, number = printing.certificate(v, start, end)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{number}.pdf"'
    return response


class VolunteerTeamOut(Schema):
    id: int
    name: str
    region_code: str
    leader: str | None
    members: int


def _team(t) -> dict:
    leader = t.leader.display_name or t.leader.username if t.leader_id else None
    return {
        "id": t.pk,
        "name": t.name,
        "region_code": t.region.code,
        "leader": leader,
        "members": t.members.count(),
    }


@router.get("/volunteer-teams", response={200: list[VolunteerTeamOut], **ERRORS}, summary="Teams")
def teams(request):
    return [_team(t) for t in queries.visible_teams(request.user)[:200]]


class VolunteerTeamIn(Schema):
    region: str
    name: str = Field(max_length=100)
    leader: Id | None = Field(None, description="a volunteer's id")


@router.post("/volunteer-teams", response={201: VolunteerTeamOut, **ERRORS}, summary="New team")
def create_team(request, payload: VolunteerTeamIn):
    region = Region.objects.filter(code=payload.region[:32]).first()
    if region is None:
        raise ServiceError("invalid", _("There is no such community or village."), "region")
    leader = None
    if payload.leader:
        leader = _visible_volunteer(request, payload.leader).user
    t = services.do_create_team(actor=request.user, region=region, name=payload.name, leader=leader)
    return Status(201, _team(t))


def _visible_team(request, pk) -> Team:
    t = queries.visible_teams(request.user).filter(pk=pk).first()
    if t is None:
        raise NotFound("not_found", _("There is no such team."))
    return t


class VolunteerMemberIn(Schema):
    volunteer: Id


@router.post(
    "/volunteer-teams/{pk}/members", response={201: VolunteerTeamOut, **ERRORS}, summary="Add"
)
def add_member(request, pk: int, payload: VolunteerMemberIn):
    t = _visible_team(request, pk)
    services.do_add_member(
        actor=request.user, team=t, volunteer=_visible_volunteer(request, payload.volunteer)
    )
    return Status(201, _team(t))


@router.post("/volunteer-teams/{pk}/ask", response={202: None, **ERRORS}, summary="Ask to join")
def ask(request, pk: int):
    services.do_ask_to_join(user=request.user, team=_visible_team(request, pk))
    return Status(202, None)


class VolunteerShiftOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    region_code: str
    team: int | None
    place: str
    lng: float | None
    lat: float | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int = Field(ge=1, le=1_000)
    taken: int
    state: str


class VolunteerShiftSignUpOut(Schema):
    id: int
    name: str
    state: str
    method: str
    hours: Decimal | None


class VolunteerShiftDetailOut(VolunteerShiftOut):
    mine: VolunteerSignUpOut | None
    signups: list[VolunteerShiftSignUpOut]


def _shift(s) -> dict:
    return {
        "id": s.pk,
        "kind": s.kind,
        "kind_label": str(s.get_kind_display()),
        "title": s.title,
        "region_code": s.region.code,
        "team": s.team_id,
        "place": s.place,
        "lng": s.lng,
        "lat": s.lat,
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "capacity": s.capacity,
        "taken": s.taken,
        "state": s.state,
    }


@router.get(
    "/volunteer-shifts", response={200: list[VolunteerShiftOut], **ERRORS}, summary="Shifts"
)
def shifts(request, open: bool = False):
    rows = queries.open_shifts(request.user) if open else queries.visible_shifts(request.user)
    return [_shift(s) for s in rows[:200]]


class VolunteerShiftIn(Schema):
    kind: str
    title: str = Field(max_length=120)
    region: str | None = None
    team: Id | None = None
    place: str = Field("", max_length=200)
    lng: float | None = None
    lat: float | None = None
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int


@router.post("/volunteer-shifts", response={201: VolunteerShiftOut, **ERRORS}, summary="New shift")
def create_shift(request, payload: VolunteerShiftIn):
    region = Region.objects.filter(code=payload.region[:32]).first() if payload.region else None
    team = _visible_team(request, payload.team) if payload.team else None
    s = services.do_create_shift(
        actor=request.user,
        region=region,
        team=team,
        kind=payload.kind,
        title=payload.title,
        place=payload.place,
        lng=payload.lng,
        lat=payload.lat,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        capacity=payload.capacity,
    )
    return Status(201, _shift(s))


def _visible_shift(request, pk):
    s = queries.visible_shifts(request.user).filter(pk=pk).first()
    if s is None:
        raise NotFound("not_found", _("There is no such shift."))
    return s


def _detail(request, s) -> dict:
    out = _shift(s)
    mine = SignUp.objects.select_related("shift").filter(shift=s, volunteer__user=request.user)
    mine = mine.first()
    out["mine"] = _signup(mine) if mine else None
    out["signups"] = []
    if services.may_manage(request.user, s):
        out["signups"] = [
            {
                "id": u.pk,
                "name": u.volunteer.name,
                "state": u.state,
                "method": u.method,
                "hours": u.hours,
            }
            for u in s.signups.select_related("volunteer").exclude(state=SignUpState.CANCELLED)
        ]
    return out


@router.get(
    "/volunteer-shifts/{pk}", response={200: VolunteerShiftDetailOut, **ERRORS}, summary="One shift"
)
def shift(request, pk: int):
    return _detail(request, _visible_shift(request, pk))


@router.post(
    "/volunteer-shifts/{pk}/sign-up",
    response={201: VolunteerSignUpOut, **ERRORS},
    summary="Sign up",
)
def sign_up(request, pk: int):
    u = services.do_sign_up(user=request.user, shift=_visible_shift(request, pk))
    return Status(201, _signup(u))


def _mine(request, pk) -> SignUp:
    u = (
        SignUp.objects.select_related("shift", "volunteer")
        .filter(shift=_visible_shift(request, pk), volunteer__user=request.user)
        .first()
    )
    if u is None:
        raise NotFound("not_signed_up", _("You have not signed up for this shift."))
    return u


@router.post(
    "/volunteer-shifts/{pk}/cancel", response={200: VolunteerSignUpOut, **ERRORS}, summary="Cancel"
)
def cancel(request, pk: int):
    return _signup(services.do_cancel_sign_up(user=request.user, signup=_mine(request, pk)))


class VolunteerCheckInIn(Schema):
    token: str = Field(max_length=200)


@router.post(
    "/volunteer-shifts/{pk}/check-in",
    response={200: VolunteerSignUpOut, **ERRORS},
    summary="Check in by the QR code",
)
def check_in(request, pk: int, payload: VolunteerCheckInIn):
    s = _visible_shift(request, pk)
    return _signup(services.do_check_in_qr(user=request.user, shift=s, token=payload.token))


class VolunteerLeaderCheckInIn(Schema):
    hours: Decimal | None = None
    reason: str = Field("", max_length=200)


@router.post(
    "/volunteer-shifts/{pk}/signups/{signup}/check-in",
    response={200: VolunteerSignUpOut, **ERRORS},
    summary="Check a volunteer in (leader)",
)
def leader_check_in(request, pk: int, signup: int, payload: VolunteerLeaderCheckInIn):
    s = _visible_shift(request, pk)
    u = (
        SignUp.objects.select_related("shift", "shift__team", "volunteer")
        .filter(shift=s, pk=signup)
        .first()
    )
    if u is None:
        raise NotFound("not_found", _("There is no such sign-up."))
    done = services.do_check_in_by_leader(
        actor=request.user, signup=u, hours=payload.hours, reason=payload.reason
    )
    return _signup(done)
