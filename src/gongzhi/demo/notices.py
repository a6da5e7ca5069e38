"""The notices the demo's last days would have left in people's inboxes.

The history is written in bulk, so none of its steps told anyone. Here each step of the
last ``NOTICE_DAYS`` is told as the workflow tells it, through the same ``effects`` (a
unit hears of a case dispatched to it, a grid worker of one to verify, a reporter that
their case was closed …), dated when the step was taken; a notice is read when someone
has acted on the case since.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Max
from django.test.utils import override_settings
from django.utils import timezone, translation

from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.workflow import effects
from gongzhi.notify.models import Notification

NOTICE_DAYS = 7
# The steps whose notices are told (a callback's depends on its answer: left out).
TOLD = [action for action in effects.TOLD if action != "callback"]


def replay(*, now=None, key_prefix: str = "demo-") -> int:
    """Notices for the demo's steps of the last days, once. Returns how many."""
    if Notification.objects.filter(data__demo=True).exists():
        return 0
    now = now or timezone.now()
    events = list(
        CaseEvent.objects.filter(
            case__idempotency_key__startswith=key_prefix,
            at__gte=now - timedelta(days=NOTICE_DAYS),
            action__in=TOLD,
        )
        .select_related("case__category", "case__owner", "case__command", "case__reporter")
        .order_by("at", "id")
    )
    last = dict(
        CaseEvent.objects.filter(case__in={e.case_id for e in events})
        .values_list("case_id")
        .annotate(at=Max("at"))
    )
    made = 0
    # In the recipients' language; and no SMS leaves, even where a gateway is configured:
    # the demo's callers and their numbers are made up.
    with (
        translation.override(settings.LANGUAGE_CODE),
        override_settings(GONGZHI_SMS_GATEWAY_URL=""),
    ):
        for event in events:
            before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first()
            case: Case = event.case
            for tell in effects.told_for(event):
                tell(case, event)
            new = Notification.objects.filter(pk__gt=before or 0)
            later = last.get(case.pk, event.at)
            read = later if later > event.at else None  # someone has acted since
            for n in new:
                n.data = {**n.data, "demo": True}
            made += len(new)
            Notification.objects.bulk_update(list(new), ["data"])
            new.update(created_at=event.at, read_at=read)
    return made
