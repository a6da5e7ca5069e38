"""The volunteers' pages: my volunteering (register, my shifts and hours, the shifts open
to sign up, the certificate), a shift's page (sign up / cancel; for its leader the
sign-ups, check-in and the QR code), the QR check-in page a phone opens, the committee's
desk (check registrations, teams) and a team's page. Thin: every step is a service call."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.accounts.masking import mask_mobile, mask_name
from gongzhi.core.errors import ServiceError
from gongzhi.core.scope import scope_for
from gongzhi.people import members
from gongzhi.regions.models import Region, RegionLevel

from .. import reveal as reveal_names
from ..choices import ShiftKind, ShiftState, SignUpState, VolunteerState
from ..models import Shift, SignUp, Team, TeamMember, Volunteer
from . import printing, queries, services
from .forms import RegisterForm, ShiftForm, TeamForm


def _palette():
    return [(f"vstate-{v}", c) for v, c in VolunteerState.colours().items()] + [
        (f"skind-{v}", c) for v, c in ShiftKind.colours().items()
    ]


def _committee_regions(user):
    scope = scope_for(user)
    rows = Region.objects.filter(level=RegionLevel.COMMUNITY).order_by("path")
    if scope.everything:
        return rows
    q = Q(pk__in=[])
    for p in members.committee_paths(scope):
        q |= Q(path__startswith=p)
    return rows.filter(q)


def _fail(form, e: ServiceError):
    for one in e.all:
        form.add_error(one.field if one.field in form.fields else None, one.message)


@login_required
def home(request):
    """My volunteering: the registration form, or my state, hours, shifts and certificate."""
    mine = Volunteer.objects.select_related("region").filter(user=request.user).first()
    villager = members.villager(request.user)
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.do_register(
                user=request.user, region=d["region"], skills=d["skills"], phone=d["phone"]
            )
        except ServiceError as e:
            _fail(form, e)
        else:
            messages.success(request, _("Thank you! The community will check your registration."))
            return redirect("community:volunteers")
    everything, paths = services.staff_area(request.user)
    return render(
        request,
        "community/volunteers/home.html",
        {
            "mine": mine,
            "approved": mine is not None and mine.state == VolunteerState.APPROVED,
            "may_register": mine is None
            or mine.state in (VolunteerState.REJECTED, VolunteerState.LEFT),
            "in_register": villager is not None,
            "form": form,
            "signups": queries.my_signups(request.user)[:50],
            "open": queries.open_shifts(request.user)[:50],
            "teams": TeamMember.objects.filter(volunteer__user=request.user).select_related("team"),
            "led": Team.objects.filter(leader=request.user),
            "staff": everything or bool(paths),
            "palette": _palette(),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def shifts(request):
    rows = queries.visible_shifts(request.user).order_by("-starts_at", "-id")
    return render(
        request,
        "community/volunteers/shifts.html",
        {
            "shifts": rows[:100],
            "may_create": _committee_regions(request.user).exists()
            or Team.objects.filter(leader=request.user).exists(),
            "palette": _palette(),
        },
    )


@login_required
def shift_new(request):
    regions = _committee_regions(request.user)
    teams = Team.objects.filter(Q(leader=request.user) | Q(region__in=regions), enabled=True)
    if not (regions.exists() or teams.exists()):
        raise PermissionDenied
    form = ShiftForm(request.POST or None, teams=teams, regions=regions)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            shift = services.do_create_shift(
                actor=request.user,
                region=d["region"],
                team=d["team"],
                kind=d["kind"],
                title=d["title"],
                place=d["place"],
                lng=d["lng"],
                lat=d["lat"],
                starts_at=d["starts_at"],
                ends_at=d["ends_at"],
                capacity=d["capacity"],
            )
        except ServiceError as e:
            _fail(form, e)
        else:
            messages.success(request, _("Shift created."))
            return redirect("community:volunteer_shift", shift.pk)
    return render(
        request,
        "community/volunteers/shift_new.html",
        {"form": form, "palette": _palette()},
        status=400 if request.method == "POST" else 200,
    )


def _shift(request, pk) -> Shift:
    shift = queries.visible_shifts(request.user).filter(pk=pk).first()
    if shift is None:
        raise Http404
    return shift


@login_required
@require_GET
def shift(request, pk):
    s = _shift(request, pk)
    manage = services.may_manage(request.user, s)
    mine = SignUp.objects.filter(shift=s, volunteer__user=request.user).first()
    rows = []
    if manage:
        for signup in s.signups.select_related("volunteer").exclude(state=SignUpState.CANCELLED):
            v = signup.volunteer
            rows.append(
                {
                    "signup": signup,
                    "name": v.name,
                    "phone": mask_mobile(v.phone),
                }
            )
    return render(
        request,
        "community/volunteers/shift.html",
        {
            "s": s,
            "manage": manage,
            "mine": mine,
            "volunteer": services.volunteer_of(request.user),
            "rows": rows,
            "hours": services.shift_hours(s),
            "left": s.capacity - s.taken,
            "palette": _palette(),
        },
    )


DONE = {
    "sign_up": _("You are signed up."),
    "cancel": _("Your sign-up is cancelled."),
    "check_in": _("Checked in."),
    "finish": _("The shift is closed."),
}


@login_required
@require_POST
def shift_act(request, pk):
    s = _shift(request, pk)
    action = request.POST.get("action") or ""
    try:
        if action == "sign_up":
            services.do_sign_up(user=request.user, shift=s)
        elif action == "cancel":
            signup = (
                SignUp.objects.select_related("shift", "volunteer")
                .filter(shift=s, volunteer__user=request.user)
                .first()
            )
            if signup is None:
                raise Http404
            services.do_cancel_sign_up(user=request.user, signup=signup)
        elif action == "check_in":
            signup = (
                SignUp.objects.select_related("shift", "shift__team", "volunteer")
                .filter(shift=s, pk=request.POST.get("signup") or 0)
                .first()
            )
            if signup is None:
                raise Http404
            services.do_check_in_by_leader(
                actor=request.user,
                signup=signup,
                hours=request.POST.get("hours") or None,
                reason=request.POST.get("reason") or "",
            )
        elif action == "finish":
            services.do_finish_shift(actor=request.user, shift=s)
        else:
            raise Http404
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, str(DONE[action]))
    return redirect("community:volunteer_shift", s.pk)


def _check_in_url(request, s) -> str:
    return request.build_absolute_uri(
        reverse("community:volunteer_check_in", args=[s.pk, services.check_in_token(s)])
    )


def _managed(request, pk) -> Shift:
    s = _shift(request, pk)
    if not services.may_manage(request.user, s):
        raise PermissionDenied
    return s


@login_required
@require_GET
def shift_qr(request, pk):
    s = _managed(request, pk)
    response = HttpResponse(printing.png(_check_in_url(request, s)), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def shift_sheet(request, pk):
    s = _managed(request, pk)
    response = HttpResponse(
        printing.sheet(s, _check_in_url(request, s)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="shift-{s.pk}-check-in.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def check_in(request, pk, token):
    """The page the shift's QR code opens on the volunteer's phone."""
    s = Shift.objects.select_related("region").filter(pk=pk).first()
    if s is None:
        raise Http404
    error = None
    status = 200
    if request.method == "POST":
        try:
            services.do_check_in_qr(user=request.user, shift=s, token=token)
        except ServiceError as e:
            error, status = e, e.status
        else:
            messages.success(request, _("Checked in. Thank you for your service!"))
            return redirect("community:volunteer_check_in", s.pk, token)
    mine = SignUp.objects.filter(shift=s, volunteer__user=request.user).first()
    return render(
        request,
        "community/volunteers/check_in.html",
        {"s": s, "error": error, "mine": mine, "attended": SignUpState.ATTENDED},
        status=status,
    )


@login_required
def desk(request):
    """The committee's desk: registrations to check, the area's volunteers and teams."""
    everything, paths = services.staff_area(request.user)
    if not (everything or paths):
        raise PermissionDenied
    regions = _committee_regions(request.user)
    form = TeamForm(request.POST or None, regions=regions)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            leader = None
            if d["leader"]:
                leader_v = queries.visible_volunteers(request.user).filter(pk=d["leader"]).first()
                leader = leader_v.user if leader_v else None
                if leader is None:
                    form.add_error("leader", _("There is no such volunteer."))
            if form.is_valid():
                try:
                    team = services.do_create_team(
                        actor=request.user, region=d["region"], name=d["name"], leader=leader
                    )
                except ServiceError as e:
                    _fail(form, e)
                else:
                    messages.success(request, _("Team created."))
                    return redirect("community:volunteer_team", team.pk)
    state = request.GET.get("state") or ""
    volunteers = list(queries.desk_volunteers(request.user, state)[:200])
    opened, refused = set(), ""
    if request.GET.get("reveal") == "1" and volunteers:
        try:  # the one audited reveal of the community's lists (community/reveal.py)
            opened = reveal_names.opened(
                request, volunteers, head=lambda v: v, reason="volunteer desk"
            )
        except ServiceError as e:
            refused = e.message
    rows = []
    for v in volunteers:
        name, phone = (v.name, v.phone) if v.pk in opened else masked(v)
        rows.append(
            {
                "v": v,
                "name": name,
                "phone": phone,
                "may_check": v.state == VolunteerState.PENDING
                and members.is_committee(request.user, v.region_path),
            }
        )
    reveal = bool(opened)
    return render(
        request,
        "community/volunteers/desk.html",
        {
            "rows": rows,
            "state": state,
            "states": VolunteerState.choices,
            "reveal": reveal,
            "refused": refused,
            "may_reveal": reveal_names.may_reveal(request.user, None),
            "teams": queries.visible_teams(request.user)[:100],
            "form": form,
            "may_create_team": regions.exists(),
            "palette": _palette(),
        },
        status=400 if request.method == "POST" else (403 if refused else 200),
    )


def masked(v) -> tuple[str, str]:
    return mask_name(v.name), mask_mobile(v.phone)


@login_required
@require_POST
def desk_act(request, pk):
    v = queries.visible_volunteers(request.user).filter(pk=pk).first()
    if v is None:
        raise Http404
    approve = request.POST.get("action") == "approve"
    try:
        services.do_review(
            actor=request.user, volunteer=v, approve=approve, reason=request.POST.get("reason", "")
        )
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request, _("Registration approved.") if approve else _("Registration not accepted.")
        )
    return redirect("community:volunteer_desk")


@login_required
def team(request, pk):
    t = queries.visible_teams(request.user).filter(pk=pk).first()
    if t is None:
        raise Http404
    manage = services.is_leader(request.user, t) or members.is_committee(
        request.user, t.region_path
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "add" and manage:
                v = Volunteer.objects.filter(pk=request.POST.get("volunteer") or 0).first()
                if v is None:
                    raise Http404
                services.do_add_member(actor=request.user, team=t, volunteer=v)
                messages.success(request, _("Added to the team."))
            elif request.POST.get("action") == "ask":
                services.do_ask_to_join(user=request.user, team=t)
                messages.success(request, _("Your request was sent to the team's leader."))
            else:
                raise PermissionDenied
        except ServiceError as e:
            messages.error(request, e.message)
        return redirect("community:volunteer_team", t.pk)
    member_rows = t.members.select_related("volunteer").order_by("volunteer__name")
    candidates = []
    if manage:
        candidates = Volunteer.objects.filter(
            region_id=t.region_id, state=VolunteerState.APPROVED
        ).exclude(pk__in=t.members.values("volunteer_id"))
    mine = services.volunteer_of(request.user)
    return render(
        request,
        "community/volunteers/team.html",
        {
            "t": t,
            "manage": manage,
            "members": member_rows,
            "candidates": candidates,
            "asked": request.GET.get("add") or "",
            "may_ask": mine is not None
            and mine.region_id == t.region_id
            and not t.members.filter(volunteer=mine).exists(),
            "shifts": t.shifts.filter(state=ShiftState.OPEN).order_by("starts_at")[:20],
            "palette": _palette(),
        },
    )


def _period(request):
    def day(name):
        try:
            return dt.date.fromisoformat(request.GET.get(name) or "")
        except ValueError:
            return None

    return day("from"), day("to")


def _pdf(volunteer, request) -> HttpResponse:
    start, end = _period(request)
    pdf, number = printing.certificate(volunteer, start, end)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def certificate(request):
    v = Volunteer.objects.select_related("region").filter(user=request.user).first()
    if v is None:
        raise Http404
    return _pdf(v, request)


@login_required
@require_GET
def certificate_for(request, pk):
    everything, paths = services.staff_area(request.user)
    v = queries.visible_volunteers(request.user).filter(pk=pk).first()
    if v is None or not (everything or paths):
        raise Http404
    return _pdf(v, request)
