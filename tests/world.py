"""A small 海东 world for case tests: real shapes, units and people, built in a blink.

Two counties side by side; 乐都区 has two townships, three communities and four grids,
平安区 one of each. Grids are 0.01° squares, so a test can put a point in any of them.
Everything is made by the factories in ``tests.factories``; ``report_case`` and
``call_case`` (made there too) make cases in it.
"""

from types import SimpleNamespace

from gongzhi.accounts.models import OrganisationKind, Role
from gongzhi.cases.models import ChannelPolicy, RoutingRule
from gongzhi.regions import lookup
from gongzhi.regions.models import RegionLevel
from gongzhi.taxonomy.models import Category
from tests.factories import (
    PASSWORD,
    GridAssignmentFactory,
    GridFactory,
    OrganisationFactory,
    RegionFactory,
    UserFactory,
    box,
    call_case,
    report_case,
    seeded_taxonomy,
)

__all__ = ["PASSWORD", "box", "build", "call_case", "report_case"]


def _region(code, name, level, parent, bbox):
    return RegionFactory(code=code, name=name, level=level, parent=parent, bbox=bbox)


def _org(code, name, kind, parent=None, regions=(), function=""):
    return OrganisationFactory(
        code=code, name=name, kind=kind, parent=parent, regions=regions, function=function
    )


def _person(username, name, org=None, role=None, head=False, **extra):
    return UserFactory(
        username=username, display_name=name, organisation=org, role=role, head=head, **extra
    )


def build() -> SimpleNamespace:
    w = SimpleNamespace(password=PASSWORD)
    seeded_taxonomy()  # a transactional test may have flushed the seed
    province = _region("630000", "青海省", RegionLevel.PROVINCE, None, (102.0, 36.0, 103.0, 37.0))
    city = _region("630200", "海东市", RegionLevel.CITY, province, (102.40, 36.46, 102.48, 36.50))
    ledu = _region("630202", "乐都区", RegionLevel.COUNTY, city, (102.40, 36.46, 102.44, 36.50))
    pingan = _region("630203", "平安区", RegionLevel.COUNTY, city, (102.44, 36.46, 102.48, 36.50))
    nianbo = _region(
        "630202100", "碾伯镇", RegionLevel.TOWNSHIP, ledu, (102.40, 36.46, 102.42, 36.50)
    )
    gaomiao = _region(
        "630202101", "高庙镇", RegionLevel.TOWNSHIP, ledu, (102.42, 36.46, 102.44, 36.50)
    )
    pingan_town = _region(
        "630203100", "平安镇", RegionLevel.TOWNSHIP, pingan, (102.44, 36.46, 102.48, 36.50)
    )
    xiguan = _region(
        "630202100001", "西关社区", RegionLevel.COMMUNITY, nianbo, (102.40, 36.46, 102.42, 36.48)
    )
    dongguan = _region(
        "630202100002", "东关社区", RegionLevel.COMMUNITY, nianbo, (102.40, 36.48, 102.42, 36.50)
    )
    gaomiao_village = _region(
        "630202101201", "高庙村", RegionLevel.COMMUNITY, gaomiao, (102.42, 36.46, 102.44, 36.50)
    )
    dongcun = _region(
        "630203100001", "东村", RegionLevel.COMMUNITY, pingan_town, (102.44, 36.46, 102.48, 36.50)
    )

    def grid(code, community, bbox):
        name = f"{community.name}{code[-1]}号网格"
        return GridFactory(code=code, name=name, community=community, bbox=bbox)

    w.grid = grid("630202100001-01", xiguan, (102.40, 36.46, 102.41, 36.48))
    w.grid_b = grid("630202100001-02", xiguan, (102.41, 36.46, 102.42, 36.48))
    grid("630202100002-01", dongguan, (102.40, 36.48, 102.42, 36.50))
    grid("630202101201-01", gaomiao_village, (102.42, 36.46, 102.44, 36.50))
    w.other_grid = grid("630203100001-01", dongcun, (102.44, 36.46, 102.48, 36.50))
    lookup.invalidate()
    w.regions = SimpleNamespace(city=city, ledu=ledu, pingan=pingan, nianbo=nianbo, xiguan=xiguan)
    # A point in the middle of each grid.
    w.point = (102.405, 36.47)
    w.other_point = (102.46, 36.48)

    K = OrganisationKind
    city_gov = _org("630200", "海东市人民政府", K.GOVERNMENT, None, [city])
    w.city_command = _org(
        "630200-ZZZX", "海东市社会治理综合指挥中心", K.COMMAND_CENTRE, city_gov, [city]
    )
    w.city_cgj = _org("630200-CGJ", "海东市城市管理局", K.DEPARTMENT, city_gov, [city], "CGJ")
    ledu_gov = _org("630202", "乐都区人民政府", K.GOVERNMENT, city_gov, [ledu])
    w.command = _org(
        "630202-ZZZX", "乐都区社会治理综合指挥中心", K.COMMAND_CENTRE, ledu_gov, [ledu]
    )
    w.cgj = _org("630202-CGJ", "乐都区城市管理局", K.DEPARTMENT, ledu_gov, [ledu], "CGJ")
    w.zjj = _org("630202-ZJJ", "乐都区住房和城乡建设局", K.DEPARTMENT, ledu_gov, [ledu], "ZJJ")
    w.township = _org("630202100", "碾伯镇人民政府", K.TOWNSHIP, ledu_gov, [nianbo])
    w.community = _org("630202100001", "西关社区居民委员会", K.COMMUNITY, w.township, [xiguan])
    pingan_gov = _org("630203", "平安区人民政府", K.GOVERNMENT, city_gov, [pingan])
    w.other_command = _org(
        "630203-ZZZX", "平安区社会治理综合指挥中心", K.COMMAND_CENTRE, pingan_gov, [pingan]
    )
    w.other_cgj = _org("630203-CGJ", "平安区城市管理局", K.DEPARTMENT, pingan_gov, [pingan], "CGJ")

    road = Category.objects.get(full_name="道路与井盖")
    road.owner = w.city_cgj
    road.save()
    w.manhole = Category.objects.get(full_name="道路与井盖 / 井盖缺失破损")
    w.pothole = Category.objects.get(full_name="道路与井盖 / 路面坑洼")
    RoutingRule.objects.update_or_create(category=road, defaults={"level": "county_department"})
    for channel, accept in [("grid_worker", True), ("hotline", True), ("quick_report", False)]:
        ChannelPolicy.objects.update_or_create(
            channel=channel, defaults={"auto_accept": accept, "auto_dispatch": False}
        )

    R = Role
    w.resident = _person("resident", "马秀兰", mobile="13900001111")
    w.other_resident = _person("resident2", "韩梅")
    w.grid_worker = _person("gridworker", "李建国", w.community, R.GRID_WORKER)
    GridAssignmentFactory(grid=w.grid, user=w.grid_worker)
    w.operator = _person("operator", "张晓燕", w.city_command, R.HOTLINE_OPERATOR)
    w.city_dispatcher = _person("citydisp", "王志强", w.city_command, R.DISPATCHER)
    w.dispatcher = _person("dispatcher", "祁玉梅", w.command, R.DISPATCHER)
    w.other_dispatcher = _person("otherdisp", "赵平", w.other_command, R.DISPATCHER)
    w.handler = _person("handler", "韩永福", w.cgj, R.HANDLER)
    w.cgj_head = _person("cgjhead", "孙局长", w.cgj, R.LEADER, head=True)
    w.zjj_handler = _person("zjjhandler", "周建", w.zjj, R.HANDLER)
    w.other_handler = _person("otherhandler", "马平安", w.other_cgj, R.HANDLER)
    w.leader = _person("leader", "刘振华", city_gov, R.LEADER, head=True)
    w.admin = UserFactory(username="admin", display_name="陈立新", admin=True)
    return w
