"""排查: the screening rounds a user may see with their progress, a new round set by township or
county staff, and a round's page — its figures, its grids (late ones marked), and for a grid
worker their own grids with a one-tap zero report (零报告) or the number found.

The rules (who may set a round over what, who answers for a grid, when a grid is late) are
``mediation.campaigns``'s; these views parse, call it and render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts.models import Membership
from gongzhi.core.errors import ServiceError
from gongzhi.core.scope import scope_for
from gongzhi.regions.models import Grid, GridAssignment

from .. import campaigns, queries
from ..forms import CampaignFilterForm, CampaignForm, GridReportForm
from ..models import Campaign, Dispute
from .common import REGISTER_ROLES, ROW_RELATED, page, require

# Who takes part in rounds: grid workers answer, mediators, dispatchers and leaders watch.
CAMPAIGN_ROLES = REGISTER_ROLES
PER_PAGE = 20
LIST_LIMIT = 100
GRID_SHOWS = {"late", "missing"}
FORM_FIELDS = ("title", "region", "starts_on", "due_at")


def may_set_rounds(user) -> bool:
    """Whether the user leads, dispatches or mediates in a township office, a justice office
    or a command centre: only they may set a round (over which area, ``campaigns`` says)."""
    if scope_for(user).everything:
        return True
    return Membership.objects.filter(
        user=user,
        role__in=campaigns.ORGANISER_ROLES,
        organisation__kind__in=campaigns.ORGANISER_KINDS,
        organisation__is_active=True,
    ).exists()


@login_required
@require_GET
def campaign_list(request):
    require(request, CAMPAIGN_ROLES)
    user, now = request.user, timezone.now()
    form = CampaignFilterForm(request.GET)
    rounds = (
        form.apply(campaigns.visible_campaigns(user), now)
        .select_related("organiser")
        .annotate(area_name=F("region__name"), area_path=F("region__path"))
        .order_by("-created_at", "-id")
    )
    listed = Paginator(rounds, PER_PAGE)
    current = listed.get_page(request.GET.get("page"))
    mine = set(GridAssignment.objects.filter(user=user).values_list("grid_id", flat=True))
    # The whole page's figures at once; a grid worker also sees their grids still to answer.
    progress = queries.rounds_progress(current.object_list, now, grids_of_worker=mine)
    rows = [
        {"campaign": c, **progress[c.pk], "past_due": c.due_at < now} for c in current.object_list
    ]
    return page(
        request,
        "mediation/campaign_list.html",
        {
            "form": form,
            "page": current,
            "rows": rows,
            "total": listed.count,
            "is_worker": bool(mine),
            "may_create": may_set_rounds(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request):
    require(request, CAMPAIGN_ROLES)
    if not may_set_rounds(request.user):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = CampaignForm(request.POST, viewer=request.user)
        if form.is_valid():
            try:
                campaign = campaigns.do_create_campaign(actor=request.user, **form.campaign_args())
            except ServiceError as error:
                form.add_error(error.field if error.field in FORM_FIELDS else None, error.message)
                status = error.status
            else:
                messages.success(
                    request,
                    _("Screening round “%(title)s” set: the grid workers have been told.")
                    % {"title": campaign.title},
                )
                return redirect(reverse("mediation:campaign", args=[campaign.pk]))
        else:
            status = 400
    else:
        form = CampaignForm(viewer=request.user)
    return page(
        request,
        "mediation/campaign_new.html",
        {"form": form, "has_errors": status != 200},
        status=status,
    )


def _campaign_or_404(user, pk) -> Campaign:
    return get_object_or_404(
        campaigns.visible_campaigns(user)
        .select_related("organiser", "created_by")
        .annotate(area_name=F("region__name")),
        pk=pk,
    )


def _workers(grid_ids) -> dict[int, list[str]]:
    """The names (masked) of each grid's active workers."""
    names: dict[int, list[str]] = {}
    assignments = (
        GridAssignment.objects.filter(grid_id__in=grid_ids, user__is_active=True)
        .select_related("user")
        .order_by("grid_id", "user__display_name", "user_id")
    )
    for a in assignments:
        names.setdefault(a.grid_id, []).append(a.user.masked_name)
    return names


def _context(request, campaign, *, error=None, error_grid=None, posted=None) -> dict:
    user, now = request.user, timezone.now()
    rows = campaigns.grid_rows(campaign, now)
    workers = _workers([r["grid_id"] for r in rows])
    for r in rows:
        r["workers"] = workers.get(r["grid_id"], [])
    by_grid = {r["grid_id"]: r for r in rows}
    mine = [by_grid[g.pk] for g in campaigns.my_grids(campaign, user) if g.pk in by_grid]
    show = request.GET.get("show") if request.GET.get("show") in GRID_SHOWS else ""
    shown = [
        r
        for r in rows
        if not show or (show == "late" and r["late"]) or (show == "missing" and not r["reported"])
    ]
    disputes = queries.table_rows(
        Dispute.objects.visible_to(user)
        .filter(campaign=campaign)
        .select_related(*ROW_RELATED)
        .defer("region__boundary")
        .order_by("-created_at", "-id")[:LIST_LIMIT],
        now,
    )
    return {
        "campaign": campaign,
        "figures": campaigns.progress(campaign, now),
        "rows": shown,
        "show": show,
        "mine": mine,
        "started": campaign.starts_on <= timezone.localdate(now),
        "past_due": campaign.due_at < now,
        "disputes": disputes,
        "error": error,
        "error_grid": error_grid,
        "posted": posted or {},
    }


@login_required
@require_GET
def campaign_detail(request, pk):
    require(request, CAMPAIGN_ROLES)
    campaign = _campaign_or_404(request.user, pk)
    return page(request, "mediation/campaign_detail.html", _context(request, campaign))


@login_required
@require_POST
def campaign_report(request, pk):
    """A grid worker's answer for one of their grids: found N, or 0 (零报告)."""
    require(request, CAMPAIGN_ROLES)
    campaign = _campaign_or_404(request.user, pk)
    values = GridReportForm(request.POST).values()
    grid = Grid.objects.filter(pk=values["grid"]).first() if values["grid"] else None
    try:
        if grid is None:
            raise ServiceError("invalid", _("Choose one of your grids."), "grid")
        report = campaigns.do_grid_report(
            actor=request.user,
            campaign=campaign,
            grid=grid,
            found=values["found"],
            note=values["note"],
        )
    except ServiceError as error:
        context = _context(
            request, campaign, error=error, error_grid=values["grid"], posted=request.POST
        )
        return page(request, "mediation/campaign_detail.html", context, status=error.status)
    if report.found:
        text = ngettext(
            "%(grid)s: %(n)d dispute found, reported.",
            "%(grid)s: %(n)d disputes found, reported.",
            report.found,
        ) % {"grid": grid.name, "n": report.found}
    else:
        text = _("%(grid)s: zero report filed.") % {"grid": grid.name}
    messages.success(request, text)
    return redirect(reverse("mediation:campaign", args=[campaign.pk]))
