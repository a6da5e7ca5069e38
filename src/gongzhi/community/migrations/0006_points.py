"""The points room's changes after 0001 (reference rows, fields it adds)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("community", "0005_patrols")]
    operations: list = []
