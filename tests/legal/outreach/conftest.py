"""普法 tests: the legal world with the audience groups re-seeded (a transactional test's
flush removes them), residents with profiles in 西关社区 (a migrant worker), 东关社区,
高庙村 (碾伯's neighbour township) and 平安区's 东村, and a writer helper."""

from importlib import import_module

import pytest
from django.apps import apps

from gongzhi.legal.models import AudienceGroup, ResidentProfile
from gongzhi.legal.outreach import services
from gongzhi.regions.models import Region
from tests.factories import UserFactory

QUIZ = """宪法是国家的根本法吗？
*是
不是

每年的国家宪法日是哪一天？
3月15日
*12月4日
10月1日

公民的基本权利受宪法保护吗？
*受保护
不受保护"""


def seeded_groups() -> None:
    if not AudienceGroup.objects.exists():
        import_module("gongzhi.legal.migrations.0001_points").seed(apps, None)


def profile(user, region, *groups):
    p, _ = ResidentProfile.objects.update_or_create(user=user, defaults={"region": region})
    p.groups.set([AudienceGroup.objects.get(code=g) for g in groups])
    return p


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def pf(legal):
    seeded_groups()
    w = legal
    w.gaomiao_village = Region.objects.get(code="630202101201")
    w.dongcun = Region.objects.get(code="630203100001")
    w.gaomiao = Region.objects.get(code="630202101")
    profile(w.resident, w.regions.xiguan, "migrant_worker")
    profile(w.other_resident, w.dongguan)
    w.farmer = UserFactory(username="farmer", display_name="李有福")
    profile(w.farmer, w.gaomiao_village, "farmer")
    w.far = UserFactory(username="pingan1", display_name="马平")
    profile(w.far, w.dongcun, "migrant_worker")
    w.no_profile = UserFactory(username="noprofile", display_name="张三")
    return w


@pytest.fixture
def write():
    def _write(user, regions, *, groups=(), quiz=QUIZ, **kw):
        kw.setdefault("title", "宪法宣传周：宪法是根本大法")
        kw.setdefault("body", "宪法是国家的根本法，具有最高的法律效力。")
        return services.do_write_article(
            user=user,
            regions=regions,
            groups=[AudienceGroup.objects.get(code=g) for g in groups],
            quiz_text=quiz,
            **kw,
        )

    return _write
