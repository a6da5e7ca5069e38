# The meetings room's own schema changes, if any (filled by that room).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("deliberation", "0003_topics")]
    operations: list = []
