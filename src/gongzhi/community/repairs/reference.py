"""The repairs room's reference rows and their defaults (seeded by its migration; tests and
the demo call ``ensure_seeded``, which adds what is missing and changes nothing else).

- the repair category tree under its own root "报事报修" (used by the REPAIR channel only);
- a fallback SLA policy on that root, for a company that has no promise rows yet;
- the REPAIR channel's policy: accepted and dispatched at once, so the company has it
  the moment the resident sends it;
- the existing 物业 categories of the ordinary case queue as complaint categories.
"""

from __future__ import annotations

ROOT_CODE = "RP"
ROOT_NAME = "报事报修"
SLA_CODE = "repair"
# (code suffix, name, keywords)
CATEGORIES = [
    ("01", "水电维修", "停水 停电 漏水 水管 电路 跳闸"),
    ("02", "门窗", "单元门 门禁 窗户 玻璃"),
    ("03", "电梯", "电梯 困人 故障"),
    ("04", "公共照明", "路灯 楼道灯 灯"),
    ("05", "管道堵塞", "下水道 堵塞 化粪池"),
    ("06", "绿化环卫", "垃圾 清扫 绿化"),
    ("99", "其他", ""),
]
# (parent name, name): the 物业 categories of the seeded taxonomy.
COMPLAINTS = [("住房保障与房地产", "物业服务"), ("矛盾纠纷", "物业纠纷")]
SEPARATOR = " / "


def seed(Category, SlaPolicy, ChannelPolicy, ComplaintCategory) -> None:
    """Add the missing rows; works on the real models and on a migration's historical ones
    (which have no custom ``save``: path, level and full name are set here)."""
    sla, _ = SlaPolicy.objects.get_or_create(
        code=SLA_CODE,
        defaults={
            "name": "报事报修",
            "sign_for_value": 30,
            "sign_for_unit": "minutes",
            "resolve_value": 24,
            "resolve_unit": "hours",
            "order": 90,
        },
    )
    root = Category.objects.filter(code=ROOT_CODE).first()
    if root is None:
        root = Category(
            code=ROOT_CODE,
            name=ROOT_NAME,
            level=1,
            path=f"/{ROOT_CODE}/",
            full_name=ROOT_NAME,
            sla=sla,
            color="#0d9488",
            order=900,
            # a household's repair is not for public feeds
            is_public=False,
        )
        root.save()
    for suffix, name, keywords in CATEGORIES:
        code = f"{ROOT_CODE}.{suffix}"
        if Category.objects.filter(code=code).exists():
            continue
        Category(
            code=code,
            name=name,
            parent=root,
            level=2,
            path=f"{root.path}{code}/",
            full_name=f"{root.full_name}{SEPARATOR}{name}",
            keywords=keywords,
            color=root.color,
            order=int(suffix),
            is_public=False,
        ).save()
    ChannelPolicy.objects.get_or_create(
        channel="repair", defaults={"auto_accept": True, "auto_dispatch": True}
    )
    for parent, name in COMPLAINTS:
        for category in Category.objects.filter(name=name, parent__name=parent):
            ComplaintCategory.objects.get_or_create(category=category)


def ensure_seeded() -> None:
    from gongzhi.cases.models import ChannelPolicy
    from gongzhi.community.models import ComplaintCategory
    from gongzhi.taxonomy.models import Category, SlaPolicy

    seed(Category, SlaPolicy, ChannelPolicy, ComplaintCategory)


def repair_categories():
    """The enabled repair categories a resident chooses from (the root's children)."""
    from gongzhi.taxonomy.models import Category

    return Category.objects.filter(parent__code=ROOT_CODE, enabled=True).order_by("order", "pk")
