"""The legal services' periodic work, run by the platform's watcher: each room's tick."""

from __future__ import annotations

from django.utils.module_loading import import_string

# Each room's tick (deadlines warned and escalated, withdrawals for silence, campaigns sent).
TICKS = (
    "gongzhi.legal.aid.deadlines.tick",
    "gongzhi.legal.advice.services.tick",
    "gongzhi.legal.outreach.services.tick",
)


def tick(*, now=None) -> dict:
    done = {}
    for path in TICKS:
        try:
            job = import_string(path)
        except ImportError:
            continue
        done[path.split(".")[2]] = job(now=now)
    return done
