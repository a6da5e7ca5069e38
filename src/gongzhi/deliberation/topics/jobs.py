"""This room's periodic work, called by ``deliberation.jobs.tick``; each notice once."""

from __future__ import annotations

from gongzhi.core.errors import ServiceError

from ..choices import ItemOutcome, TopicState
from ..models import AgendaItem, Topic
from .actions import LIVE_MEETING
from .workflow import FLOW


def tick(*, now) -> dict:
    """Topics past their answer date, still waiting: the committee and the township are told
    once (``late_noticed_at``), and it goes on the topic's public record."""
    late = 0
    due = Topic.objects.filter(
        state=TopicState.DUE, answer_due__lt=now, late_noticed_at__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(due[:500]):
        try:
            # The step re-reads the row under its lock: a second tick finds it noticed.
            FLOW.transition(pk=pk, action="late", actor=None, now=now)
        except ServiceError:
            continue  # answered or put on an agenda meanwhile
        late += 1
    return {"late": late, "off_agenda": _off_agenda(now)}


def _off_agenda(now) -> int:
    """Topics whose meeting was cancelled (no pending item on a meeting still to be held)
    go back to waiting, their clock kept."""
    held = AgendaItem.objects.filter(
        outcome=ItemOutcome.PENDING, meeting__state__in=LIVE_MEETING, topic__isnull=False
    ).values("topic_id")
    stranded = Topic.objects.filter(state=TopicState.ON_AGENDA).exclude(pk__in=held)
    moved = 0
    for pk in list(stranded.values_list("pk", flat=True)[:500]):
        try:
            FLOW.transition(pk=pk, action="off_agenda", actor=None, now=now)
        except ServiceError:
            continue
        moved += 1
    return moved
