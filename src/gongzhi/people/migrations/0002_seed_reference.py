"""The care levels and groups 海东 starts from. An administrator edits them in the admin;
this only adds what is missing.

Who sees a group's members: ``open_to_local`` groups are seen by the member's grid worker
and the community, township and county that govern the place; the others only by the units
whose function the row lists (SFJ justice, GAJ police, MZJ civil affairs, WJW health), in
the places they serve."""

from django.db import migrations

LEVELS = [
    # code, name, visit every (days), colour
    ("weekly", "每周走访", 7, "#dc2626"),
    ("fortnightly", "每两周走访", 14, "#f59e0b"),
    ("monthly", "每月走访", 30, "#2563eb"),
    ("quarterly", "每季度走访", 90, "#6b7280"),
]

GROUPS = [
    # code, name, functions, open to the grid and local government, default level, colour
    ("left_behind_child", "留守儿童", "MZJ", True, "monthly", "#0ea5e9"),
    ("child_in_hardship", "困境儿童", "MZJ", False, "fortnightly", "#06b6d4"),
    ("elderly_alone", "独居老人", "MZJ", True, "weekly", "#f97316"),
    ("empty_nest_elderly", "空巢老人", "MZJ", True, "monthly", "#fb923c"),
    ("disabled", "残疾人", "MZJ", True, "quarterly", "#8b5cf6"),
    ("community_correction", "社区矫正对象", "SFJ,GAJ", False, "weekly", "#7f1d1d"),
    ("released_prisoner", "刑满释放人员", "SFJ,GAJ", False, "monthly", "#92400e"),
    ("severe_mental_illness", "严重精神障碍患者", "WJW,GAJ", False, "fortnightly", "#be185d"),
]


def seed(apps, schema_editor):
    CareLevel = apps.get_model("people", "CareLevel")
    CareGroup = apps.get_model("people", "CareGroup")
    levels = {}
    for order, (code, name, days, colour) in enumerate(LEVELS):
        levels[code], _created = CareLevel.objects.get_or_create(
            code=code,
            defaults={"name": name, "visit_days": days, "colour": colour, "order": (order + 1) * 10},
        )
    for order, (code, name, functions, is_open, level, colour) in enumerate(GROUPS):
        CareGroup.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "functions": functions,
                "open_to_local": is_open,
                "default_level": levels[level],
                "colour": colour,
                "order": (order + 1) * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
