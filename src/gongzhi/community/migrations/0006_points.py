"""The points room's changes after 0001: its rules (积分规则)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from gongzhi.community.points.reference import seed

    seed(apps.get_model("community", "PointRule"))


def backwards(apps, schema_editor):
    from gongzhi.community.points.reference import CODES

    PointRule = apps.get_model("community", "PointRule")
    PointRule.objects.filter(code__in=CODES, entries__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("community", "0005_patrols")]
    operations: list = [migrations.RunPython(forwards, backwards)]
