"""This room's periodic work, called by ``deliberation.jobs.tick``; each notice once: the
committee is reminded on the last day the notice can still be given in time, and told when
a voting window has ended (votes are refused after it; the clerk closes with minutes)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import MeetingState
from ..models import Meeting, MeetingEvent
from .workflow import FLOW

LIMIT = 200


def _not_yet(action: str):
    return ~Exists(MeetingEvent.objects.filter(meeting=OuterRef("pk"), action=action))


def _once(meeting_pk, action: str, note: str, now) -> bool:
    """Write the entry under the meeting's lock, unless another tick already has."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().filter(pk=meeting_pk).first()
        if meeting is None or meeting.events.filter(action=action).exists():
            return False
        FLOW.record(meeting, action, actor=None, now=now, note=note)
    return True


def tick(*, now) -> dict:
    notices = voting = 0
    # The last day the notice reaches everyone in time: starts_at − notice_days, from a day
    # before it.
    due = (
        Meeting.objects.filter(state=MeetingState.SCHEDULED, starts_at__gt=now)
        .filter(_not_yet("notice_due"))
        .select_related("rule")
        .order_by("starts_at")[:LIMIT]
    )
    for m in due:
        last_day = m.starts_at - dt.timedelta(days=m.rule.notice_days)
        if now >= last_day - dt.timedelta(days=1):
            note = _("Send the notice by %(day)s at the latest.") % {
                "day": timezone.localtime(last_day).strftime("%Y-%m-%d %H:%M")
            }
            notices += _once(m.pk, "notice_due", note, now)
    ended = (
        Meeting.objects.filter(state=MeetingState.VOTING, voting_closes_at__lte=now)
        .filter(_not_yet("voting_ended"))
        .values_list("pk", flat=True)[:LIMIT]
    )
    for pk in ended:
        voting += _once(pk, "voting_ended", "", now)
    return {"notice_due": notices, "voting_ended": voting}
