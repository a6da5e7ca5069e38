"""The reference rows 海东 starts from: dispute types, risk rules, time at each level.
An administrator edits them in the admin; this only adds what is missing."""

from django.db import migrations

TYPES = [
    ("marriage_family", "婚姻家庭", "#ec4899"),
    ("neighbour", "邻里纠纷", "#f59e0b"),
    ("homestead", "宅基地纠纷", "#84cc16"),
    ("land_contract", "土地承包与流转", "#65a30d"),
    ("boundary", "草场/山林边界", "#15803d"),
    ("labour_wages", "劳动争议与欠薪", "#ef4444"),
    ("property_mgmt", "物业纠纷", "#06b6d4"),
    ("land_requisition", "征地拆迁", "#7c3aed"),
    ("medical", "医疗纠纷", "#0ea5e9"),
    ("traffic", "交通事故", "#64748b"),
    ("consumer", "消费纠纷", "#a855f7"),
    ("contract_debt", "合同债务", "#d97706"),
    ("other", "其他", "#6b7280"),
]

RULES = [
    # code, name, condition, words, threshold, risk, reason
    ("violence", "暴力威胁", "words", "打死\n杀了\n砍\n动刀\n报复\n拼命\n同归于尽", None, "major", "有暴力威胁言语"),
    ("self_harm", "自伤自杀", "words", "自杀\n跳楼\n喝药\n不想活\n寻短见", None, "major", "有自伤自杀倾向"),
    ("group", "群体性", "group", "", 5, "serious", "一方人数5人以上"),
    ("big_group", "大规模群体性", "group", "", 30, "major", "一方人数30人以上"),
    ("repeat", "重复纠纷", "repeat", "", None, "serious", "12个月内重复发生"),
    ("vulnerable", "弱势当事人", "vulnerable", "", None, "serious", "当事人为老弱病残等弱势群体"),
    ("petition", "越级上访", "petition", "", 1, "serious", "曾向上级上访"),
    ("amount", "涉案金额大", "amount", "", 500000, "serious", "涉案金额50万元以上"),
]

LEVELS = [("village", 30, "general"), ("township", 30, "serious"), ("county", 60, "major")]


def seed(apps, schema_editor):
    DisputeType = apps.get_model("mediation", "DisputeType")
    RiskRule = apps.get_model("mediation", "RiskRule")
    LevelPolicy = apps.get_model("mediation", "LevelPolicy")
    for order, (code, name, colour) in enumerate(TYPES):
        DisputeType.objects.get_or_create(
            code=code, defaults={"name": name, "colour": colour, "order": (order + 1) * 10}
        )
    for order, (code, name, condition, words, threshold, risk, reason) in enumerate(RULES):
        RiskRule.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "condition": condition,
                "words": words,
                "threshold": threshold,
                "risk": risk,
                "reason": reason,
                "order": (order + 1) * 10,
            },
        )
    for level, days, max_risk in LEVELS:
        LevelPolicy.objects.get_or_create(level=level, defaults={"days": days, "max_risk": max_risk})


class Migration(migrations.Migration):
    dependencies = [("mediation", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
