"""Jobs the watcher runs on every tick, beside the case deadline scan.

An app registers its scans when it is ready (``register("mediation", tick)``) and the one
watcher process (``gongzhi cases watch``, under ``gongzhi serve``) runs them, so a new app
needs no process of its own and no app below it imports it. Each job must be safe to run
from several watchers at once (claim with a conditional UPDATE or a row lock) and returns
a dict of counts for the watcher's log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

_JOBS: dict[str, Callable] = {}


def register(name: str, job: Callable) -> None:
    _JOBS[name] = job


def run_all(*, now=None) -> dict:
    """Run every job; one that fails is logged and does not stop the others."""
    done = {}
    for name, job in _JOBS.items():
        try:
            done[name] = job(now=now)
        except Exception:
            log.exception("periodic job %s failed", name)
            done[name] = "failed"
    return done
