"""`manage.py notify retry`: queue due deliveries again. Idempotent, so cron-safe."""

from django.core.management.base import BaseCommand

from gongzhi.notify import services


class Command(BaseCommand):
    help = "Notification maintenance. `retry` queues pending and failed deliveries that are due."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        retry = sub.add_parser(
            "retry", help="Queue due pending/failed deliveries (safe beside the worker)."
        )
        retry.add_argument("--limit", type=int, default=1000, help="At most this many per run.")

    def handle(self, *args, action, **options):
        if action == "retry":
            queued = services.retry_due(limit=options["limit"])
            self.stdout.write(f"queued {queued} deliveries")
            stuck = services.stuck_sending().count()
            if stuck:
                # Not re-sent automatically: the first send may have gone out. An
                # administrator decides, with "Retry now" in the admin.
                self.stderr.write(
                    f"{stuck} deliveries stuck in 'sending' (a worker died mid-send?); "
                    "review them in the admin"
                )
