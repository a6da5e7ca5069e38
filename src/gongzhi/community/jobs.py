"""The community app's periodic work (``gongzhi community tick``, also run by ``gongzhi
serve``): each room's due jobs, in one call."""

from __future__ import annotations

from django.utils import timezone


def tick(*, now=None) -> dict:
    now = now or timezone.now()
    done: dict = {}
    from .customs import jobs as customs
    from .notices import jobs as notices
    from .patrols import jobs as patrols
    from .points import jobs as points
    from .repairs import jobs as repairs
    from .volunteers import jobs as volunteers

    for name, room in (
        ("repairs", repairs),
        ("notices", notices),
        ("volunteers", volunteers),
        ("patrols", patrols),
        ("points", points),
        ("customs", customs),
    ):
        done[name] = room.tick(now=now)
    return done
