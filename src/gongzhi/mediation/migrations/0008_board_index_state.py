# The open-board index also carries ``state`` and ``id``, so the board reads its counts and
# the ids of a page from the index alone. SQLite receives the state as a bound parameter
# and re-checks ``NOT (state = ?)`` on every row: without the column in the index it read
# each open dispute's table row (4-5x slower at 200,000 disputes); PostgreSQL needs ``id``
# in it for an index-only scan of the page's ids.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("mediation", "0007_one_dispute_per_referral"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="dispute", name="mediation_open_board"),
        migrations.AddIndex(
            model_name="dispute",
            index=models.Index(
                condition=models.Q(("state", "closed"), _negated=True),
                fields=[
                    "region_path",
                    "holder",
                    "registered_by",
                    "risk",
                    "level",
                    "type",
                    "created_at",
                    "state",
                    "id",
                ],
                name="mediation_open_board",
            ),
        ),
    ]
