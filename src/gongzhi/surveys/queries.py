"""Selectors for the surveys pages and API: every list starts from ``visible_to``."""

from __future__ import annotations

from django.db.models import Case, F, IntegerField, Value, When

from gongzhi.core.scope import scope_for

from .choices import MemberState
from .models import SUPERVISORS, SampleMember, Wave
from .services import CALLING_ROLES


def supervises(user) -> bool:
    scope = scope_for(user)
    return scope.everything or bool(scope.roles & SUPERVISORS)


def calls(user) -> bool:
    scope = scope_for(user)
    return scope.everything or bool(scope.roles & CALLING_ROLES)


def waves(user):
    return Wave.objects.visible_to(user).select_related("region", "questionnaire")


def calling_list(user):
    """The user's own open members in waves in the field: calls back that are due first,
    then those never called, then the others by how often they were tried."""
    return (
        SampleMember.objects.filter(operator=user, wave__state="fielding")
        .open()
        .select_related("wave", "region")
        .annotate(
            rank=Case(
                When(state=MemberState.CALL_BACK, then=Value(0)),
                When(state=MemberState.TO_CALL, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", F("callback_at").asc(nulls_last=True), "attempts", "pk")
    )
