"""Give the categories their owning units in the 海东 demo (after demo.accounts).

``load(stdout=None) -> dict`` sets the owner of each first-level category (and of a few
second-level ones that belong to another department) to a 海东 city department, looked up
by the organisation codes that ``demo.accounts`` defines. Idempotent: an owner that is
already right is not written again; a category or department that is missing is skipped.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import Organisation
from gongzhi.demo.accounts import COMMAND_CENTRE, city_department_code
from gongzhi.taxonomy.models import Category

# category full name → city department key (demo.accounts.CITY_DEPARTMENTS)
OWNERS: dict[str, str] = {
    # the grid-governance categories
    "市容环境": "CGJ",
    "道路与井盖": "CGJ",
    "治安隐患": "GAJ",
    "矛盾纠纷": "SFJ",
    "安全生产": "YJGLJ",
    "公共设施": "ZJJ",
    "特殊人群服务": "MZJ",
    "政策咨询": COMMAND_CENTRE,
    # the 3-level scheme
    "城乡建设": "ZJJ",
    "党务政务": "ZFB",
    "国土资源": "ZRZYJ",
    "环境保护": "STHJJ",
    "纪检监察": "JW",
    "交通运输": "JTYSJ",
    "经济管理": "FGW",
    "科技与信息产业": "GXJ",
    "民政": "MZJ",
    "农村农业": "NYNCJ",
    "商贸旅游": "SCJGJ",
    "卫生计生": "WJW",
    "政法": "ZFW",
    "教育文体": "JYJ",
    "劳动和社会保障": "RSJ",
    # second-level units that are another department's business
    "道路与井盖 / 交通设施损坏": "JTYSJ",
    "道路与井盖 / 违章停车": "GAJ",
    "公共设施 / 供水故障": "SWJ",
    "安全生产 / 燃气隐患": "ZJJ",
    "安全生产 / 特种设备": "SCJGJ",
    "安全生产 / 地质灾害隐患": "ZRZYJ",
    "政策咨询 / 社保医保咨询": "RSJ",
    "政策咨询 / 户籍证件咨询": "GAJ",
}


def load(*, stdout=None) -> dict[str, int]:
    codes = {name: city_department_code(key) for name, key in OWNERS.items()}
    organisations = {o.code: o for o in Organisation.objects.filter(code__in=set(codes.values()))}
    changed, missing = [], 0
    with transaction.atomic():
        categories = {c.full_name: c for c in Category.objects.filter(full_name__in=list(codes))}
        for full_name, code in codes.items():
            category, owner = categories.get(full_name), organisations.get(code)
            if category is None or owner is None:
                missing += 1
                continue
            if category.owner_id != owner.pk:
                category.owner = owner
                category.updated_at = timezone.now()
                changed.append(category)
        Category.objects.bulk_update(changed, ["owner", "updated_at"])
    if stdout is not None:
        stdout.write(f"taxonomy: {len(changed)} category owners set, {missing} skipped\n")
    return {"updated": len(changed), "skipped": missing}
