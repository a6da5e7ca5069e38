"""The camera and device types 海东 starts from. An administrator edits them in the admin;
this only adds what is missing.

Thresholds: a manhole cover tilted more than 15° is off its frame; water above 2.5 m under
a bridge is the warning level of the city's flood plan; a smoke detector reports 1 when it
sees smoke; a gas detector's alarm is 20% of the lower explosive limit (GB 15322); a fire
hydrant's pressure must stay at or above 0.1 MPa (GB 50974). Case categories are those of
the governance scheme (taxonomy ``governance.csv``): G02.01 井盖缺失破损, G02.06 道路积水,
G05.01 消防隐患, G05.02 燃气隐患."""

from django.db import migrations

CAMERA_TYPES = [
    # code, name, pans (PTZ), colour
    ("bullet", "枪机", False, "#2563eb"),
    ("dome", "球机", True, "#7c3aed"),
    ("half_dome", "半球", False, "#0891b2"),
    ("panoramic", "全景", False, "#059669"),
    ("checkpoint", "卡口", False, "#d97706"),
]

DEVICE_TYPES = [
    # code, name, quantity, unit, alarm when, threshold, valid range, heartbeat (s),
    # readings in a row, urgent, case category, colour
    ("manhole_cover", "智能井盖", "倾角", "°", "above", 15, (0, 90), 3600, 2, True, "G02.01", "#b45309"),
    ("water_level", "水位监测", "水位", "m", "above", 2.5, (0, 20), 600, 3, True, "G02.06", "#0284c7"),
    ("smoke", "独居老人烟感", "烟雾", "", "above", 0.5, (0, 1), 14400, 1, True, "G05.01", "#dc2626"),
    ("gas", "燃气泄漏报警", "燃气浓度", "%LEL", "above", 20, (0, 100), 14400, 1, True, "G05.02", "#ea580c"),
    ("hydrant", "消防栓水压", "水压", "MPa", "below", 0.1, (0, 2.5), 3600, 3, False, "G05.01", "#be123c"),
]


def seed(apps, schema_editor):
    CameraType = apps.get_model("sensing", "CameraType")
    DeviceType = apps.get_model("sensing", "DeviceType")
    for order, (code, name, pans, colour) in enumerate(CAMERA_TYPES):
        CameraType.objects.get_or_create(
            code=code,
            defaults={"name": name, "pans": pans, "colour": colour, "order": (order + 1) * 10},
        )
    for order, row in enumerate(DEVICE_TYPES):
        code, name, quantity, unit, comparison, threshold, (low, high), heartbeat = row[:8]
        debounce, urgent, category, colour = row[8:]
        DeviceType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "quantity": quantity,
                "unit": unit,
                "comparison": comparison,
                "threshold": threshold,
                "valid_min": low,
                "valid_max": high,
                "heartbeat_seconds": heartbeat,
                "debounce": debounce,
                "urgent": urgent,
                "category_code": category,
                "colour": colour,
                "order": (order + 1) * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("sensing", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
