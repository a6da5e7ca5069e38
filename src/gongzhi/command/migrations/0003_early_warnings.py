from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("command", "0002_assessment")]

    operations = []
