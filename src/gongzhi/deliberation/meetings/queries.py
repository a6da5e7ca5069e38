"""Selectors for the meetings' pages and API: the lists a user may see, and the figures of
those signed in that the quorum counts."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch

from .. import members
from ..models import AgendaItem, Attendance, Meeting


def visible_meetings(user):
    return Meeting.objects.visible_to(user).select_related("region", "rule")


def meeting_for(user, number: str) -> Meeting | None:
    return (
        visible_meetings(user)
        .prefetch_related(Prefetch("items", queryset=AgendaItem.objects.order_by("order", "id")))
        .filter(number=(number or "").strip().upper()[:20])
        .first()
    )


def present_counts(meeting, *, on: dt.date) -> members.Counts:
    """Those signed in, counted as the register is: people, households with anyone present,
    and the offices the quorum may count. The committee's staff (signed in by account)
    count as committee members."""
    from gongzhi.people.models import Office

    rows = list(
        Attendance.objects.filter(meeting=meeting).values_list(
            "key", "resident_id", "household_id", "resident__birth_date"
        )
    )
    residents = [r for _, r, _, _ in rows if r]
    offices: dict[int, set[str]] = {}
    for resident_id, kind in (
        Office.objects.current(on)
        .filter(resident_id__in=residents)
        .values_list("resident_id", "kind")
    ):
        offices.setdefault(resident_id, set()).add(kind)
    try:
        born_by = on.replace(year=on.year - members.ADULT_AGE)
    except ValueError:  # 29 February
        born_by = on.replace(year=on.year - members.ADULT_AGE, day=28)

    def holding(kinds) -> int:
        return sum(1 for r in residents if offices.get(r, set()) & kinds)

    staff = sum(1 for key, *_ in rows if key.startswith("u"))
    return members.Counts(
        households=len({h for _, _, h, _ in rows if h}),
        adults=sum(1 for _, r, _, born in rows if r and born and born <= born_by),
        representatives=holding({"representative"}),
        party_members=holding(members.PARTY),
        committee=holding(members.COMMITTEE) + staff,
    )


def attendance_of(meeting, user) -> Attendance | None:
    """The user's own sign-in at this meeting, as a villager or as staff."""
    v = members.villager(user)
    keys = [f"u{user.pk}"]
    if v is not None:
        keys.insert(0, v.ballot)
    return Attendance.objects.filter(meeting=meeting, key__in=keys).first()
