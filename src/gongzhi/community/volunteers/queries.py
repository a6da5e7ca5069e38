"""Selectors for the volunteers' pages and API, scoped the same way for both."""

from __future__ import annotations

from django.db.models import Case, Q, Value, When
from django.utils import timezone

from ..choices import ShiftState, SignUpState, VolunteerState
from ..models import Shift, SignUp, Team, Volunteer
from .services import staff_area, volunteer_of


def _in(paths) -> Q:
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(region_path__startswith=p)
    return q


def visible_volunteers(user):
    """Volunteer records are personal: staff see their area's, anyone else only their own."""
    everything, paths = staff_area(user)
    rows = Volunteer.objects.select_related("region", "checked_by")
    if everything:
        return rows
    if paths:
        return rows.filter(_in(paths))
    return rows.filter(user_id=user.pk)


def desk_volunteers(user, state: str = ""):
    everything, paths = staff_area(user)
    if not (everything or paths):
        return Volunteer.objects.none()
    rows = visible_volunteers(user)
    if state in VolunteerState.values:
        rows = rows.filter(state=state)
    # The ones to check first.
    return rows.annotate(
        later=Case(When(state=VolunteerState.PENDING, then=Value(0)), default=Value(1))
    ).order_by("later", "region_path", "name", "id")


def visible_teams(user):
    everything, paths = staff_area(user)
    rows = Team.objects.select_related("region", "leader")
    if everything:
        return rows
    q = _in(paths) | Q(leader_id=user.pk)
    v = volunteer_of(user)
    if v is not None:
        q |= Q(region_path__startswith=v.region_path)
    return rows.filter(q)


def visible_shifts(user):
    """Staff: their area's; a volunteer: their community's; a leader: their teams'."""
    everything, paths = staff_area(user)
    rows = Shift.objects.select_related("region", "team")
    if everything:
        return rows
    q = _in(paths) | Q(team__leader_id=user.pk)
    v = volunteer_of(user)
    if v is not None:
        q |= Q(region_path__startswith=v.region_path)
    return rows.filter(q)


def open_shifts(user):
    v = volunteer_of(user)
    if v is None:
        return Shift.objects.none()
    return (
        Shift.objects.select_related("region", "team")
        .filter(
            region_path__startswith=v.region_path,
            state=ShiftState.OPEN,
            starts_at__gt=timezone.now(),
        )
        .order_by("starts_at", "id")
    )


def my_signups(user):
    return (
        SignUp.objects.filter(volunteer__user_id=user.pk)
        .exclude(state=SignUpState.CANCELLED)
        .select_related("shift", "shift__region")
        .order_by("-shift__starts_at", "-id")
    )


def led_shifts(user):
    return visible_shifts(user).filter(team__leader_id=user.pk).order_by("-starts_at")
