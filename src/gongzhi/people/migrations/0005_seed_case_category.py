"""Fill ``CareGroup.case_category`` for the seeded groups from the table ``people.visits``
used to keep (group code → subcategory of 特殊人群服务 in the governance taxonomy).

Only empty rows are filled, so an administrator's choice stays. A database without the
category (a taxonomy trimmed or never seeded) leaves the group empty: its needs go to the
parent category, as before. Restricted groups keep the parent whatever their row says
(``visits._need_category``)."""

from django.db import migrations

PARENT = "特殊人群服务"
SEPARATOR = " / "  # as taxonomy's Category.full_name
SUBCATEGORY = {
    "elderly_alone": "独居老人关爱",
    "empty_nest_elderly": "独居老人关爱",
    "left_behind_child": "留守儿童关爱",
    "child_in_hardship": "留守儿童关爱",
    "disabled": "残疾人帮扶",
}


def fill(apps, schema_editor):
    CareGroup = apps.get_model("people", "CareGroup")
    Category = apps.get_model("taxonomy", "Category")
    for code, sub in SUBCATEGORY.items():
        category = (
            Category.objects.filter(full_name=f"{PARENT}{SEPARATOR}{sub}").order_by("pk").first()
        )
        if category is not None:
            CareGroup.objects.filter(code=code, case_category__isnull=True).update(
                case_category=category
            )


def empty(apps, schema_editor):
    CareGroup = apps.get_model("people", "CareGroup")
    CareGroup.objects.filter(code__in=list(SUBCATEGORY)).update(case_category=None)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0004_case_category_visit_region"),
        ("taxonomy", "0002_seed_reference_data"),
    ]
    operations = [migrations.RunPython(fill, empty)]
