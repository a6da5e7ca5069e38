"""Where a question goes: the legal adviser of the asker's village (一村(社区)一法律顾问,
``ServicePoint.adviser`` of the village's room), or, when the village has none, the lawyer
on duty that day at the county centre (``DutyShift``); with no shift that day, a lawyer of
the centre's roster (the one with the fewest waiting questions)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from gongzhi.core.workdays import LOCAL_TZ

from ..choices import PointLevel
from ..models import DutyShift, ServicePoint
from .choices import QuestionState, Route


def village_adviser(region_path: str):
    point = (
        ServicePoint.objects.serving(region_path)
        .enabled()
        .filter(level=PointLevel.ROOM, adviser__isnull=False, adviser__is_active=True)
        .select_related("adviser")
        .order_by("-region_path")
        .first()
    )
    return point.adviser if point else None


def county_centre(region_path: str):
    return (
        ServicePoint.objects.serving(region_path)
        .enabled()
        .filter(level=PointLevel.CENTRE)
        .order_by("-region_path")
        .first()
    )


def duty_lawyer(region_path: str, *, now=None, exclude=None):
    """The lawyer on duty today at the county centre serving the place; else the roster's
    least loaded lawyer; None when the centre has no roster."""
    centre = county_centre(region_path)
    if centre is None:
        return None
    today = timezone.localtime(now or timezone.now(), LOCAL_TZ).date()
    shifts = DutyShift.objects.filter(centre=centre, lawyer__is_active=True)
    if exclude is not None:
        shifts = shifts.exclude(lawyer=exclude)
    on_duty = shifts.filter(day=today).select_related("lawyer").order_by("id").first()
    if on_duty:
        return on_duty.lawyer
    from django.contrib.auth import get_user_model

    ids = set(
        shifts.filter(day__gte=today - dt.timedelta(days=60)).values_list("lawyer", flat=True)
    )
    ids = ids or set(shifts.values_list("lawyer", flat=True))
    if not ids:
        return None
    waiting = Q(legal_questions_routed__state=QuestionState.WAITING)
    return (
        get_user_model()
        .objects.filter(pk__in=ids)
        .annotate(load=Count("legal_questions_routed", filter=waiting))
        .order_by("load", "pk")
        .first()
    )


def route(region_path: str, *, now=None) -> tuple[object, str]:
    """(lawyer, route) for a new question from the place."""
    adviser = village_adviser(region_path)
    if adviser is not None:
        return adviser, Route.ADVISER
    return duty_lawyer(region_path, now=now), Route.DUTY
