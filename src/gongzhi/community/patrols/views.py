"""The patrols pages: thin, each parses its input, calls one service and renders."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core import media, push
from gongzhi.core.errors import NotFound, ServiceError
from gongzhi.core.media import request_limit
from gongzhi.core.scope import scope_for
from gongzhi.people.members import committee_paths
from gongzhi.regions.models import Region
from gongzhi.taxonomy.models import Category

from ..choices import PatrolState
from ..models import Checkpoint, Patrol, Team
from . import codes, queries, services
from .forms import CheckpointForm, ProblemForm, RouteForm, ScanForm
from .sheet import route_sheet_pdf


def _route(request, pk):
    try:
        return services.get_route(actor=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


def _patrol(request, pk):
    try:
        return services.get_patrol(actor=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


def _choices_for(user):
    """Where the user may put a route: their committee's places, their led teams'."""
    paths = committee_paths(scope_for(user))
    regions = Region.objects.filter(path__in=paths)
    teams = Team.objects.filter(enabled=True).filter(leader=user)
    for path in paths:
        teams |= Team.objects.filter(enabled=True, region_path__startswith=path)
    led = Region.objects.filter(pk__in=teams.values("region_id"))
    return (regions | led).distinct().order_by("path"), teams.distinct().order_by("name")


@login_required
@require_GET
def routes(request):
    user = request.user
    rows = list(
        queries.routes(user).select_related("team", "region").order_by("region_path", "name")
    )
    for route in rows:
        route.may_walk = services.may_walk(user, route)
    mine = list(
        Patrol.objects.filter(walker=user).select_related("route").order_by("-started_at")[:10]
    )
    regions, _teams = _choices_for(user)
    return render(
        request,
        "community/patrols/routes.html",
        {
            "routes": rows,
            "mine": mine,
            "may_create": regions.exists(),
            "leads": queries.leads(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def route_new(request):
    regions, teams = _choices_for(request.user)
    if not regions.exists():
        raise Http404
    form = RouteForm(request.POST or None, regions=regions, teams=teams)
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            route = services.do_create_route(
                actor=request.user,
                region=regions.get(pk=data["region"]),
                name=data["name"],
                team=teams.filter(pk=data["team"]).first() if data["team"] else None,
                in_order=data["in_order"],
                radius_m=data["radius_m"],
            )
        except ServiceError as e:
            error = e
        else:
            messages.success(
                request, _("The route was created: now add its checkpoints on the map.")
            )
            return redirect("community:patrol_route", route.pk)
    return render(
        request,
        "community/patrols/route_new.html",
        {"form": form, "error": error},
        status=error.status if error else 200,
    )


def _route_context(request, route, **extra):
    checkpoints = list(route.checkpoints.filter(enabled=True).order_by("order"))
    return {
        "route": route,
        "checkpoints": checkpoints,
        "points": [
            {"order": c.order, "name": c.name, "lng": c.lng, "lat": c.lat} for c in checkpoints
        ],
        "keeps": services.keeps(request.user, route),
        "may_walk": services.may_walk(request.user, route),
        "form": CheckpointForm(),
        **extra,
    }


@login_required
@require_GET
def route(request, pk):
    return render(
        request, "community/patrols/route.html", _route_context(request, _route(request, pk))
    )


@login_required
@require_POST
def checkpoint_add(request, pk):
    route = _route(request, pk)
    form = CheckpointForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(
                "invalid", _("Give the checkpoint a name and tap its place on the map."), "name"
            )
        services.do_add_checkpoint(actor=request.user, route=route, **form.cleaned_data)
    except ServiceError as e:
        messages.error(request, e.message)
    return redirect("community:patrol_route", route.pk)


@login_required
@require_POST
def route_reprint(request, pk):
    route = _route(request, pk)
    try:
        services.do_reprint(actor=request.user, route=route)
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request, _("New codes were made: print the sheet again; the old codes no longer work.")
        )
    return redirect("community:patrol_route", route.pk)


@login_required
@require_GET
def route_sheet(request, pk):
    route = _route(request, pk)
    if not services.keeps(request.user, route):
        raise Http404
    pdf = route_sheet_pdf(route, request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="route-{route.pk}-qr.pdf"'
    return response


@login_required
@require_POST
def patrol_start(request, pk):
    route = _route(request, pk)
    try:
        patrol = services.do_start(actor=request.user, route=route)
    except ServiceError as e:
        messages.error(request, e.message)
        return redirect("community:patrol_route", route.pk)
    return redirect("community:patrol", patrol.pk)


def _categories():
    return Category.objects.filter(enabled=True, children=None).order_by("path")[:200]


def _patrol_context(request, patrol, **extra):
    scans = {s.checkpoint_id: s for s in patrol.scans.select_related("case")}
    checkpoints = list(patrol.route.checkpoints.filter(enabled=True).order_by("order"))
    for c in checkpoints:
        c.scan = scans.get(c.pk)
    done = len(scans)
    return {
        "patrol": patrol,
        "route": patrol.route,
        "checkpoints": checkpoints,
        "progress": round(100 * done / patrol.checkpoints) if patrol.checkpoints else 0,
        "mine": patrol.walker_id == request.user.pk,
        "walking": patrol.state == PatrolState.WALKING,
        "problem_form": ProblemForm(categories=_categories(), initial={"key": uuid.uuid4().hex}),
        "scan_form": ScanForm(),
        **extra,
    }


@login_required
@require_GET
def patrol(request, pk):
    return render(
        request, "community/patrols/patrol.html", _patrol_context(request, _patrol(request, pk))
    )


@login_required
@require_POST
def patrol_scan(request, pk):
    """A scan from the patrol page (the camera's or a typed code): answers the progress
    fragment with a message; htmx swaps it in."""
    patrol = _patrol(request, pk)
    form = ScanForm(request.POST)
    result, status = None, 200
    try:
        if not form.is_valid():
            raise ServiceError("required", _("Scan a checkpoint's code or type it."), "code")
        data = form.cleaned_data
        scan = services.do_scan(
            actor=request.user,
            patrol=patrol,
            code=data["code"],
            lng=data["lng"],
            lat=data["lat"],
            accuracy=data["accuracy"],
        )
    except ServiceError as e:
        result, status = {"error": e.message, "code": e.code}, e.status
    else:
        result = {"scan": scan}
    patrol.refresh_from_db()
    context = _patrol_context(request, patrol, result=result)
    # htmx swaps a 200 only: the refusal is shown in the same fragment.
    response = render(request, "community/patrols/_progress.html", context)
    response["X-Scan-Status"] = str(status)
    return response


@login_required
@require_POST
def patrol_finish(request, pk):
    patrol = _patrol(request, pk)
    try:
        patrol = services.do_finish(actor=request.user, patrol=patrol)
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        if patrol.missed:
            messages.warning(
                request, _("Patrol finished with %(n)d checkpoints missed.") % {"n": patrol.missed}
            )
        else:
            messages.success(request, _("Patrol finished: every checkpoint was scanned."))
    return redirect("community:patrol", patrol.pk)


@request_limit(media.MAX_PHOTOS * media.MAX_BYTES + 1024 * 1024)
@login_required
@require_POST
def patrol_problem(request, pk):
    patrol = _patrol(request, pk)
    form = ProblemForm(request.POST, categories=_categories())
    try:
        if not form.is_valid():
            raise ServiceError(
                "required", _("Describe the problem and choose its kind."), "description"
            )
        case = services.do_report_problem(
            actor=request.user,
            patrol=patrol,
            description=form.cleaned_data["description"],
            category_id=form.cleaned_data["category"],
            photos=form.photos(request.FILES),
            idempotency_key=form.cleaned_data["key"] or None,
        )
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Reported as case %(number)s.") % {"number": case.number})
    return redirect("community:patrol", patrol.pk)


@login_required
@require_GET
def code(request, token):
    """What a phone's own camera app opens from a sheet: the checkpoint, and the way to
    record it on the walker's patrol of that route under way."""
    found = codes.read(token)
    checkpoint = (
        found and Checkpoint.objects.select_related("route").filter(pk=found.checkpoint_id).first()
    )
    walking = None
    if checkpoint is not None:
        walking = Patrol.objects.filter(
            walker=request.user, route_id=found.route_id, state=PatrolState.WALKING
        ).first()
    return render(
        request,
        "community/patrols/code.html",
        {"checkpoint": checkpoint, "walking": walking, "token": token, "valid": bool(checkpoint)},
        status=200 if checkpoint else 400,
    )


def _board_day(request) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return timezone.localdate()


def _board_context(request):
    day = _board_day(request)
    rows = list(queries.live(request.user, day))
    return {
        "day": day,
        "patrols": rows,
        "points": [
            {
                "patrol": p.pk,
                "route": p.route.name,
                "walker": getattr(p.walker, "display_name", "") if p.walker else "",
                "state": p.state,
                "scans": [
                    {
                        "name": s.checkpoint.name,
                        "lng": s.lng,
                        "lat": s.lat,
                        "flag": s.too_far or s.out_of_order or s.no_position,
                    }
                    for s in p.scans.all()
                    if s.lng is not None
                ],
            }
            for p in rows
        ],
    }


@login_required
@require_GET
def board(request):
    if not queries.leads(request.user):
        raise Http404
    # Read before the board: a scan made while it is drawn is pushed again, not lost.
    after = push.newest_id()
    return render(
        request, "community/patrols/board.html", {**_board_context(request), "push_after": after}
    )


@login_required
@require_GET
def board_live(request):
    if not queries.leads(request.user):
        raise Http404
    return render(request, "community/patrols/_board.html", _board_context(request))


@login_required
@require_GET
def month(request):
    if not queries.leads(request.user):
        raise Http404
    today = timezone.localdate()
    try:
        year, month_no = (int(x) for x in request.GET.get("month", "").split("-"))
        dt.date(year, month_no, 1)
    except ValueError:
        year, month_no = today.year, today.month
    return render(
        request,
        "community/patrols/month.html",
        {"rows": queries.month(request.user, year, month_no), "month": dt.date(year, month_no, 1)},
    )
