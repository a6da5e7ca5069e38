"""`gongzhi simulate --rate N`: a live demo — N new reports a minute through the real
intake service, and open cases moved along by the demo people, one line per event.

Stops on Ctrl-C, on SIGTERM, after --duration seconds or after --events events.
"""

from __future__ import annotations

import signal
import threading
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from gongzhi.cases.intake import follow_up
from gongzhi.core.db import refresh_connection
from gongzhi.demo.simulate import Simulator

MAX_FAILURES = 20  # database errors in a row before the simulator gives up


class Command(BaseCommand):
    help = _("Feed the demo live: new reports at --rate a minute, and open cases moved along.")

    def add_arguments(self, parser):
        parser.add_argument("--rate", type=float, default=6.0, help=_("New reports per minute."))
        parser.add_argument(
            "--duration", type=float, default=0, help=_("Stop after this many seconds (0: never).")
        )
        parser.add_argument(
            "--events", type=int, default=0, help=_("Stop after this many events (0: never).")
        )
        parser.add_argument("--seed", type=int, default=None, help=_("Random seed."))
        parser.add_argument(
            "--moves",
            type=float,
            default=2.0,
            help=_("Steps taken on open cases per new report, on average (default 2)."),
        )

    def handle(self, *args, rate, duration, events, seed, moves, **options):
        if rate <= 0:
            raise CommandError(_("--rate must be a positive number of reports per minute."))
        simulator = Simulator(seed=seed)
        if not simulator.ready:
            raise CommandError(
                _("No grids or categories to simulate with: run `gongzhi demo load`.")
            )
        stopping = threading.Event()
        in_main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, lambda *_a: stopping.set()) if in_main else None
        interval = 60.0 / rate
        started = time.monotonic()
        count = failures = 0

        def emit(event) -> bool:
            nonlocal count
            if event is None:
                return False
            self.stdout.write(event.line())
            count += 1
            return bool(events) and count >= events

        next_at = started
        try:
            while not stopping.is_set():
                if duration and time.monotonic() - started >= duration:
                    break
                refresh_connection()
                try:
                    report = simulator.report()
                    # Under `serve` the watcher would do this too (each case is followed up
                    # once); run alone, the simulator's reports would wait for a watcher.
                    follow_up.run()
                    if emit(report):
                        break
                    done = False
                    for _step in range(simulator.moves(moves)):
                        if emit(simulator.advance()):
                            done = True
                            break
                    if done or emit(simulator.callback() if simulator.rng.random() < 0.3 else None):
                        break
                except DatabaseError as error:
                    failures += 1
                    if failures >= MAX_FAILURES:
                        raise CommandError(
                            _("The database failed %(n)d times in a row: %(error)s")
                            % {"n": failures, "error": error}
                        ) from error
                    self.stderr.write(
                        _("Database error, carrying on: %(error)s") % {"error": error}
                    )
                else:
                    failures = 0
                next_at += interval
                while not stopping.is_set() and time.monotonic() < next_at:
                    if duration and time.monotonic() - started >= duration:
                        break
                    stopping.wait(min(0.2, max(0.0, next_at - time.monotonic())))
        except KeyboardInterrupt:
            pass
        finally:
            if in_main:
                signal.signal(signal.SIGTERM, previous)
        self.stdout.write(
            _("Simulation stopped after %(n)d events in %(s).0f s.")
            % {"n": count, "s": time.monotonic() - started}
        )
