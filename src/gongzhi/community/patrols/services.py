"""The patrols room's services: routes and checkpoints, walking a patrol, reporting a
problem seen on it. ``check_*`` validates and checks access, ``do_*`` writes; every error is
a ``ServiceError`` raised before anything is written.

Who may do what:
- a route is kept by the committee staff of its community or village, or by its team's
  leader;
- a patrol is walked by an approved volunteer of the route's team, its leader or the staff;
- only the walker scans, finishes and reports on their own patrol.
"""

from __future__ import annotations

import math

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.cases.choices import Channel
from gongzhi.core.errors import Conflict, NotAllowed, NotFound, ServiceError
from gongzhi.people.members import is_committee
from gongzhi.regions.models import Region

from ..choices import PatrolState, VolunteerState
from ..models import Checkpoint, Patrol, Route, Scan, Team, TeamMember
from . import codes, live
from .geo import haversine_m

# A patrol still walking this long after it started is closed as abandoned by the tick.
ABANDON_AFTER_HOURS = 6
MAX_RADIUS_M = 5000


# -- who -------------------------------------------------------------------------------


def keeps(user, route) -> bool:
    """The committee staff of the route's place, or its team's leader."""
    if not user.is_authenticated:
        return False
    if route.team_id and route.team.leader_id == user.pk:
        return True
    return is_committee(user, route.region_path)


def may_walk(user, route) -> bool:
    if keeps(user, route):
        return True
    if not route.team_id or not user.is_authenticated:
        return False
    return TeamMember.objects.filter(
        team_id=route.team_id, volunteer__user=user, volunteer__state=VolunteerState.APPROVED
    ).exists()


# -- routes and checkpoints ----------------------------------------------------------------


def _check_text(value, field, *, most=100) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError("required", _("Please enter a name."), field)
    if len(value) > most:
        raise ServiceError("too_long", _("The name is too long."), field)
    return value


def _check_point(lng, lat, field="location") -> tuple[float, float]:
    try:
        lng, lat = float(lng), float(lat)
    except (TypeError, ValueError):
        raise ServiceError(
            "invalid_location", _("The place is not a valid point."), field
        ) from None
    if not (math.isfinite(lng) and math.isfinite(lat) and -180 <= lng <= 180 and -90 <= lat <= 90):
        raise ServiceError("invalid_location", _("The place is not a valid point."), field)
    return lng, lat


def check_route(*, actor, region: Region, name, team: Team | None, radius_m) -> dict:
    if not is_committee(actor, region.path) and not (team and team.leader_id == actor.pk):
        raise NotAllowed(
            "not_allowed", _("Only the committee or the team's leader keeps its routes.")
        )
    if team is not None and not team.region_path.startswith(region.path):
        raise ServiceError("invalid_team", _("This team is not of this place."), "team")
    try:
        radius_m = int(radius_m)
    except (TypeError, ValueError):
        radius_m = -1
    if not 5 <= radius_m <= MAX_RADIUS_M:
        raise ServiceError(
            "invalid_radius",
            _("The allowed distance must be between 5 and %(most)d metres.")
            % {"most": MAX_RADIUS_M},
            "radius_m",
        )
    return {"name": _check_text(name, "name"), "radius_m": radius_m}


def do_create_route(
    *, actor, region: Region, name, team=None, in_order=True, radius_m=100, now=None
) -> Route:
    data = check_route(actor=actor, region=region, name=name, team=team, radius_m=radius_m)
    route = Route(region=region, team=team, in_order=bool(in_order), **data)
    if now:
        route.created_at = now
    route.save()
    return route


def do_update_route(*, actor, route: Route, name, team=None, in_order=True, radius_m=100, now=None):
    if not keeps(actor, route):
        raise NotAllowed(
            "not_allowed", _("Only the committee or the team's leader keeps its routes.")
        )
    data = check_route(actor=actor, region=route.region, name=name, team=team, radius_m=radius_m)
    Route.objects.filter(pk=route.pk).update(team=team, in_order=bool(in_order), **data)
    route.refresh_from_db()
    return route


def do_add_checkpoint(*, actor, route: Route, name, lng, lat, now=None) -> Checkpoint:
    """A checkpoint at the end of the route (orders are kept unique by the database)."""
    if not keeps(actor, route):
        raise NotAllowed(
            "not_allowed", _("Only the committee or the team's leader keeps its routes.")
        )
    name = _check_text(name, "name")
    lng, lat = _check_point(lng, lat)
    with transaction.atomic():
        Route.objects.select_for_update().filter(pk=route.pk).first()  # one adder at a time
        last = route.checkpoints.aggregate(n=Max("order"))["n"] or 0
        return Checkpoint.objects.create(route=route, order=last + 1, name=name, lng=lng, lat=lat)


def do_reprint(*, actor, route: Route, now=None) -> int:
    """Raise every checkpoint's code version: the old sheet's codes stop working."""
    if not keeps(actor, route):
        raise NotAllowed(
            "not_allowed", _("Only the committee or the team's leader keeps its routes.")
        )
    return route.checkpoints.update(code_version=F("code_version") + 1)


# -- a patrol --------------------------------------------------------------------------------


def check_start(*, actor, route: Route) -> int:
    if not route.enabled:
        raise ServiceError("route_disabled", _("This route is no longer patrolled."))
    if not may_walk(actor, route):
        raise NotAllowed(
            "not_allowed", _("Only the route team's registered volunteers walk its patrols.")
        )
    count = route.checkpoints.filter(enabled=True).count()
    if not count:
        raise ServiceError("no_checkpoints", _("This route has no checkpoints yet."))
    return count


def do_start(*, actor, route: Route, now=None) -> Patrol:
    """Start a patrol; a walker's patrol of the route still under way is returned instead
    (a second tap on the phone does not start a second patrol)."""
    count = check_start(actor=actor, route=route)
    now = now or timezone.now()
    with transaction.atomic():
        Route.objects.select_for_update().filter(pk=route.pk).first()
        walking = Patrol.objects.filter(
            route=route, walker=actor, state=PatrolState.WALKING
        ).first()
        if walking:
            return walking
        patrol = Patrol.objects.create(
            route=route,
            region_id=route.region_id,
            region_path=route.region_path,
            walker=actor,
            started_at=now,
            checkpoints=count,
        )
        live.changed(patrol, "patrol.started")
        return patrol


def _own_walking(actor, patrol: Patrol):
    if patrol.walker_id != actor.pk:
        raise NotAllowed(
            "not_your_patrol", _("Only the volunteer walking this patrol can do this.")
        )
    if patrol.state != PatrolState.WALKING:
        raise Conflict("patrol_closed", _("This patrol is already closed."))


def check_scan(*, actor, patrol: Patrol, code: str) -> Checkpoint:
    """The checkpoint a scanned code names, or a clear refusal."""
    _own_walking(actor, patrol)
    found = codes.read(code)
    if found is None:
        raise ServiceError(
            "forged_code",
            _(
                "This QR code is not a checkpoint code of this platform: it may be forged or damaged."
            ),
            "code",
        )
    if found.route_id != patrol.route_id:
        raise ServiceError(
            "other_route", _("This code belongs to a checkpoint of another route."), "code"
        )
    try:  # get(): a pk needs no ordering (first() would sort by the model's)
        checkpoint = Checkpoint.objects.get(
            pk=found.checkpoint_id, route_id=patrol.route_id, enabled=True
        )
    except Checkpoint.DoesNotExist:
        raise ServiceError(
            "unknown_checkpoint", _("This checkpoint is no longer on the route."), "code"
        ) from None
    if found.version != checkpoint.code_version:
        raise ServiceError(
            "reprinted_code",
            _("This code was replaced when the sheet was reprinted: scan the new code."),
            "code",
        )
    return checkpoint


def flags_for(*, route: Route, checkpoint: Checkpoint, lng, lat, earlier_skipped: bool) -> dict:
    """Distance and flags of one scan (pure: the table test feeds it positions)."""
    if lng is None or lat is None:
        return {
            "distance_m": None,
            "too_far": False,
            "no_position": True,
            "out_of_order": bool(route.in_order and earlier_skipped),
        }
    distance = haversine_m(lng, lat, checkpoint.lng, checkpoint.lat)
    return {
        "distance_m": round(distance, 1),
        "too_far": distance > route.radius_m,
        "no_position": False,
        "out_of_order": bool(route.in_order and earlier_skipped),
    }


def _position(lng, lat, accuracy):
    if lng in (None, "") or lat in (None, ""):
        return None, None, None
    lng, lat = _check_point(lng, lat)
    try:
        accuracy = float(accuracy) if accuracy not in (None, "") else None
    except (TypeError, ValueError):
        accuracy = None
    if accuracy is not None and not (math.isfinite(accuracy) and accuracy >= 0):
        accuracy = None
    return lng, lat, accuracy


def _locked(actor, patrol) -> Patrol:
    """The patrol's row, locked, with its route. Given an id (from a URL) rather than a row
    already looked up, the patrol must be one ``queries.patrols`` shows the actor, or it is
    not found: its walker always sees their own, so the scoping query is only run for
    someone else's patrol (refused either way, 404 or 403 as the lookup would answer)."""
    # Only the patrol's row is locked: the route's stays free for a start or a new checkpoint.
    rows = Patrol.objects.select_for_update(of=("self",)).select_related("route")
    if isinstance(patrol, Patrol):
        return rows.get(pk=patrol.pk)
    try:
        locked = rows.get(pk=patrol)
    except Patrol.DoesNotExist:
        raise NotFound("not_found", _("No such patrol.")) from None
    if locked.walker_id is None or locked.walker_id != actor.pk:
        from . import queries

        if not queries.patrols(actor).filter(pk=locked.pk).exists():
            raise NotFound("not_found", _("No such patrol."))
    return locked


def do_scan(
    *, actor, patrol: Patrol | int, code: str, lng=None, lat=None, accuracy=None, now=None
) -> Scan:
    """Record a checkpoint's scan: kept even when flagged (too far, out of order, no
    position); a second scan of the same checkpoint on this patrol is refused. ``patrol``
    is a row already looked up in the actor's scope, or an id to look up (a scan is the
    patrols' busiest call: one locked read serves the scope, the lock and the route)."""
    now = now or timezone.now()
    by_id = not isinstance(patrol, Patrol)
    if not by_id:
        lng, lat, accuracy = _position(lng, lat, accuracy)
    with transaction.atomic():
        # The patrol's row is the lock: the order check and the counters see every scan.
        patrol = _locked(actor, patrol)
        if by_id:  # as after a lookup: a patrol not found comes before a bad position
            lng, lat, accuracy = _position(lng, lat, accuracy)
        checkpoint = check_scan(actor=actor, patrol=patrol, code=code)
        done = set(
            Scan.objects.filter(patrol_id=patrol.pk)
            .order_by()
            .values_list("checkpoint_id", flat=True)
        )
        if checkpoint.pk in done:
            raise Conflict(
                "already_scanned", _("This checkpoint was already scanned on this patrol."), "code"
            )
        # Only an ordered route asks whether an earlier checkpoint was skipped.
        skipped = (
            patrol.route.in_order
            and Checkpoint.objects.filter(
                route_id=patrol.route_id, enabled=True, order__lt=checkpoint.order
            )
            .exclude(pk__in=done)
            .order_by()
            .exists()
        )
        flags = flags_for(
            route=patrol.route, checkpoint=checkpoint, lng=lng, lat=lat, earlier_skipped=skipped
        )
        try:
            # No savepoint: behind the lock a clash is not expected; one undoes the whole step.
            with transaction.atomic(savepoint=False):
                scan = Scan.objects.create(
                    patrol=patrol,
                    checkpoint=checkpoint,
                    scanned_at=now,
                    lng=lng,
                    lat=lat,
                    accuracy_m=accuracy,
                    **flags,
                )
        except IntegrityError:
            raise Conflict(
                "already_scanned", _("This checkpoint was already scanned on this patrol."), "code"
            ) from None
        flagged = flags["too_far"] or flags["out_of_order"] or flags["no_position"]
        Patrol.objects.filter(pk=patrol.pk).update(
            scanned=F("scanned") + 1, flagged=F("flagged") + int(flagged), updated_at=now
        )
        live.changed(patrol, "patrol.scanned")
    return scan


def _close(patrol: Patrol, state: str, now) -> Patrol:
    """Close a patrol: every checkpoint not scanned is a miss."""
    missed = max(0, patrol.checkpoints - patrol.scanned)
    if Patrol.objects.filter(pk=patrol.pk, state=PatrolState.WALKING).update(
        state=state, finished_at=now, missed=missed, updated_at=now
    ):
        live.changed(patrol, "patrol.closed")
    patrol.refresh_from_db()
    return patrol


def do_finish(*, actor, patrol: Patrol, now=None) -> Patrol:
    now = now or timezone.now()
    with transaction.atomic():
        patrol = Patrol.objects.select_for_update().get(pk=patrol.pk)
        _own_walking(actor, patrol)
        return _close(patrol, PatrolState.FINISHED, now)


def do_abandon_stale(*, now=None, hours: int = ABANDON_AFTER_HOURS) -> int:
    """Close as abandoned every patrol left walking ``hours`` after it started (idempotent)."""
    now = now or timezone.now()
    closed = 0
    stale = Patrol.objects.filter(
        state=PatrolState.WALKING, started_at__lte=now - timezone.timedelta(hours=hours)
    ).values_list("pk", flat=True)
    for pk in list(stale):
        with transaction.atomic():
            patrol = Patrol.objects.select_for_update().get(pk=pk)
            if patrol.state == PatrolState.WALKING:
                _close(patrol, PatrolState.ABANDONED, now)
                closed += 1
    return closed


# -- a problem seen on patrol -------------------------------------------------------------------


def do_report_problem(
    *, actor, patrol: Patrol, description, category_id, photos=(), idempotency_key=None, now=None
):
    """A case through the case intake (channel ``patrol``) at the last scan's position; the
    last scan links it."""
    from gongzhi.cases.intake.services import Report, do_report

    if patrol.walker_id != actor.pk:
        raise NotAllowed(
            "not_your_patrol", _("Only the volunteer walking this patrol can do this.")
        )
    last = patrol.scans.exclude(lng=None).order_by("-scanned_at", "-id").first()
    anchor = last or patrol.scans.order_by("-scanned_at", "-id").first()
    if last is not None:
        lng, lat = last.lng, last.lat
    elif anchor is not None:
        lng, lat = anchor.checkpoint.lng, anchor.checkpoint.lat
    else:  # nothing scanned yet: the route's first checkpoint
        first = patrol.route.checkpoints.order_by("order").first()
        lng, lat = (first.lng, first.lat) if first else (None, None)
    where = anchor.checkpoint.name if anchor else patrol.route.name
    report = Report(
        channel=Channel.PATROL,
        description=description,
        category_id=category_id or None,
        lng=lng,
        lat=lat,
        address=f"{patrol.route.name} · {where}",
        reporter_name=getattr(actor, "display_name", "") or actor.get_username(),
        idempotency_key=idempotency_key,
    )
    case, _created = do_report(report=report, reporter=actor, photos=photos)
    if anchor is not None:
        Scan.objects.filter(pk=anchor.pk, case=None).update(case=case)
    return case


def get_patrol(*, actor, pk) -> Patrol:
    from . import queries

    patrol = (
        queries.patrols(actor)
        .select_related("route", "route__team", "walker")
        .filter(pk=pk)
        .first()
    )
    if patrol is None:
        raise NotFound("not_found", _("No such patrol."))
    return patrol


def get_route(*, actor, pk) -> Route:
    from . import queries

    route = queries.routes(actor).select_related("team", "region").filter(pk=pk).first()
    if route is None:
        raise NotFound("not_found", _("No such route."))
    return route


__all__ = [
    "ABANDON_AFTER_HOURS",
    "check_scan",
    "check_start",
    "do_abandon_stale",
    "do_add_checkpoint",
    "do_create_route",
    "do_finish",
    "do_reprint",
    "do_report_problem",
    "do_scan",
    "do_start",
    "do_update_route",
    "flags_for",
    "get_patrol",
    "get_route",
    "keeps",
    "may_walk",
]
