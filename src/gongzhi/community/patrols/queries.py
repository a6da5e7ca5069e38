"""What the patrols pages and API read, each starting from one scoping rule.

Routes and patrols are not the whole community's business: the staff of an area see its
routes and patrols; a volunteer sees the routes of their teams and their own patrols; a
team's leader sees the team's routes and every patrol walked on them.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, Sum
from django.utils import timezone

from gongzhi.core.scope import scope_for
from gongzhi.people.members import staff_paths

from ..choices import PatrolState, ShiftKind, VolunteerState
from ..models import Patrol, Route, Shift, TeamMember


def _staff(user) -> tuple[bool, tuple[str, ...]]:
    scope = scope_for(user)
    return scope.everything, tuple(staff_paths(scope))


def _under(paths, field="region_path") -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def _my_teams(user):
    return TeamMember.objects.filter(
        volunteer__user=user, volunteer__state=VolunteerState.APPROVED
    ).values("team_id")


def routes(user):
    if not user.is_authenticated:
        return Route.objects.none()
    everything, paths = _staff(user)
    if everything:
        return Route.objects.all()
    return Route.objects.filter(
        _under(paths) | Q(team__leader=user) | Q(team_id__in=_my_teams(user))
    )


def leads(user) -> bool:
    """Whether the user sees the live board: staff of an area or a team's leader."""
    if not user.is_authenticated:
        return False
    everything, paths = _staff(user)
    return everything or bool(paths) or Route.objects.filter(team__leader=user).exists()


def patrols(user):
    if not user.is_authenticated:
        return Patrol.objects.none()
    everything, paths = _staff(user)
    if everything:
        return Patrol.objects.all()
    return Patrol.objects.filter(_under(paths) | Q(route__team__leader=user) | Q(walker=user))


def board_patrols(user):
    """The patrols on the leader's board: not a volunteer's own unless they lead."""
    if not user.is_authenticated:
        return Patrol.objects.none()
    everything, paths = _staff(user)
    if everything:
        return Patrol.objects.all()
    return Patrol.objects.filter(_under(paths) | Q(route__team__leader=user))


def local_day(day: dt.date):
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def live(user, day: dt.date | None = None):
    """Today's patrols (in Asia/Shanghai) with their scans, newest first."""
    day = day or timezone.localdate()
    start, end = local_day(day)
    return (
        board_patrols(user)
        .filter(started_at__gte=start, started_at__lt=end)
        .select_related("route", "walker")
        .prefetch_related("scans__checkpoint")
        .order_by("-started_at", "-id")
    )


def month(user, year: int, month_no: int) -> list[dict]:
    """Each visible route's month: patrols done / planned patrol shifts of its team,
    checkpoints scanned / due, misses and flagged scans."""
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, month_no, 1, tzinfo=tz)
    end = dt.datetime(year + (month_no == 12), month_no % 12 + 1, 1, tzinfo=tz)
    visible = board_routes(user)
    done = {
        row["route_id"]: row
        for row in Patrol.objects.filter(
            route__in=visible,
            started_at__gte=start,
            started_at__lt=end,
            state__in=[PatrolState.FINISHED, PatrolState.ABANDONED],
        )
        .values("route_id")
        .annotate(
            patrols=Count("id"),
            finished=Count("id", filter=Q(state=PatrolState.FINISHED)),
            due=Sum("checkpoints"),
            scanned=Sum("scanned"),
            missed=Sum("missed"),
            flagged=Sum("flagged"),
        )
    }
    planned = dict(
        Shift.objects.filter(kind=ShiftKind.PATROL, starts_at__gte=start, starts_at__lt=end)
        .values("team_id")
        .annotate(n=Count("id"))
        .values_list("team_id", "n")
    )
    out = []
    for route in visible.select_related("team").order_by("region_path", "name", "id"):
        row = done.get(route.pk, {})
        due, scanned = row.get("due") or 0, row.get("scanned") or 0
        shifts = planned.get(route.team_id, 0) if route.team_id else 0
        finished = row.get("finished") or 0
        out.append(
            {
                "route": route,
                "route_id": route.pk,
                "name": route.name,
                "patrols": row.get("patrols") or 0,
                "finished": finished,
                "planned": shifts,
                "done_pct": round(100 * finished / shifts) if shifts else None,
                "due": due,
                "scanned": scanned,
                "scanned_pct": round(100 * scanned / due) if due else None,
                "missed": row.get("missed") or 0,
                "flagged": row.get("flagged") or 0,
            }
        )
    return out


def board_routes(user):
    """The routes on the leader's board: the staff's area's, the leader's team's."""
    if not user.is_authenticated:
        return Route.objects.none()
    everything, paths = _staff(user)
    if everything:
        return Route.objects.all()
    return Route.objects.filter(_under(paths) | Q(team__leader=user))
