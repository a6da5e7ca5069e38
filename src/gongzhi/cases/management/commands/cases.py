"""`gongzhi cases tick` and `gongzhi cases watch`: the deadline scan, once or on a timer.

``watch`` is what ``gongzhi serve`` runs beside the web server. Several watchers may run at
once (on one machine or many): the scan claims each notice with a conditional UPDATE, so a
notice is sent once whoever gets there first, and a watcher that was down catches up on its
next tick because the scan looks at every open case past its threshold.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.cases import deadlines
from gongzhi.core.db import refresh_connection

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = _("Case deadline scan: `tick` runs one scan now, `watch` runs one every N seconds.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("tick", help=_("Run one deadline scan now and print the counts as JSON."))
        watch = sub.add_parser("watch", help=_("Scan every N seconds until interrupted."))
        watch.add_argument(
            "--every", type=float, default=60.0, help=_("Seconds between scans (default 60).")
        )
        watch.add_argument(
            "--max-ticks", type=int, default=0, help=_("Stop after this many scans (0: never).")
        )

    def handle(self, *args, verb, **options):
        if verb == "tick":
            self.stdout.write(json.dumps(self._tick()))
            return
        every = options["every"]
        if every <= 0:
            raise CommandError(_("--every must be a positive number of seconds."))
        self._watch(every, options["max_ticks"], options["verbosity"])

    def _tick(self) -> dict:
        started = time.monotonic()
        counts = deadlines.scan()
        return {
            "at": timezone.now().isoformat(timespec="seconds"),
            **counts,
            "seconds": round(time.monotonic() - started, 3),
        }

    def _watch(self, every: float, max_ticks: int, verbosity: int) -> None:
        stopping = False

        def stop(*_args):
            nonlocal stopping
            stopping = True

        # SIGTERM is how `gongzhi serve` and process managers stop us: finish the tick, exit.
        in_main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, stop) if in_main else None
        self.stdout.write(
            _("Watching case deadlines every %(n)s s (Ctrl-C to stop).") % {"n": every}
        )
        ticks = 0
        next_at = time.monotonic()
        try:
            while not stopping:
                refresh_connection()
                try:
                    counts = self._tick()
                except DatabaseError:
                    # A database hiccup must not kill the watcher; the next tick catches up.
                    logger.exception("deadline scan failed; retrying on the next tick")
                    counts = None
                if counts and (verbosity > 1 or counts["warned"] or counts["overdue"]):
                    self.stdout.write(json.dumps(counts))
                ticks += 1
                if max_ticks and ticks >= max_ticks:
                    break
                # Fixed-rate schedule, so a slow scan does not push every later one back.
                next_at += every
                while not stopping and time.monotonic() < next_at:
                    time.sleep(min(0.5, max(0.0, next_at - time.monotonic())))
                if time.monotonic() - next_at > every:
                    next_at = time.monotonic()  # far behind (suspended?): do not burst
        except KeyboardInterrupt:
            pass
        finally:
            if in_main:
                signal.signal(signal.SIGTERM, previous)
            refresh_connection()
        self.stdout.write(_("Stopped watching case deadlines."))
