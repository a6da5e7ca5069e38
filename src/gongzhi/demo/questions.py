"""Extra questions (Open311 attributes) for a few categories of the 海东 demo.

``load(stdout=None) -> dict`` adds the questions and their allowed answers that are
missing, by category code and question code; a row an administrator has edited is left
as it is, so loading twice changes nothing.
"""

from __future__ import annotations

from django.db import transaction

from gongzhi.taxonomy.models import AttributeDatatype as D
from gongzhi.taxonomy.models import Category, CategoryAttribute, CategoryAttributeValue

# category code → [(code, question, datatype, required, hint, [(key, name), …]), …]
QUESTIONS: dict[str, list[tuple]] = {
    "G02.01": [  # 道路与井盖 / 井盖缺失破损
        (
            "manhole_state",
            "井盖是什么情况？",
            D.SINGLE,
            True,
            "",
            [("missing", "缺失"), ("broken", "破损"), ("loose", "松动"), ("sunken", "下沉")],
        ),
        (
            "lane",
            "井盖在哪里？",
            D.SINGLE,
            False,
            "",
            [("carriageway", "机动车道"), ("sidewalk", "人行道"), ("green", "绿化带")],
        ),
    ],
    "G02.03": [  # 道路与井盖 / 路面坑洼
        ("area_m2", "坑洼面积大约多少？", D.NUMBER, False, "单位：平方米", []),
    ],
    "G02.04": [  # 道路与井盖 / 路灯损坏
        ("pole_number", "灯杆上的编号", D.STRING, False, "灯杆上喷涂的编号，如 LD-0231", []),
        ("lamps_out", "有几盏不亮？", D.NUMBER, True, "盏", []),
    ],
    "G01.03": [  # 市容环境 / 垃圾清运
        (
            "waste",
            "是哪类垃圾？",
            D.MULTI,
            True,
            "可多选",
            [
                ("household", "生活垃圾"),
                ("kitchen", "餐厨垃圾"),
                ("construction", "建筑垃圾"),
                ("bulky", "大件垃圾"),
            ],
        ),
    ],
    "G05.01": [  # 安全生产 / 消防隐患
        ("notice", "如有明火或人员被困，请立即拨打 119。", D.STRING, False, "", []),
        ("observed_at", "什么时候发现的？", D.DATETIME, False, "", []),
    ],
}
INFORMATION_ONLY = {("G05.01", "notice")}


def load(*, stdout=None) -> dict[str, int]:
    added = values_added = 0
    with transaction.atomic():
        categories = {c.code: c for c in Category.objects.filter(code__in=list(QUESTIONS))}
        for code, questions in QUESTIONS.items():
            category = categories.get(code)
            if category is None:
                continue
            for order, (qcode, text, datatype, required, hint, values) in enumerate(questions, 1):
                question, created = CategoryAttribute.objects.get_or_create(
                    category=category,
                    code=qcode,
                    defaults={
                        "description": text,
                        "datatype": datatype,
                        "required": required,
                        "datatype_description": hint,
                        "variable": (code, qcode) not in INFORMATION_ONLY,
                        "order": order,
                    },
                )
                added += created
                for vorder, (key, name) in enumerate(values, 1):
                    _value, made = CategoryAttributeValue.objects.get_or_create(
                        attribute=question, key=key, defaults={"name": name, "order": vorder}
                    )
                    values_added += made
    if stdout is not None:
        stdout.write(f"taxonomy: {added} extra questions, {values_added} answers added\n")
    return {"questions": added, "values": values_added}
