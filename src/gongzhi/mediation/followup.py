"""What follows a settlement, run by the watcher on every tick (``tick``).

When the date of an obligation passes, the dispute's lead mediator is asked to check it
was performed (履行回访). Safe from several watchers at once and as often as you like:
each obligation is claimed with a conditional UPDATE of ``reminded_at``, so its reminder
goes out exactly once, and one missed by a run is caught by the next (the scan looks at
every obligation past its date, not at a time window).
"""

from __future__ import annotations

from itertools import groupby

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Role, User
from gongzhi.notify import services as notify

from . import services
from .choices import State
from .models import Obligation
from .workflow import FLOW


def _recipients(dispute) -> list:
    """The lead mediator; failing one (it should not happen once settled), the mediators
    of the holding unit, so that nobody's performance check is dropped."""
    if dispute.lead_mediator_id and dispute.lead_mediator.is_active:
        return [dispute.lead_mediator]
    if dispute.holder_id is None:
        return []
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation_id=dispute.holder_id,
            memberships__role=Role.MEDIATOR,
        ).distinct()
    )


def _remind(dispute, obligations, now, tell: bool) -> None:
    lines = [f"{o.party}：{o.what}（{o.due_on:%Y-%m-%d}）" for o in obligations]
    if tell:
        _tell(dispute, obligations, lines)
    FLOW.record(
        dispute,
        "performance_due",
        now=now,
        tell=tell,
        is_public=False,
        note="\n".join(lines),
        data={"obligations": [o.pk for o in obligations]},
    )


def _tell(dispute, obligations, lines) -> None:
    notify.notify_each(
        [
            notify.Item(
                recipients=_recipients(dispute),
                kind="dispute.performance_due",
                title=f"{_('Check whether the agreement was performed')} · {dispute.number}",
                body="\n".join([dispute.title, *lines]),
                link=reverse("mediation:detail", args=[dispute.number]),
                data={"dispute": dispute.number, "obligations": [o.pk for o in obligations]},
            )
        ]
    )


def remind_due(*, now=None, tell: bool = True, disputes=None) -> int:
    """Ask the lead mediator to check each obligation whose date has passed and that is
    still due, once; one message per dispute. Returns the obligations reminded of.
    ``now`` is the watcher's moment, ``tell=False`` sends nothing (a history replayed);
    ``disputes`` (a queryset) limits the scan to their obligations."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    obligations = Obligation.objects.all()
    if disputes is not None:
        obligations = obligations.filter(agreement__dispute__in=disputes)
    due = (
        obligations.filter(
            status=Obligation.Status.DUE,
            reminded_at__isnull=True,
            due_on__lt=today,  # "by" a day: it has passed once that day is over
            agreement__dispute__state=State.SETTLED,
        )
        .select_related("agreement__dispute__lead_mediator")
        .order_by("agreement__dispute_id", "due_on", "pk")
    )
    reminded = 0
    for _dispute_id, rows in groupby(list(due), key=lambda o: o.agreement.dispute_id):
        rows = list(rows)
        with transaction.atomic():
            # Only the obligations this run claims: another watcher may have taken some.
            claimed = [
                o
                for o in rows
                if Obligation.objects.filter(pk=o.pk, reminded_at__isnull=True).update(
                    reminded_at=now
                )
            ]
            if claimed:
                _remind(rows[0].agreement.dispute, claimed, now, tell)
                reminded += len(claimed)
    return reminded


def tick(now=None) -> dict:
    """The mediation app's periodic job: disputes whose time at their level ran out move
    up, mediators are asked to check performances that fell due, and the workers of grids
    late with a screening round's report are reminded."""
    from . import campaigns  # campaigns reads the services, as this module does

    return {
        "escalated": services.escalate_overdue(now=now),
        "performance_reminded": remind_due(now=now),
        "screening_reminded": campaigns.remind_late(now=now),
    }
