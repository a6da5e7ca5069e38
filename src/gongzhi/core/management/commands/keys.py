"""gongzhi keys status | rotate [--digest] | retire: the keys of personal data at rest."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from gongzhi.core import sealing


class Command(BaseCommand):
    help = (
        "The keys that seal ID numbers and phones at rest (core.crypto): status, rotate (a new "
        "key, every value sealed again; --digest also makes a new lookup key), retire (drop the "
        "old keys once no value needs them)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["status", "rotate", "retire"])
        parser.add_argument("--digest", action="store_true", help="also a new lookup key")

    def handle(self, *args, action, digest, **options):
        try:
            if action == "rotate":
                done = sealing.rotate(digest=digest)
            elif action == "retire":
                done = sealing.retire()
            else:
                done = sealing.status()
        except (ImproperlyConfigured, sealing.NotReady) as error:
            raise CommandError(str(error)) from None
        for line in done:
            self.stdout.write(line)
