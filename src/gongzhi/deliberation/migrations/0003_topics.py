# The topics room's own schema changes, if any (filled by that room).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("deliberation", "0002_seed_rules")]
    operations: list = []
