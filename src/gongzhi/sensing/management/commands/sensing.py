"""`gongzhi sensing listen|simulate|watch`: the sensors' MQTT ingester, the demo's device
traffic, and the video watcher.

* ``listen`` takes readings from the MQTT broker (``mqtt``) until stopped; it says so when
  the broker cannot be reached and keeps trying.
* ``simulate`` publishes device traffic to the broker (``simulate``).
* ``watch`` runs the video watcher over the cameras' streams (``video.watch``).
"""

from __future__ import annotations

import json
import logging
import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = _("Sensors and cameras: `listen` (MQTT ingester), `simulate`, `watch` (video).")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        listen = sub.add_parser("listen", help=_("Take sensors' readings from the MQTT broker."))
        listen.add_argument("--client-id", default="", help=_("MQTT client id (a fixed one)."))
        listen.add_argument(
            "--stats-every",
            type=float,
            default=60.0,
            help=_("Seconds between counter logs (default 60)."),
        )
        simulate = sub.add_parser("simulate", help=_("Publish device traffic for the demo."))
        simulate.add_argument(
            "--devices", type=int, default=0, help=_("How many devices (default: all enabled).")
        )
        simulate.add_argument(
            "--rate",
            type=float,
            default=60.0,
            help=_("Speed-up: each device reports every heartbeat / RATE seconds (default 60)."),
        )
        simulate.add_argument(
            "--seconds", type=float, default=0.0, help=_("Stop after this long (0: never).")
        )
        simulate.add_argument(
            "--faults",
            type=float,
            default=0.02,
            help=_("Chance that a report starts a fault (default 0.02; 0: none)."),
        )
        simulate.add_argument("--seed", type=int, default=None, help=_("Random seed."))
        simulate.add_argument(
            "--cameras",
            action="store_true",
            help=_("Also keep the cameras alive each minute, as their video platform would."),
        )
        watch = sub.add_parser("watch", help=_("Analyse the cameras' video streams."))
        watch.add_argument(
            "--camera",
            dest="cameras",
            action="append",
            default=[],
            help=_("A camera's national code (repeatable; default: every enabled camera)."),
        )
        watch.add_argument(
            "--once", action="store_true", help=_("One pass over each stream, then exit.")
        )
        watch.add_argument(
            "--max-seconds", type=float, default=None, help=_("Stop after this long.")
        )

    def handle(self, *args, verb, **options):
        if verb == "listen":
            self._listen(options)
        elif verb == "simulate":
            self._simulate(options)
        else:
            # Imported here: the ingester and the simulator need no OpenCV.
            from gongzhi.sensing.video import watch

            watch.main(
                {
                    "cameras": options["cameras"],
                    "once": options["once"],
                    "max_seconds": options["max_seconds"],
                }
            )

    def _listen(self, options) -> None:
        from gongzhi.sensing import mqtt

        if options["stats_every"] <= 0:
            raise CommandError(_("--stats-every must be a positive number of seconds."))
        try:
            ingester = mqtt.Ingester(client_id=options["client_id"] or None)
        except ValueError as error:
            raise CommandError(_("The MQTT broker address is not valid: %s") % error) from None
        self.stdout.write(
            _(
                "Listening for sensors' readings on %(topic)s at %(broker)s (Ctrl-C to stop). "
                "If the broker cannot be reached, this keeps trying."
            )
            % {"topic": ingester.topic, "broker": ingester.client.where}
        )
        done = threading.Event()
        logs = threading.Thread(
            target=mqtt.log_stats, args=(ingester, done, options["stats_every"]), daemon=True
        )
        logs.start()
        in_main = threading.current_thread() is threading.main_thread()
        previous = (
            signal.signal(signal.SIGTERM, lambda *_a: ingester.client.disconnect())
            if in_main
            else None
        )
        try:
            ingester.run()
        except KeyboardInterrupt:
            ingester.client.disconnect()
        finally:
            done.set()
            if in_main:
                signal.signal(signal.SIGTERM, previous)
        self.stdout.write(json.dumps(ingester.snapshot()))
        self.stdout.write(_("Stopped listening."))

    def _simulate(self, options) -> None:
        from gongzhi.sensing import simulate

        if options["rate"] <= 0 or options["seconds"] < 0 or not 0 <= options["faults"] <= 1:
            raise CommandError(
                _("--rate must be positive, --seconds not negative, --faults between 0 and 1.")
            )
        self.stdout.write(
            _("Publishing device traffic (Ctrl-C to stop).")
            if not options["seconds"]
            else _("Publishing device traffic for %s s.") % options["seconds"]
        )
        counts = simulate.run(
            devices=options["devices"],
            rate=options["rate"],
            seconds=options["seconds"],
            faults=options["faults"],
            seed=options["seed"],
            cameras=options["cameras"],
        )
        if not counts["devices"]:
            raise CommandError(_("No device is registered and in service: nothing to simulate."))
        self.stdout.write(json.dumps(counts))
