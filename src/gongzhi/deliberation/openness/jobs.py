"""This room's periodic work, called by ``deliberation.jobs.tick``; each notice once:
a task past its due date and not finished is reported to its owner, the village's
committee and the township, and marked (``late_noticed_at``) so that the next tick is
silent."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.notify import services as notify

from ..models import Implementation
from .services import OPEN_TASK, _committee_users, _township_users


def late(now):
    return Implementation.objects.filter(
        state__in=OPEN_TASK, due_on__lt=timezone.localdate(now)
    ).select_related("matter")


def tick(*, now) -> dict:
    told = 0
    for task in late(now).filter(late_noticed_at__isnull=True):
        with transaction.atomic():
            # Claimed by this update: two ticks at once tell nobody twice.
            if not Implementation.objects.filter(pk=task.pk, late_noticed_at__isnull=True).update(
                late_noticed_at=now
            ):
                continue
            people = {*_committee_users(task.region_id), *_township_users(task.region_path)}
            if task.owner_id:
                people.add(task.owner_id)
            notify.notify(
                recipients=sorted(people),
                kind="deliberation.implementation_late",
                title=_("Late: %(task)s (%(matter)s)")
                % {"task": task.title, "matter": task.matter.title},
                body=_("Due on %(date)s, %(percent)d%% done.")
                % {"date": task.due_on.isoformat(), "percent": task.percent},
                link=reverse("deliberation:implementation", args=[task.pk]),
            )
            told += 1
    return {"late_noticed": told}
