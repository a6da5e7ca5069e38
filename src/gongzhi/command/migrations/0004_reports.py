from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("command", "0003_early_warnings")]

    operations = []
