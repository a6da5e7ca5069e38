from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("command", "0003_warnings")]

    operations = []
