"""The repairs room's changes after 0001: its reference rows (repair categories, the REPAIR
channel's policy, the 物业 complaint categories)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from gongzhi.community.repairs.reference import seed

    seed(
        apps.get_model("taxonomy", "Category"),
        apps.get_model("taxonomy", "SlaPolicy"),
        apps.get_model("cases", "ChannelPolicy"),
        apps.get_model("community", "ComplaintCategory"),
    )


def backwards(apps, schema_editor):
    from gongzhi.community.repairs.reference import ROOT_CODE, SLA_CODE

    Category = apps.get_model("taxonomy", "Category")
    apps.get_model("community", "ComplaintCategory").objects.all().delete()
    apps.get_model("cases", "ChannelPolicy").objects.filter(channel="repair").delete()
    Category.objects.filter(parent__code=ROOT_CODE).delete()
    Category.objects.filter(code=ROOT_CODE).delete()
    apps.get_model("taxonomy", "SlaPolicy").objects.filter(code=SLA_CODE).delete()


class Migration(migrations.Migration):
    dependencies = [("community", "0001_initial")]
    operations: list = [migrations.RunPython(forwards, backwards)]
