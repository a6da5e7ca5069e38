# The topics room's own schema changes: the village's rule as it stood when a topic was raised.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("deliberation", "0002_seed_rules")]
    operations = [
        migrations.AddField(
            model_name="topic",
            name="answer_days",
            field=models.PositiveSmallIntegerField(
                default=10, verbose_name="working days to answer"
            ),
        ),
        migrations.AddField(
            model_name="topic",
            name="one_per_household",
            field=models.BooleanField(default=False, verbose_name="one support per household"),
        ),
    ]
