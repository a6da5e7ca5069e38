"""The volunteers room's periodic work, run by community.jobs.tick: close the shifts that
ended long enough ago and that nobody closed by hand."""

from __future__ import annotations


def tick(*, now) -> dict:
    from . import services

    return {"shifts_closed": services.close_ended_shifts(now=now)}
