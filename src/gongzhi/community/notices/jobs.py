"""The notices room's periodic work, run by community.jobs.tick: scheduled notices whose
time has come are delivered (each once, however many ticks run at the same time), and
notices past their expiry become read-only."""

from __future__ import annotations

from . import services


def tick(*, now) -> dict:
    return {
        "published": services.publish_due(now=now),
        "expired": services.expire_due(now=now),
    }
