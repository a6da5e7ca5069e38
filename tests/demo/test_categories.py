"""Category owners in the 海东 demo."""

import pytest

from gongzhi.cases import channels
from gongzhi.demo import accounts as accounts_seed
from gongzhi.demo import categories as demo_seed
from gongzhi.taxonomy.models import Category

pytestmark = pytest.mark.django_db


def test_every_first_level_category_gets_a_city_department(regions):
    accounts_seed.load()
    result = demo_seed.load()
    assert result["skipped"] == 0
    # 报事报修 (kept for repair requests) goes to each estate's property company instead.
    reserved = Category.objects.filter(code__in=list(channels.RESERVED))
    assert reserved.exists()
    for category in (
        Category.objects.filter(level=1).exclude(pk__in=reserved).select_related("owner")
    ):
        assert category.owner is not None, category.name
        assert category.owner.code.startswith("630200-"), category.name
    assert (
        Category.objects.get(name="市容环境", level=1).owner.name
        == "海东市城市管理局（综合行政执法局）"
    )
    assert Category.objects.get(name="矛盾纠纷", level=1).owner.name == "海东市司法局"
    assert Category.objects.get(name="安全生产", level=1).owner.name == "海东市应急管理局"
    assert Category.objects.get(name="政法", level=1).owner.name == "中共海东市委政法委员会"
    # A second-level override, and inheritance below it.
    water = Category.objects.get(name="供水故障")
    assert water.owner.name == "海东市水务局"
    manhole = Category.objects.get(name="井盖缺失破损")
    assert manhole.owner is None and manhole.effective_owner().code == "630200-CGJ"


def test_second_run_changes_nothing(regions):
    accounts_seed.load()
    demo_seed.load()
    before = list(Category.objects.order_by("code").values("code", "owner_id", "updated_at"))
    assert demo_seed.load() == {"updated": 0, "skipped": 0}
    assert (
        list(Category.objects.order_by("code").values("code", "owner_id", "updated_at")) == before
    )


def test_without_the_organisations_it_skips(db):
    result = demo_seed.load()
    assert result["updated"] == 0 and result["skipped"] > 0
    assert not Category.objects.filter(owner__isnull=False).exists()
