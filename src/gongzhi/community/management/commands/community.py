"""``gongzhi community tick``: run the community app's periodic jobs now."""

import json

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "The community app's periodic jobs (escalations, notices due, scores, reminders)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["tick"])

    def handle(self, *args, **options):
        from gongzhi.community import jobs

        done = jobs.tick()
        self.stdout.write(json.dumps(done, ensure_ascii=False, default=str))
