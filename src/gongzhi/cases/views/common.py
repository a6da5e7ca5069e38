"""What several case views need: the viewer's console and their case (roles are
``accounts.roles``')."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse

from gongzhi.accounts.models import Role
from gongzhi.accounts.roles import STAFF_DESK, UNIT_DESK

from ..models import Case

# The columns a list of cases shows beside each row.
ROW_RELATED = ("category", "owner", "region")


def home_console(roles: set[str]) -> str:
    """Where a person's own console is, for a redirect from one that is not theirs."""
    if roles & STAFF_DESK:
        return reverse("cases:queue")
    if roles & UNIT_DESK:
        return reverse("cases:inbox")
    if Role.GRID_WORKER in roles:
        return reverse("cases:tasks")
    return reverse("cases:report")


def case_or_404(user, number: str) -> Case:
    return get_object_or_404(
        Case.objects.visible_to(user).select_related(
            "category",
            "owner",
            "command",
            "grid",
            "region",
            "reporter",
            "entered_by",
            "merged_into",
        ),
        number=number,
    )
