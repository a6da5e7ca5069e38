"""Seed routing rules and channel policies (reference data: editable in the admin).

Only missing rows are added, so an administrator's edits survive re-running.
"""

from django.db import migrations

# category full name → (handling level, department function; "" = the category owner's)
ROUTING = {
    "市容环境": ("county_department", ""),
    "市容环境 / 乱堆乱放": ("community", ""),
    "市容环境 / 犬只管理": ("community", ""),
    "道路与井盖": ("county_department", ""),
    "治安隐患": ("county_department", ""),
    "矛盾纠纷": ("township", ""),
    "矛盾纠纷 / 邻里纠纷": ("community", ""),
    "矛盾纠纷 / 婚姻家庭纠纷": ("community", ""),
    "安全生产": ("county_department", ""),
    "公共设施": ("county_department", ""),
    "特殊人群服务": ("community", ""),
    "政策咨询": ("city_department", ""),
    "城乡建设": ("county_department", ""),
    "国土资源": ("county_department", ""),
    "环境保护": ("county_department", ""),
    "交通运输": ("county_department", ""),
    "民政": ("county_department", ""),
    "农村农业": ("county_department", ""),
    "商贸旅游": ("county_department", ""),
    "卫生计生": ("county_department", ""),
    "教育文体": ("county_department", ""),
    "劳动和社会保障": ("county_department", ""),
}

# channel → (accept automatically, dispatch automatically)
CHANNELS = {
    "grid_worker": (True, True),   # a grid worker's own report has been seen on the spot
    "hotline": (True, False),      # the operator has already screened the call
    "sensor": (True, False),
    "quick_report": (False, False),
    "open311": (False, False),
    "api": (False, False),
}


def seed(apps, schema_editor):
    Category = apps.get_model("taxonomy", "Category")
    RoutingRule = apps.get_model("cases", "RoutingRule")
    ChannelPolicy = apps.get_model("cases", "ChannelPolicy")
    categories = {c.full_name: c for c in Category.objects.filter(full_name__in=list(ROUTING))}
    for name, (level, function) in ROUTING.items():
        category = categories.get(name)
        if category is not None:
            RoutingRule.objects.get_or_create(
                category=category, defaults={"level": level, "department_function": function}
            )
    for channel, (accept, dispatch) in CHANNELS.items():
        ChannelPolicy.objects.get_or_create(
            channel=channel, defaults={"auto_accept": accept, "auto_dispatch": dispatch}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("taxonomy", "0002_seed_reference_data"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
