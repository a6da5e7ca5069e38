from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("legal", "0001_points")]

    operations = []
