"""``gongzhi deliberation tick``: the hall's periodic work once (topics past their answer
date, meeting notices and voting windows, publications ending, implementations late). Each
notice goes out once however often it runs, so a cron line or ``gongzhi serve`` may call it."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "The deliberation hall's periodic work: `tick` runs it once."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["tick"], help="tick: run the periodic work once")

    def handle(self, *args, **options):
        if options["action"] != "tick":  # argparse refuses others; kept for a clear message
            raise CommandError("unknown action")
        from gongzhi.deliberation import jobs

        result = jobs.tick()
        self.stdout.write(json.dumps(result, ensure_ascii=False, default=str))
