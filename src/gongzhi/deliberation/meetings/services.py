"""Meetings' services (``check_*`` / ``do_*``, keyword-only). Other rooms call
``do_add_item`` to put a topic or a major matter on a meeting's agenda."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from gongzhi.core.errors import Conflict, NotAllowed, ServiceError

from .. import members
from ..choices import ItemOutcome, MeetingState
from ..models import AgendaItem, Meeting

# States in which a meeting's agenda may still grow.
AGENDA_OPEN = {MeetingState.SCHEDULED, MeetingState.NOTIFIED}


def do_add_item(
    *, meeting: Meeting, actor, title: str = "", topic=None, matter=None, needs_vote: bool = True
) -> AgendaItem:
    """Put a topic, a major matter or a plain question on a meeting's agenda (the village's
    committee only; before the meeting opens; the same village; not twice while pending)."""
    if not members.is_committee(actor, meeting.region_path):
        raise NotAllowed("not_permitted", _("Only the village's committee sets the agenda."))
    subject = topic or matter
    title = (title or (subject.title if subject is not None else "")).strip()
    if not title:
        raise ServiceError("required", _("Please give the item a title."), "title")
    if len(title) > 120:
        raise ServiceError("too_long", _("The item's title is too long."), "title")
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.state not in AGENDA_OPEN:
            raise Conflict(
                "agenda_closed", _("The meeting has begun: its agenda can no longer change.")
            )
        if subject is not None and subject.region_id != meeting.region_id:
            raise ServiceError(
                "other_village", _("The item belongs to another village or community."), "meeting"
            )
        pending = AgendaItem.objects.filter(
            outcome=ItemOutcome.PENDING, meeting__state__in=AGENDA_OPEN
        )
        if topic is not None and pending.filter(topic=topic).exists():
            raise Conflict("already_on_agenda", _("This topic is already on an agenda."))
        if matter is not None and pending.filter(matter=matter, meeting=meeting).exists():
            raise Conflict("already_on_agenda", _("This matter is already on this agenda."))
        order = (meeting.items.aggregate(m=Max("order"))["m"] or 0) + 1
        return AgendaItem.objects.create(
            meeting=meeting,
            order=order,
            title=title,
            topic=topic,
            matter=matter,
            put_by=actor,
            needs_vote=needs_vote,
        )
