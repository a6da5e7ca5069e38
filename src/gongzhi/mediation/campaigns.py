"""Screening rounds (排查): a township or county sets a round over the grids of its area; each
grid's worker answers for their grid — the disputes found, or a zero report (零报告) — by
the deadline; the grids that have not answered by then are listed and their workers told.

Rules kept here, so pages, the API and the scheduler agree:

* A grid has answered when its worker filed a report, or when a dispute was registered in
  the round for it (``services.DisputeIn(campaign_id=…, grid_id=…)``): a registered
  dispute is itself an answer.
* A grid's disputes found are the larger of the number its worker gave and the disputes
  registered in the round for it: the registered ones are the found ones written up, not
  more of them.
* One report per grid (the model's unique constraint): a second report from the grid's
  worker corrects the first — the number, the note and who reported change, the time of
  the first answer stays, so a correction after the deadline does not make a grid late.
* ``remind_late`` tells the workers of the late grids once per round: it claims the round
  by setting ``Campaign.reminded_at`` in a conditional UPDATE, so two schedulers running
  at once remind once. A grid still silent after that reminder is listed as late on the
  round's page, not reminded again. Rounds more than ``REMIND_WINDOW`` past their
  deadline are not reminded at all (an old round loaded late would only make noise).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Min, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Membership, Organisation, OrganisationKind, Role
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.core.scope import scope_for
from gongzhi.notify import services as notify
from gongzhi.regions.models import Grid, GridAssignment, Region

from . import queries
from .models import Campaign, Dispute, GridReport

# Who sets a round: the staff of a township's or a county's governing and mediating units.
ORGANISER_KINDS = (
    OrganisationKind.TOWNSHIP,
    OrganisationKind.JUSTICE_OFFICE,
    OrganisationKind.COMMAND_CENTRE,
)
ORGANISER_ROLES = (Role.LEADER, Role.DISPATCHER, Role.MEDIATOR)
MAX_FOUND = 1000  # a grid's count above this is a typing error, not a screening result
REMIND_WINDOW = dt.timedelta(days=30)


# -- setting a round -----------------------------------------------------------------------


def _ancestor_paths(path: str) -> list[str]:
    """The paths from the root down to ``path``: /a/b/ gives /a/ and /a/b/."""
    codes = [c for c in path.strip("/").split("/") if c]
    return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


def organiser_for(*, actor, region: Region) -> Organisation | None:
    """The unit on whose behalf ``actor`` may set a round over ``region``: the nearest
    township office, justice office or command centre in which they lead, dispatch or
    mediate and which serves the region or a place above it. None: they may not."""
    above = _ancestor_paths(region.path)
    units = Organisation.objects.filter(
        is_active=True, kind__in=ORGANISER_KINDS, regions__path__in=above
    )
    if not scope_for(actor).everything:
        mine = Membership.objects.filter(user=actor, role__in=ORGANISER_ROLES)
        units = units.filter(pk__in=mine.values("organisation_id"))
    # The nearest: the unit that serves the deepest of the region's ancestors.
    served = [(pk, path) for pk, path in units.values_list("pk", "regions__path") if path in above]
    best = max(served, key=lambda row: len(row[1]), default=None)
    return Organisation.objects.get(pk=best[0]) if best else None


def _date(value, field: str, message: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ServiceError("invalid", message, field) from None


def _moment(value, field: str, message: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):  # a day alone: reports are due by its end
        moment = dt.datetime.combine(value, dt.time(23, 59, 59))
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value or "").strip())
        except ValueError:
            raise ServiceError("invalid", message, field) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _region(region) -> Region | None:
    if isinstance(region, Region):
        return region
    try:
        return Region.objects.only("id", "path", "name", "level").filter(pk=int(region)).first()
    except (TypeError, ValueError):
        return None


def check_create_campaign(*, actor, title, region, starts_on, due_at, now=None) -> dict:
    """The round's fields once they are sound and the actor may set it; raises
    ServiceError (NotAllowed when the actor may not set a round over that area)."""
    now = now or timezone.now()
    title = (title or "").strip()
    if not 2 <= len(title) <= 100:
        raise ServiceError("required", _("Give the screening round a title."), "title")
    place = _region(region)
    if place is None:
        raise ServiceError("required", _("Choose the area of the round."), "region")
    starts = _date(starts_on, "starts_on", _("Give the day the round starts."))
    due = _moment(due_at, "due_at", _("Give the deadline for the grids' reports."))
    if timezone.localdate(due) < starts:
        raise ServiceError(
            "invalid", _("The deadline must not be before the round starts."), "due_at"
        )
    if due <= now:
        raise ServiceError("in_past", _("The deadline has already passed."), "due_at")
    organiser = organiser_for(actor=actor, region=place)
    if organiser is None:
        raise NotAllowed(
            "not_permitted",
            _("Only township or county staff may set a screening round over their own area."),
            "region",
        )
    if not Grid.objects.filter(is_active=True, region_path__startswith=place.path).exists():
        raise ServiceError("no_grids", _("There are no grids in that area."), "region")
    return {
        "title": title,
        "region": place,
        "organiser": organiser,
        "starts_on": starts,
        "due_at": due,
    }


def do_create_campaign(
    *, actor, title, region, starts_on, due_at, now=None, tell: bool = True
) -> Campaign:
    """Set a round and tell the workers of its grids that it has begun. ``now`` is the
    moment it is set (checked against the deadline); ``tell=False`` tells nobody (a
    history replayed: the demo's rounds long past)."""
    fields = check_create_campaign(
        actor=actor, title=title, region=region, starts_on=starts_on, due_at=due_at, now=now
    )
    with transaction.atomic():
        campaign = Campaign.objects.create(**fields, created_by=actor)
        if not tell:
            return campaign
        local_due = timezone.localtime(campaign.due_at)
        notify.notify_each(
            [
                notify.Item(
                    recipients=workers_of(campaign),
                    kind="campaign.new",
                    title=_("Screening round “%(title)s”: report for your grid by %(due)s")
                    % {"title": campaign.title, "due": f"{local_due:%Y-%m-%d %H:%M}"},
                    body=_("File the disputes you find, or a zero report if there are none."),
                    link=campaign_link(campaign),
                    data={"campaign": campaign.pk},
                )
            ]
        )
    return campaign


# -- the round's grids ---------------------------------------------------------------------


def _area_path(campaign: Campaign) -> str:
    # Only the path: a region row also carries its whole boundary.
    path = getattr(campaign, "_area_path", None)
    if path is None:
        path = Region.objects.filter(pk=campaign.region_id).values_list("path", flat=True)[0]
        campaign._area_path = path
    return path


def grids_of(campaign: Campaign):
    """The active grids in the round's area (its region and everything below it)."""
    return Grid.objects.filter(is_active=True, region_path__startswith=_area_path(campaign))


def workers_of(campaign: Campaign):
    """The active workers of the round's grids."""
    return (
        get_user_model()
        .objects.filter(is_active=True, grid_assignments__grid__in=grids_of(campaign))
        .distinct()
    )


def campaign_link(campaign: Campaign) -> str:
    try:
        return reverse("mediation:campaign", args=[campaign.pk])
    except NoReverseMatch:  # the pages are not mounted (a deployment without them)
        return ""


def visible_campaigns(user):
    """The rounds a user sees: those over places in their area, those their units set, and
    those covering a place they serve (a grid worker sees the rounds over their grid)."""
    scope = scope_for(user)
    if scope.everything:
        return Campaign.objects.all()
    if scope.nothing:
        return Campaign.objects.none()
    condition = Q(pk__in=[])
    for path in scope.region_paths:
        condition |= Q(region__path__startswith=path) | Q(region__path__in=_ancestor_paths(path))
    for path in scope.organisation_paths:
        condition |= Q(organiser__path__startswith=path)
    return Campaign.objects.filter(condition)


def my_grids(campaign: Campaign, user):
    """The grids of the round this person answers for."""
    return grids_of(campaign).filter(assignments__user=user).distinct()


# -- a grid's answer -----------------------------------------------------------------------


def _registered(campaign: Campaign, grid_ids=None) -> dict[int | None, tuple[int, object]]:
    """Disputes registered in the round by grid (None: without a grid): (how many, when
    the first was registered)."""
    disputes = Dispute.objects.filter(campaign=campaign)
    if grid_ids is not None:
        disputes = disputes.filter(grid_id__in=grid_ids)
    rows = disputes.values_list("grid_id").annotate(n=Count("pk"), first=Min("created_at"))
    return {grid: (n, first) for grid, n, first in rows.order_by()}


def check_grid_report(*, actor, campaign: Campaign, grid: Grid, found=0, note="", now=None):
    now = now or timezone.now()
    if actor is None or not GridAssignment.objects.filter(grid=grid, user=actor).exists():
        raise NotAllowed(
            "not_permitted", _("Only the grid's own worker may report for it."), "grid"
        )
    if not grids_of(campaign).filter(pk=grid.pk).exists():
        raise ServiceError("not_in_round", _("That grid is not in this screening round."), "grid")
    if campaign.starts_on > timezone.localdate(now):
        raise ServiceError("not_started", _("The screening round has not started yet."), "grid")
    try:
        found = int(found if found not in (None, "") else 0)
    except (TypeError, ValueError):
        found = -1
    if not 0 <= found <= MAX_FOUND:
        raise ServiceError("invalid", _("Give the number of disputes found (0 if none)."), "found")
    registered, _first = _registered(campaign, [grid.pk]).get(grid.pk, (0, None))
    if found < registered:
        raise ServiceError(
            "fewer_than_registered",
            _(
                "%(n)d disputes were already registered for this grid in this round: "
                "the number found cannot be smaller."
            )
            % {"n": registered},
            "found",
        )
    note = (note or "").strip()
    if len(note) > 2000:
        raise ServiceError("too_long", _("The note is too long."), "note")
    return found, note


def do_grid_report(*, actor, campaign: Campaign, grid: Grid, found=0, note="", now=None):
    """The worker's answer for their grid: how many disputes were found (0: a zero report).
    A second answer corrects the first (see the module's rules)."""
    found, note = check_grid_report(
        actor=actor, campaign=campaign, grid=grid, found=found, note=note, now=now
    )
    report, _created = GridReport.objects.update_or_create(
        campaign=campaign,
        grid=grid,
        defaults={"found": found, "note": note, "reported_by": actor},
    )
    return report


# -- who is late, and telling them ---------------------------------------------------------


def _answered(campaign: Campaign) -> set[int]:
    reported = set(GridReport.objects.filter(campaign=campaign).values_list("grid_id", flat=True))
    return reported | {g for g in _registered(campaign) if g is not None}


def late_grids(campaign: Campaign, now=None):
    """The round's grids with no answer once the deadline has passed (none before it)."""
    now = now or timezone.now()
    if now <= campaign.due_at:
        return Grid.objects.none()
    return grids_of(campaign).exclude(pk__in=_answered(campaign))


def remind_late(*, now=None) -> int:
    """Tell the workers of each late grid, once per round; the number of people told."""
    now = now or timezone.now()
    due = Campaign.objects.filter(
        reminded_at__isnull=True, due_at__lt=now, due_at__gte=now - REMIND_WINDOW
    ).values_list("pk", flat=True)
    told = 0
    for pk in list(due):
        with transaction.atomic():
            # The claim: of two schedulers, the second finds the round already reminded.
            if not Campaign.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            told += _remind(Campaign.objects.get(pk=pk), now)
    return told


def _remind(campaign: Campaign, now) -> int:
    late = late_grids(campaign, now).values_list("pk", "name")
    names = dict(late)
    by_worker: dict[int, list[str]] = {}
    for user_id, grid_id in GridAssignment.objects.filter(
        grid_id__in=names, user__is_active=True
    ).values_list("user_id", "grid_id"):
        by_worker.setdefault(user_id, []).append(names[grid_id])
    title = _("Screening round “%(title)s”: your grid has not reported") % {"title": campaign.title}
    notify.notify_each(
        [
            notify.Item(
                recipients=[user_id],
                kind="campaign.late",
                title=title,
                body=_("Reports were due by %(due)s. Not yet reported: %(grids)s.")
                % {
                    "due": f"{timezone.localtime(campaign.due_at):%Y-%m-%d %H:%M}",
                    "grids": "、".join(sorted(grids)),
                },
                link=campaign_link(campaign),
                data={"campaign": campaign.pk},
            )
            for user_id, grids in sorted(by_worker.items())
        ]
    )
    return len(by_worker)


# -- figures for the round's page ----------------------------------------------------------


def grid_rows(campaign: Campaign, now=None) -> list[dict]:
    """One row per grid of the round: its answer, the disputes found, and whether it is
    late. A fixed number of queries whatever the number of grids (``queries``
    which reads a page of rounds the same way)."""
    return queries.rounds_grid_rows([campaign], now)[campaign.pk]


def progress(campaign: Campaign, now=None) -> dict:
    """The round's figures: grids in it, answered, zero reports, disputes found (with those
    registered in the round without a grid), and grids late once the deadline passed."""
    return queries.rounds_progress([campaign], now)[campaign.pk]["figures"]
