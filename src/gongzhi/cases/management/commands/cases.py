"""`gongzhi cases tick`, `gongzhi cases follow-up` and `gongzhi cases watch`: the deadline
scan and intake's follow-up (``follow_up.py``), once or on a timer.

``watch`` is what ``gongzhi serve`` runs beside the web server: intake's follow-up about
every second, the deadline scan every minute. Several watchers may run at once (on one
machine or many): the scan claims each notice with a conditional UPDATE and the follow-up
claims its batch of cases, so each is done once whoever gets there first, and a watcher
that was down catches up on its next tick.
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

from gongzhi.cases.intake import follow_up
from gongzhi.cases.workflow import deadlines
from gongzhi.cases.workflow import table as workflow
from gongzhi.core import periodic
from gongzhi.core.db import refresh_connection

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = _("Case deadline scan: `tick` runs one scan now, `watch` runs one every N seconds.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("tick", help=_("Run one deadline scan now and print the counts as JSON."))
        sub.add_parser(
            "follow-up",
            help=_("Follow up every report waiting for it now and print the count as JSON."),
        )
        watch = sub.add_parser("watch", help=_("Scan every N seconds until interrupted."))
        watch.add_argument(
            "--every", type=float, default=60.0, help=_("Seconds between scans (default 60).")
        )
        watch.add_argument(
            "--follow-up-every",
            type=float,
            default=1.0,
            help=_("Seconds between follow-ups of new reports (default 1)."),
        )
        watch.add_argument(
            "--max-ticks", type=int, default=0, help=_("Stop after this many scans (0: never).")
        )

    def handle(self, *args, verb, **options):
        if verb == "tick":
            self.stdout.write(json.dumps(self._tick()))
            return
        if verb == "follow-up":
            self.stdout.write(json.dumps(self._follow_up()))
            return
        every, quick = options["every"], options["follow_up_every"]
        if every <= 0 or quick <= 0:
            raise CommandError(
                _("--every and --follow-up-every must be positive numbers of seconds.")
            )
        self._watch(every, quick, options["max_ticks"], options["verbosity"])

    def _tick(self) -> dict:
        started = time.monotonic()
        counts = deadlines.scan()
        # Steps whose notices a process that died after its commit left unsent.
        counts["swept"] = workflow.FLOW.sweep()
        # The other apps' scans (a dispute's time at its level, screening rounds …).
        counts.update(periodic.run_all())
        return {
            "at": timezone.now().isoformat(timespec="seconds"),
            **counts,
            "seconds": round(time.monotonic() - started, 3),
        }

    def _follow_up(self, batches: int = 0) -> dict:
        """Follow up what is waiting, up to ``batches`` batches (0: until none is left)."""
        started = time.monotonic()
        done = runs = 0
        while n := follow_up.run():
            done, runs = done + n, runs + 1
            if batches and runs >= batches:
                break  # under a flood, let the deadline scan have its turn too
        return {"followed_up": done, "seconds": round(time.monotonic() - started, 3)}

    def _watch(self, every: float, quick: float, max_ticks: int, verbosity: int) -> None:
        stopping = False

        def stop(*_args):
            nonlocal stopping
            stopping = True

        # SIGTERM is how `gongzhi serve` and process managers stop us: finish the tick, exit.
        in_main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, stop) if in_main else None
        self.stdout.write(
            _(
                "Following up new reports every %(quick)s s and watching case deadlines "
                "every %(n)s s (Ctrl-C to stop)."
            )
            % {"quick": quick, "n": every}
        )
        ticks = 0
        next_at = next_quick = time.monotonic()
        try:
            while not stopping:
                if time.monotonic() >= next_quick:
                    done = self._quietly(lambda: self._follow_up(batches=25), "follow-up")
                    if done and verbosity > 1 and done["followed_up"]:
                        self.stdout.write(json.dumps(done))
                    next_quick = time.monotonic() + quick
                if time.monotonic() < next_at:
                    time.sleep(min(0.5, max(0.0, min(next_at, next_quick) - time.monotonic())))
                    continue
                counts = self._quietly(self._tick, "deadline scan")
                if counts and (verbosity > 1 or counts["warned"] or counts["overdue"]):
                    self.stdout.write(json.dumps(counts))
                ticks += 1
                if max_ticks and ticks >= max_ticks:
                    break
                # Fixed-rate schedule, so a slow scan does not push every later one back.
                next_at += every
                if time.monotonic() - next_at > every:
                    next_at = time.monotonic()  # far behind (suspended?): do not burst
        except KeyboardInterrupt:
            pass
        finally:
            if in_main:
                signal.signal(signal.SIGTERM, previous)
            refresh_connection()
        self.stdout.write(_("Stopped following up reports and watching case deadlines."))

    def _quietly(self, job, name: str):
        refresh_connection()
        try:
            return job()
        except DatabaseError:
            # A database hiccup must not kill the watcher; the next run catches up.
            logger.exception("%s failed; retrying on the next run", name)
            return None
