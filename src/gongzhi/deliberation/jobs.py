"""The hall's periodic work (run by ``gongzhi serve`` and ``gongzhi deliberation tick``):
each room's ``tick`` (topics past their answer date, meeting notices and voting windows,
publications ending, implementations late), each acting once."""

from __future__ import annotations

from django.utils import timezone


def tick(*, now=None) -> dict:
    from .meetings import jobs as meetings
    from .openness import jobs as openness
    from .topics import jobs as topics

    now = now or timezone.now()
    return {
        "topics": topics.tick(now=now),
        "meetings": meetings.tick(now=now),
        "openness": openness.tick(now=now),
    }
