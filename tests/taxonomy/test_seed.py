"""The taxonomy and SLA policies seeded by the data migration."""

import csv
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError

from gongzhi.taxonomy import seed
from gongzhi.taxonomy.models import Category, SlaPolicy

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def test_the_shipped_csv_is_seeded_in_full():
    with open(seed.DATA_DIR / "taxonomy.csv", encoding="utf-8") as f:
        rows = list(csv.reader(f))[1:]
    teddy = Category.objects.filter(code__startswith="T")
    assert teddy.filter(level=1).count() == 15
    assert teddy.filter(level=2).count() == len({(a, b) for a, b, _ in rows}) == 118
    assert teddy.filter(level=3).count() == len(rows) == 517
    assert len(set(teddy.filter(level=2).values_list("name", flat=True))) == 103
    assert len(set(teddy.filter(level=3).values_list("name", flat=True))) == 390
    for a, b, c in rows[::37]:
        assert Category.objects.filter(full_name=f"{a} / {b} / {c}", level=3).exists()


def test_codes_are_stable_and_readable():
    first = Category.objects.get(code="T01")
    assert first.name == "城乡建设" and first.level == 1 and first.parent is None
    assert Category.objects.get(code="T01.01").full_name == "城乡建设 / 安全生产"
    leaf = Category.objects.get(code="T01.02.002")
    assert leaf.full_name == "城乡建设 / 城市建设和市政管理 / 城管执法"
    assert leaf.path == "/T01/T01.02/T01.02.002/"
    assert leaf.level == 3


def test_governance_categories():
    names = list(
        Category.objects.filter(code__startswith="G", level=1).values_list("name", flat=True)
    )
    assert names == [
        "市容环境",
        "道路与井盖",
        "治安隐患",
        "矛盾纠纷",
        "安全生产",
        "公共设施",
        "特殊人群服务",
        "政策咨询",
    ]
    disputes = Category.objects.get(name="矛盾纠纷", level=1)
    assert {"邻里纠纷", "婚姻家庭纠纷", "劳资纠纷", "土地纠纷"} <= set(
        disputes.children.values_list("name", flat=True)
    )
    manhole = Category.objects.get(name="井盖缺失破损")
    assert manhole.code == "G02.01" and manhole.parent.name == "道路与井盖"
    assert "窨井" in manhole.keywords
    # No second environment tree beside the scheme's 环境保护.
    assert (
        not Category.objects.filter(level=1, name__in=["生态环境", "环境保护"])
        .exclude(code__startswith="T")
        .exists()
    )
    # Every first-level name is unique.
    roots = list(Category.objects.filter(level=1).values_list("name", flat=True))
    assert len(roots) == len(set(roots)) == 24
    # One of them is the community app's 报事报修, kept for repair requests alone.
    assert Category.objects.get(level=1, code="RP").name == "报事报修"


def test_sla_policies():
    policies = {p.code: p for p in SlaPolicy.objects.all()}
    # "repair" is the community app's fallback for a property company without promises.
    assert set(policies) == {"urgent", "general", "complex", "consultation", "repair"}
    urgent = policies["urgent"]
    assert (urgent.name, urgent.sign_for_value, urgent.sign_for_unit) == ("紧急", 20, "minutes")
    assert (urgent.resolve_value, urgent.resolve_unit) == (2, "hours")
    general = policies["general"]
    assert (
        general.sign_for_value,
        general.sign_for_unit,
        general.resolve_value,
        general.resolve_unit,
    ) == (2, "hours", 5, "workdays")
    assert (policies["complex"].resolve_value, policies["complex"].resolve_unit) == (15, "workdays")
    assert (policies["consultation"].sign_for_value, policies["consultation"].resolve_unit) == (
        1,
        "workdays",
    )


def test_every_category_has_an_effective_sla():
    for category in Category.objects.select_related("sla", "parent__sla", "parent__parent__sla"):
        assert category.effective_sla() is not None, category.full_name


def test_effective_sla_inherits_and_overrides():
    manhole = Category.objects.get(name="井盖缺失破损")
    assert manhole.sla.code == "urgent"
    assert manhole.parent.effective_sla().code == "general"
    neighbours = Category.objects.get(name="邻里纠纷")
    assert neighbours.sla is None and neighbours.effective_sla().code == "complex"
    leaf = Category.objects.get(full_name="城乡建设 / 城市建设和市政管理 / 城管执法")
    assert leaf.sla is None and leaf.effective_sla().code == "general"
    # Change the parent's policy: the child follows.
    middle = leaf.parent
    middle.sla = SlaPolicy.objects.get(code="complex")
    middle.save()
    leaf.refresh_from_db()
    assert leaf.effective_sla().code == "complex"
    assert (
        Category.objects.get(full_name="城乡建设 / 城市建设和市政管理 / 燃气供应")
        .effective_sla()
        .code
        == "urgent"
    )


def test_a_manhole_deadline_from_the_policy():
    policy = Category.objects.get(name="井盖缺失破损").effective_sla()
    reported = dt.datetime(2025, 10, 1, 23, 50, tzinfo=SH)  # National Day, at night
    assert policy.sign_for_deadline(reported) == dt.datetime(2025, 10, 2, 0, 10, tzinfo=SH)
    assert policy.resolve_deadline(reported) == dt.datetime(2025, 10, 2, 1, 50, tzinfo=SH)
    general = SlaPolicy.objects.get(code="general")
    # 5 working days: 9, 10, 11 (a worked Saturday), 13 and 14 October.
    assert general.resolve_deadline(reported) == dt.datetime(2025, 10, 14, 23, 59, 59, tzinfo=SH)


def test_seeding_again_adds_nothing_and_keeps_edits():
    manhole = Category.objects.get(name="井盖缺失破损")
    manhole.name = "井盖问题"
    manhole.enabled = False
    manhole.save()
    count = Category.objects.count()
    assert seed.seed(Category, SlaPolicy) == {"sla_policies": 0, "categories": 0}
    assert Category.objects.count() == count
    manhole.refresh_from_db()
    assert (manhole.name, manhole.enabled) == ("井盖问题", False)


def test_seeding_restores_a_deleted_category():
    Category.objects.filter(code="G07.07").delete()
    SlaPolicy.objects.filter(code="consultation").update(name="咨询类")
    result = seed.seed(Category, SlaPolicy)
    assert result == {"sla_policies": 0, "categories": 1}
    restored = Category.objects.get(code="G07.07")
    assert restored.full_name == "特殊人群服务 / 刑满释放人员帮教" and restored.level == 2
    assert SlaPolicy.objects.get(code="consultation").name == "咨询类"


def test_renaming_a_parent_renames_the_full_names_below():
    parent = Category.objects.get(code="T01.02")
    parent.name = "市政管理"
    parent.save()
    assert Category.objects.get(code="T01.02.002").full_name == "城乡建设 / 市政管理 / 城管执法"


def test_first_level_names_are_unique():
    with pytest.raises(IntegrityError):
        Category.objects.create(code="X01", name="市容环境")
