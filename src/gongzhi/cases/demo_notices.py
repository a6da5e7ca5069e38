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

from gongzhi.notify.models import Notification

from . import effects
from .models import Case, CaseEvent

NOTICE_DAYS = 7
# What each step sends after its commit (the ``after_commit`` of ``actions``, and the
# deadline scan's warnings), for the steps of the history.
TOLD = {
    "reject": (effects.tell_reporter,),
    "dispatch": (effects.tell_owner,),
    "return": (effects.tell_command,),
    "add_co_handlers": (effects.tell_co_handlers,),
    "resolve": (effects.tell_verifiers,),
    "verify_pass": (effects.ask_reporter_for_callback,),
    "verify_fail": (effects.tell_command, effects.tell_owner),
    "escalate": (effects.tell_command,),
    "merge": (effects.tell_reporter,),
    "supervise": (effects.tell_owner_heads,),
    "request_extension": (effects.tell_command,),
    "decide_extension": (effects.tell_owner,),
    "deadline_warning": (effects.warn_owner,),
    "overdue": (effects.tell_overdue,),
}


def replay(*, now=None, key_prefix: str = "demo-") -> int:
    """Notices for the demo's steps of the last days, once. Returns how many."""
    if Notification.objects.filter(data__demo=True).exists():
        return 0
    now = now or timezone.now()
    events = list(
        CaseEvent.objects.filter(
            case__idempotency_key__startswith=key_prefix,
            at__gte=now - timedelta(days=NOTICE_DAYS),
            action__in=list(TOLD),
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
            for tell in TOLD[event.action]:
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
