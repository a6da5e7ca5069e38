from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("command", "0001_rollups")]

    operations = []
