"""The volunteers room's periodic work, run by community.jobs.tick."""

from __future__ import annotations


def tick(*, now) -> dict:
    return {}
