from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("command", "0004_reports")]

    operations = []
