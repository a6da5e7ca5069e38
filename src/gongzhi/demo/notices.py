"""The notices the demo's last days would have left in people's inboxes.

The history was taken through the workflow telling nobody (it happened long ago). Here
each step of the last ``NOTICE_DAYS`` is told as the workflow tells it, by the same table
(``effects.told_for``: a unit hears of a case dispatched to it, a grid worker of one to
verify, a reporter that their case was closed, the command centre of a callback that
reopened a case …), dated when the step was taken; a notice is read when someone has acted
on the case since.

No SMS leaves, whatever gateway is configured: the demo's hotline callers and their
numbers are made up. The effects text a caller at the number the case gives
(``effects.caller_phone``), so they are handed each case without it, in memory only; the
in-app notices are what is left.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone, translation

from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.workflow import effects
from gongzhi.notify.models import Notification

NOTICE_DAYS = 7


def replay(*, now=None, key_prefix: str = "demo-") -> int:
    """Notices for the demo's steps of the last days, once. Returns how many."""
    if Notification.objects.filter(data__demo=True).exists():
        return 0
    now = now or timezone.now()
    events = list(
        CaseEvent.objects.filter(
            case__idempotency_key__startswith=key_prefix,
            at__gte=now - timedelta(days=NOTICE_DAYS),
            action__in=list(effects.TOLD),
        )
        .select_related("case__category", "case__owner", "case__command", "case__reporter")
        .order_by("at", "id")
    )
    last = dict(
        CaseEvent.objects.filter(case__in={e.case_id for e in events})
        .values_list("case_id")
        .annotate(at=Max("at"))
    )
    # Each step's notices follow the last one's: its rows are the ids after that mark.
    marks = [_last_notification()]
    with translation.override(settings.LANGUAGE_CODE):  # in the recipients' language
        for event in events:
            case = _without_caller_number(event.case)
            for tell in effects.told_for(event):
                tell(case, event)
            marks.append(_last_notification())
    made = list(Notification.objects.filter(pk__gt=marks[0]))
    for n in made:
        event = events[bisect_left(marks, n.pk) - 1]
        later = last.get(event.case_id, event.at)
        n.data = {**n.data, "demo": True}
        n.created_at = event.at
        n.read_at = later if later > event.at else None  # someone has acted since
    Notification.objects.bulk_update(made, ["data", "created_at", "read_at"], batch_size=500)
    return len(made)


def _last_notification() -> int:
    return Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _without_caller_number(case: Case) -> Case:
    """The case as the demo's effects see it: with no caller's number to text (the row is
    not written)."""
    case.reporter_phone = ""
    return case
