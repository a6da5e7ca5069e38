"""Selectors for the notary pages and the API: the matters, the offices serving a place with
their next free slots, a resident's bookings and an office's day."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch
from django.utils import timezone

from gongzhi.regions.models import Region

from ..models import (
    BookingStatus,
    NotaryBooking,
    NotaryMatter,
    NotaryOffice,
    NotarySlot,
    ResidentProfile,
)

SLOT_DAYS = 21
SLOTS_SHOWN = 12


def matters():
    return NotaryMatter.objects.filter(enabled=True)


def home_place(user) -> Region | None:
    """The resident's village or community, as their profile says (None: not said)."""
    if not getattr(user, "is_authenticated", False):
        return None
    profile = ResidentProfile.objects.filter(user=user).select_related("region").first()
    return profile.region if profile else None


def offices_serving(region: Region | None, *, now=None, days: int = SLOT_DAYS):
    """The enabled offices serving the place, each with ``free`` (its next free slots)."""
    if region is None:
        return []
    now = now or timezone.now()
    free = NotarySlot.objects.free(now).filter(starts_at__lt=now + dt.timedelta(days=days))
    offices = list(
        NotaryOffice.objects.enabled()
        .serving(region.path)
        .select_related("organisation")
        .prefetch_related(Prefetch("slots", queryset=free, to_attr="free_all"))
    )
    for office in offices:
        office.free = office.free_all[:SLOTS_SHOWN]
    return offices


def free_slots(office: NotaryOffice, *, now=None, start=None, end=None):
    now = now or timezone.now()
    slots = NotarySlot.objects.free(now).filter(office=office)
    if start:
        slots = slots.filter(starts_at__gte=start)
    slots = slots.filter(starts_at__lt=end or now + dt.timedelta(days=SLOT_DAYS))
    return slots


def bookings_of(user):
    """The user's own bookings, newest first."""
    return (
        NotaryBooking.objects.visible_to(user)
        .filter(resident=user)
        .select_related("slot", "office__organisation", "matter")
    )


def staffed_offices(user):
    """The offices whose bookings the user sees as staff (all for administrators)."""
    from gongzhi.core.scope import scope_for

    from .. import staff

    scope = scope_for(user)
    offices = NotaryOffice.objects.select_related("organisation")
    if scope.everything:
        return offices
    return offices.filter(organisation__path__in=staff.notary_office_paths(scope))


def day_bookings(user, *, offices, day: dt.date):
    """The bookings of the offices on the day (cancelled ones last), in time order."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    end = start + dt.timedelta(days=1)
    return (
        NotaryBooking.objects.visible_to(user)
        .filter(office__in=offices, slot__starts_at__gte=start, slot__starts_at__lt=end)
        .exclude(status=BookingStatus.CANCELLED)
        .select_related("slot", "office__organisation", "matter", "resident")
        .order_by("slot__starts_at", "id")
    )


def upcoming_slots(*, offices, now=None, days: int = 14):
    now = now or timezone.now()
    return (
        NotarySlot.objects.filter(office__in=offices, starts_at__gte=now)
        .filter(starts_at__lt=now + dt.timedelta(days=days))
        .select_related("office__organisation")
        .order_by("starts_at", "office_id")
    )
