from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("legal", "0002_aid")]

    operations = []
