"""The patrols room's periodic work, run by community.jobs.tick: patrols left walking are
closed as abandoned, with their misses counted."""

from __future__ import annotations

from . import services


def tick(*, now) -> dict:
    return {"patrols_abandoned": services.do_abandon_stale(now=now)}
