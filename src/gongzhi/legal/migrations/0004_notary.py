from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("legal", "0003_advice")]

    operations = []
