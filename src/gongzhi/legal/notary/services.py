"""What residents and notary offices do: evaluate a matter's answers, book a place in a time
slot (never more places than the slot has, whatever arrives at once), cancel before the
time, mark a booking attended or not, and lay out a week's slots in bulk.

Every function is keyword-only and raises ``ServiceError`` (or ``NotAllowed``/``NotFound``/
``Conflict``) with a message the user reads; nothing is written when it raises.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts import services as accounts
from gongzhi.accounts.models import User
from gongzhi.core import workdays
from gongzhi.core.db import MAX_ID
from gongzhi.core.errors import Conflict, NotAllowed, NotFound, ServiceError
from gongzhi.core.scope import scope_for
from gongzhi.notify import services as notify

from .. import staff
from ..models import BookingStatus, NotaryBooking, NotaryMatter, NotaryOffice, NotarySlot
from . import guide

MAX_WEEKS = 8
MAX_CAPACITY = 50
MAX_SLOTS_AT_ONCE = 500


# --- reading ------------------------------------------------------------------------------


def check_matter(*, code: str) -> NotaryMatter:
    matter = NotaryMatter.objects.filter(code=code, enabled=True).first()
    if matter is None:
        raise NotFound("matter_not_found", _("No such notary matter."), "matter")
    return matter


def evaluate(*, matter: NotaryMatter, answers) -> guide.Outcome:
    """The documents to bring and the fee for the answers (refused when they are bad)."""
    return guide.evaluate(matter, answers)


def works_at(user, office: NotaryOffice) -> bool:
    """Whether the user is on the office's staff (or an administrator)."""
    scope = scope_for(user)
    return scope.everything or office.organisation.path in staff.notary_office_paths(scope)


def check_office_staff(*, user, office: NotaryOffice) -> None:
    if not works_at(user, office):
        raise NotAllowed(
            "not_office_staff", _("Only the notary office's staff may do this."), "office"
        )


# --- booking ------------------------------------------------------------------------------


def _number(booking: NotaryBooking) -> str:
    return f"GZ{timezone.localdate(booking.created_at):%Y%m%d}{booking.pk:06d}"


def _tell_booked(booking: NotaryBooking) -> None:
    slot = booking.slot
    when = timezone.localtime(slot.starts_at)
    notify.notify(
        recipients=[booking.resident_id],
        kind="legal.notary_booked",
        title=_("Notary appointment booked: %(number)s") % {"number": booking.number},
        body=_("%(matter)s at %(office)s, %(when)s. Bring: %(documents)s")
        % {
            "matter": booking.matter.name,
            "office": booking.office.name,
            "when": f"{when:%Y-%m-%d %H:%M}",
            "documents": "；".join(booking.documents),
        },
        link=reverse("legal:notary_booking", args=[booking.number]),
    )
    # The office prepares for the visit: its staff hear of it (no personal data in the text).
    office_staff = User.objects.filter(
        is_active=True,
        memberships__organisation_id=booking.office.organisation_id,
        memberships__role__in=staff.STAFF_ROLES,
    ).distinct()
    notify.notify(
        recipients=office_staff,
        kind="legal.notary_new_booking",
        title=_("New notary booking: %(number)s") % {"number": booking.number},
        body=_("%(matter)s, %(when)s.")
        % {"matter": booking.matter.name, "when": f"{when:%Y-%m-%d %H:%M}"},
        link=reverse("legal:notary_desk"),
    )


def do_book(
    *, user, slot_id: int, matter: NotaryMatter, answers, now: dt.datetime | None = None
) -> NotaryBooking:
    """Book one place in the slot for the user: the answers are checked and their documents
    and fee kept on the booking. The place is taken by one conditional update
    (``booked < capacity``), so two residents racing for the last place cannot both have it;
    a person holds at most one active booking per slot. A full, past or unknown slot is
    refused and nothing changes."""
    now = now or timezone.now()
    if not getattr(user, "is_authenticated", False):
        raise NotAllowed("login_required", _("Please log in to book."), None)
    if not matter.enabled:
        raise NotFound("matter_not_found", _("No such notary matter."), "matter")
    outcome = guide.evaluate(matter, answers)
    if not isinstance(slot_id, int) or not 0 < slot_id <= MAX_ID:
        raise NotFound("slot_not_found", _("No such time slot."), "slot")
    slot = (
        NotarySlot.objects.select_related("office__organisation")
        .filter(pk=slot_id, office__enabled=True)
        .first()
    )
    if slot is None:
        raise NotFound("slot_not_found", _("No such time slot."), "slot")
    if slot.starts_at <= now:
        raise ServiceError("slot_past", _("This time slot has passed: choose a later one."), "slot")
    with transaction.atomic():
        if NotaryBooking.objects.filter(
            slot=slot, resident=user, status=BookingStatus.BOOKED
        ).exists():
            raise Conflict("already_booked", _("You have already booked this time slot."), "slot")
        taken = NotarySlot.objects.filter(
            pk=slot.pk, booked__lt=F("capacity"), starts_at__gt=now
        ).update(booked=F("booked") + 1)
        if not taken:
            raise Conflict(
                "slot_full",
                _("This time slot is full: every place has been booked. Please choose another."),
                "slot",
            )
        try:
            with transaction.atomic():
                booking = NotaryBooking.objects.create(
                    slot=slot,
                    office=slot.office,
                    resident=user,
                    matter=matter,
                    applicant_name=(user.display_name or user.username)[:60],
                    phone=(getattr(user, "mobile", "") or "")[:20],
                    answers=outcome.answers,
                    documents=outcome.documents,
                    fee=outcome.fee,
                    fee_lines=[
                        {"label": str(line["label"]), "amount": str(line["amount"])}
                        for line in outcome.lines
                    ],
                )
        except IntegrityError:  # the same person, twice at once: the outer block undoes it
            raise Conflict(
                "already_booked", _("You have already booked this time slot."), "slot"
            ) from None
        booking.number = _number(booking)
        booking.save(update_fields=["number"])
        transaction.on_commit(lambda: _tell_booked(booking))
    return booking


def do_cancel(*, user, booking: NotaryBooking, now: dt.datetime | None = None) -> NotaryBooking:
    """The resident cancels before the slot's start: the place is free again."""
    now = now or timezone.now()
    if booking.resident_id != user.pk:
        raise NotAllowed("not_yours", _("Only the person who booked may cancel the booking."), None)
    if booking.slot.starts_at <= now:
        raise ServiceError(
            "too_late",
            _("The appointment has begun: it can no longer be cancelled here."),
            None,
        )
    with transaction.atomic():
        changed = NotaryBooking.objects.filter(pk=booking.pk, status=BookingStatus.BOOKED).update(
            status=BookingStatus.CANCELLED, closed_at=now, updated_at=now
        )
        if not changed:
            raise Conflict("not_active", _("This booking is no longer active."), None)
        NotarySlot.objects.filter(pk=booking.slot_id, booked__gt=0).update(booked=F("booked") - 1)
    booking.refresh_from_db()
    return booking


OUTCOMES = {BookingStatus.ATTENDED, BookingStatus.NO_SHOW}


def do_mark(
    *, user, booking: NotaryBooking, outcome: str, now: dt.datetime | None = None
) -> NotaryBooking:
    """The office records that the resident came, or did not, on or after the day."""
    now = now or timezone.now()
    check_office_staff(user=user, office=booking.office)
    if outcome not in OUTCOMES:
        raise ServiceError("bad_outcome", _("Choose attended or did not come."), "outcome")
    if timezone.localdate(booking.slot.starts_at) > timezone.localdate(now):
        raise ServiceError("not_yet", _("The appointment's day has not come yet."), "outcome")
    changed = NotaryBooking.objects.filter(pk=booking.pk, status=BookingStatus.BOOKED).update(
        status=outcome, closed_at=now, updated_at=now
    )
    if not changed:
        raise Conflict("not_active", _("This booking is no longer active."), None)
    booking.refresh_from_db()
    return booking


def reveal_applicant(*, user, booking: NotaryBooking, request=None) -> dict[str, str]:
    """The applicant's real name and phone for the office's staff, recorded in the audit log;
    anyone else is refused (and the refusal recorded)."""
    if not works_at(user, booking.office):
        raise NotAllowed(
            "not_office_staff", _("Only the notary office's staff may see the applicant."), None
        )
    try:
        return accounts.reveal(
            viewer=user, obj=booking, request=request, reason=f"notary booking {booking.number}"
        )
    except PermissionDenied:
        raise NotAllowed(
            "not_allowed", _("Your role may not see the applicant's personal data."), None
        ) from None


# --- slots --------------------------------------------------------------------------------


def _local(day: dt.date, at: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, at))


def do_make_slots(
    *,
    user,
    office: NotaryOffice,
    first_day: dt.date,
    weeks: int,
    weekdays: Iterable[int],
    times: Iterable[tuple[dt.time, dt.time]],
    capacity: int,
    working_days_only: bool = True,
    now: dt.datetime | None = None,
) -> int:
    """Lay out slots from a week's template (weekdays × times × capacity) for ``weeks``
    weeks from ``first_day``; slots already there (same start) are left as they are, past
    ones and, by default, holidays are skipped. Returns how many were made."""
    now = now or timezone.now()
    check_office_staff(user=user, office=office)
    weekdays, times = sorted(set(weekdays)), sorted(set(times))
    errors = []
    if not 1 <= weeks <= MAX_WEEKS:
        errors.append(
            ServiceError("bad_weeks", _("From 1 to %(n)s weeks.") % {"n": MAX_WEEKS}, "weeks")
        )
    if not weekdays or not set(weekdays) <= set(range(7)):
        errors.append(ServiceError("no_days", _("Choose at least one day of the week."), "days"))
    if not times:
        errors.append(ServiceError("no_times", _("Give at least one time."), "times"))
    if any(end <= start for start, end in times):
        errors.append(ServiceError("bad_times", _("Each time must end after it starts."), "times"))
    if not 1 <= capacity <= MAX_CAPACITY:
        errors.append(
            ServiceError(
                "bad_capacity",
                _("The capacity is from 1 to %(n)s.") % {"n": MAX_CAPACITY},
                "capacity",
            )
        )
    if errors:
        raise ServiceError.first_of(errors)
    wanted = []
    for offset in range(weeks * 7):
        day = first_day + dt.timedelta(days=offset)
        if day.weekday() not in weekdays:
            continue
        if working_days_only and not workdays.is_workday(day):
            continue
        for start, end in times:
            starts_at = _local(day, start)
            if starts_at > now:
                wanted.append((starts_at, _local(day, end)))
    if len(wanted) > MAX_SLOTS_AT_ONCE:
        raise ServiceError(
            "too_many", _("At most %(n)s slots at once.") % {"n": MAX_SLOTS_AT_ONCE}, "weeks"
        )
    there = set(
        NotarySlot.objects.filter(office=office, starts_at__in=[s for s, _e in wanted]).values_list(
            "starts_at", flat=True
        )
    )
    rows = [
        NotarySlot(office=office, starts_at=s, ends_at=e, capacity=capacity)
        for s, e in wanted
        if s not in there
    ]
    NotarySlot.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
