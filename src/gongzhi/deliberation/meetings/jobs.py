"""This room's periodic work, called by ``deliberation.jobs.tick``; each notice once."""

from __future__ import annotations


def tick(*, now) -> dict:
    return {}
