"""Patrols on the live push (``gongzhi.core.push``, topic ``patrols``): the team leader's
board hears of a patrol started, a checkpoint scanned and a patrol closed within a second,
instead of asking every few seconds.

A message names the patrol and its route only (no walker, no place): the board then fetches
its own fragment through ``queries.live``, so a message shows a viewer nothing the board
would not. It is sent on commit (``push.publish``), so a scan refused or rolled back sends
nothing.

Who receives a route's messages: the staff of its area (the hall's and the community's
``staff_paths``) and the leaders of the teams that walk routes there (a team leader is a
volunteer, with no area of work of their own).
"""

from __future__ import annotations

from gongzhi.core import push
from gongzhi.core.scope import Scope
from gongzhi.people.members import staff_paths

TOPIC = "patrols"


def changed(patrol, kind: str) -> None:
    """A patrol moved (``patrol.started``, ``patrol.scanned``, ``patrol.closed``); called
    inside the step's transaction, published after its commit."""
    if not patrol.region_path:
        return  # an empty path would reach everyone signed in
    push.publish(
        TOPIC,
        kind,
        {"patrol": patrol.pk, "route": patrol.route_id},
        region_path=patrol.region_path,
    )


def paths(scope: Scope) -> tuple[str, ...]:
    """The places whose patrol messages reach this viewer (run by the stream off the event
    loop: it reads the routes the viewer's teams walk)."""
    from ..models import Route

    led = ()
    if scope.user_id is not None:
        led = Route.objects.filter(team__leader_id=scope.user_id).values_list(
            "region_path", flat=True
        )
    return tuple(sorted({*staff_paths(scope), *led}))
