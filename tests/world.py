"""A small 海东 world for case tests: real shapes, units and people, built in a blink.

Two counties side by side; 乐都区 has two townships, three communities and four grids,
平安区 one of each. Grids are 0.01° squares, so a test can put a point in any of them.
"""

from types import SimpleNamespace

from gongzhi.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from gongzhi.cases.models import ChannelPolicy, RoutingRule
from gongzhi.regions import lookup
from gongzhi.regions.models import Grid, GridAssignment, Region, RegionLevel
from gongzhi.taxonomy import seed as taxonomy_seed
from gongzhi.taxonomy.models import Category, SlaPolicy

PASSWORD = "Gongzhi@Test2026"


def box(x0, y0, x1, y1) -> dict:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def _region(code, name, level, parent, b):
    return Region.objects.create(code=code, name=name, level=level, parent=parent, boundary=box(*b))


def _org(code, name, kind, parent=None, regions=(), function=""):
    org = Organisation.objects.create(
        code=code, name=name, kind=kind, parent=parent, function=function
    )
    org.regions.set(regions)
    return org


def _person(username, name, org=None, role=None, head=False, **extra):
    user = User.objects.create_user(username, password=PASSWORD, display_name=name, **extra)
    if org is not None:
        Membership.objects.create(user=user, organisation=org, role=role, is_head=head)
    return user


def build() -> SimpleNamespace:
    w = SimpleNamespace(password=PASSWORD)
    if not Category.objects.exists():  # a transactional test may have flushed the seed
        taxonomy_seed.seed(Category, SlaPolicy)
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

    def grid(code, community, b):
        return Grid.objects.create(
            code=code,
            name=f"{community.name}{code[-1]}号网格",
            community=community,
            boundary=box(*b),
        )

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
    GridAssignment.objects.create(grid=w.grid, user=w.grid_worker)
    w.operator = _person("operator", "张晓燕", w.city_command, R.HOTLINE_OPERATOR)
    w.city_dispatcher = _person("citydisp", "王志强", w.city_command, R.DISPATCHER)
    w.dispatcher = _person("dispatcher", "祁玉梅", w.command, R.DISPATCHER)
    w.other_dispatcher = _person("otherdisp", "赵平", w.other_command, R.DISPATCHER)
    w.handler = _person("handler", "韩永福", w.cgj, R.HANDLER)
    w.cgj_head = _person("cgjhead", "孙局长", w.cgj, R.LEADER, head=True)
    w.zjj_handler = _person("zjjhandler", "周建", w.zjj, R.HANDLER)
    w.other_handler = _person("otherhandler", "马平安", w.other_cgj, R.HANDLER)
    w.leader = _person("leader", "刘振华", city_gov, R.LEADER, head=True)
    w.admin = User.objects.create_superuser("admin", password=PASSWORD, display_name="陈立新")
    return w


def report_case(w, category, *, point=None, channel="quick_report", reporter=None, **extra):
    """A report through intake (``services.do_report``): by the resident, from the 随手拍
    page, at the world's point, unless told otherwise."""
    from gongzhi.cases.intake import services

    lng, lat = point or w.point
    case, _ = services.do_report(
        report=services.Report(
            channel=channel,
            title=extra.pop("title", "测试事项"),
            category_id=category.pk,
            lng=lng,
            lat=lat,
            **extra,
        ),
        reporter=reporter or w.resident,
    )
    return case


def call_case(w, category, *, point=None, **extra):
    """A call taken by the world's hotline operator: the caller has a name and a phone, not
    an account."""
    from gongzhi.cases.intake import services

    lng, lat = point or w.point
    case, _ = services.do_report(
        report=services.Report(
            channel="hotline",
            title=extra.pop("title", "测试事项"),
            category_id=category.pk,
            lng=lng,
            lat=lat,
            reporter_name=extra.pop("reporter_name", "马秀兰"),
            reporter_phone=extra.pop("reporter_phone", "13900001111"),
            **extra,
        ),
        entered_by=w.operator,
    )
    return case
