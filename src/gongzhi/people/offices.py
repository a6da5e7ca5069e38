"""The offices residents hold in their village or community (村民代表, committee members,
Party members, the clerk), marked in the register by its editors: what the deliberation
hall's meetings count for their quorum and whom they notify. An office ends on a day;
it is never deleted, so a past meeting's figures can still be explained."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import Conflict, NotAllowed, NotFound, ServiceError

from .access import access_for
from .choices import OfficeKind
from .models import Office, Resident


def _check_editor(actor, resident) -> None:
    if not Resident.objects.visible_to(actor).filter(pk=resident.pk).exists():
        raise NotFound("not_found", _("There is no such record in your area."))
    if not access_for(actor).governs(grid_id=resident.grid_id, region_path=resident.region_path):
        raise NotAllowed(
            "not_permitted", _("Only the staff of this place may change the register.")
        )


def _day(value, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, dt.date):
        raise ServiceError("invalid", _("Give a date such as 2026-01-01."), field)
    return value


def do_mark_office(*, actor, resident, kind, since, note="") -> Office:
    """Mark a current resident as holding an office from a day (not in the future)."""
    _check_editor(actor, resident)
    if kind not in OfficeKind.values:
        raise ServiceError("invalid", _("Choose an office."), "kind")
    since = _day(since, "since")
    if since > timezone.localdate():
        raise ServiceError("in_the_future", _("The office cannot begin in the future."), "since")
    note = (note or "").strip()
    if len(note) > 100:
        raise ServiceError("too_long", _("The note is too long (at most 100 characters)."), "note")
    if resident.moved_out is not None:
        raise ServiceError("moved_out", _("This resident has moved out."), "resident")
    try:
        with transaction.atomic():
            return Office.objects.create(
                resident=resident,
                kind=kind,
                since=since,
                note=note,
                region=resident.region,
                grid=resident.grid,
                region_path=resident.region_path,
            )
    except IntegrityError:
        raise Conflict(
            "already_holds", _("The resident already holds this office."), "kind"
        ) from None


def do_end_office(*, actor, office, until) -> Office:
    """End an office on a day (from the day it began): the resident no longer holds it."""
    _check_editor(actor, office.resident)
    until = _day(until, "until")
    with transaction.atomic():
        office = Office.objects.select_for_update().get(pk=office.pk)
        if office.until is not None:
            raise Conflict("already_ended", _("This office has already ended."))
        if until < office.since:
            raise ServiceError("before_start", _("An office cannot end before it began."), "until")
        office.until = until
        office.save(update_fields=["until", "updated_at"])
    return office
