"""A year of the demo villages' deliberation, made through the rooms' own services with
``now=`` in the past, so that every record, timeline entry, notice and figure is one the
platform itself would have written:

* the first village: a street-lamp topic supported to its threshold, put on a hall
  session's agenda, decided, published, carried out on time, its result published and
  rated; a basketball-court topic answered with a reason; a major matter (the main road)
  through 四议两公开 — the Party branch proposes, the two committees deliberate, the Party
  members review, the representatives resolve — published, carried out with one task late;
  a villagers' assembly that failed its quorum; and now, a topic past its answer date, an
  open topic gathering supports and a hall session announced;
* the other places: a topic decided and carried out (every other one's still under way),
  one answered with a reason, one gathering supports; in a town community (社区) the
  decision is the residents' representatives' (居民代表会议, by the 城市居民委员会组织法),
  in a village a hall session's.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from gongzhi.deliberation.choices import MeetingKind
from gongzhi.deliberation.matters import services as matters
from gongzhi.deliberation.meetings import services as meetings
from gongzhi.deliberation.models import Matter, Meeting, Topic
from gongzhi.deliberation.openness import services as openness
from gongzhi.deliberation.topics import services as topics

from .people import Cast, Village

TZ = dt.timezone(dt.timedelta(hours=8))


class Clock:
    """Moments counted back from today, at a local hour (the village's working day)."""

    def __init__(self):
        self.today = timezone.localdate()

    def at(self, days_ago: int, hour: int = 10, minute: int = 0) -> dt.datetime:
        day = self.today - dt.timedelta(days=days_ago)
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)

    def day(self, days_ago: int) -> dt.date:
        return self.today - dt.timedelta(days=days_ago)


def _raise(v: Village, n: int, title: str, body: str, when, place: str = "") -> Topic:
    return topics.do_raise(actor=v.villagers[n], title=title, body=body, place=place, now=when)


def _support(v: Village, topic: Topic, count: int, when) -> Topic:
    """Supports from the next ``count`` account holders (not the author), an hour apart."""
    supporters = [u for u in v.villagers if u.pk != topic.author_id][:count]
    for i, user in enumerate(supporters):
        topic = topics.do_support(actor=user, topic=topic, now=when + dt.timedelta(hours=i))
    return topic


def _to_threshold(v: Village, topic: Topic, when) -> Topic:
    topic.refresh_from_db()
    return _support(v, topic, max(0, topic.threshold - topic.households_count), when)


class Session:
    """One meeting from its calling to its closing, by the village's clerk."""

    def __init__(self, v: Village, clock: Clock, *, kind, title, place, days_ago: int):
        self.v, self.clock = v, clock
        self.starts = (
            clock.at(days_ago, 19, 30) if kind == MeetingKind.HALL else clock.at(days_ago, 9)
        )
        self.called = self.starts - dt.timedelta(days=14)
        self.meeting = meetings.do_schedule(
            actor=v.clerk,
            region=v.region,
            kind=kind,
            title=title,
            place=place,
            starts_at=self.starts,
            now=self.called,
        )

    def notice(self):
        meetings.do_send_notice(
            actor=self.v.clerk, meeting=self.meeting, now=self.called + dt.timedelta(hours=2)
        )

    def sit(self, residents):
        meetings.do_open(actor=self.v.clerk, meeting=self.meeting, now=self.starts)
        for i, resident in enumerate(residents):
            meetings.do_sign_in(
                actor=self.v.clerk,
                meeting=self.meeting,
                resident=resident,
                now=self.starts + dt.timedelta(minutes=1 + i % 10),
            )

    def vote(self, tallies: list[tuple[int, int, int]]):
        """Open the voting and record a show of hands per item (for, against, abstain)."""
        at = self.starts + dt.timedelta(minutes=40)
        meetings.do_open_voting(actor=self.v.clerk, meeting=self.meeting, minutes=30, now=at)
        for item, (yes, no, abstain) in zip(
            self.meeting.items.order_by("order", "id"), tallies, strict=False
        ):
            meetings.do_count_hands(
                actor=self.v.clerk,
                item=item,
                votes_for=yes,
                votes_against=no,
                votes_abstain=abstain,
                now=at + dt.timedelta(minutes=10),
            )

    def close(self, minutes: str):
        meetings.do_close(
            actor=self.v.clerk,
            meeting=self.meeting,
            minutes=minutes,
            now=self.starts + dt.timedelta(minutes=90),
        )


def _lamps(v: Village, clock: Clock) -> Matter | None:
    """A topic decided by a hall session, carried out on time, its result rated."""
    topic = _raise(
        v,
        0,
        "村口路灯坏了三盏，晚上出行不安全",
        "村口到小学的路上三盏路灯坏了一个多月，孩子们晚自习回家路上很黑，希望尽快修好并增设两盏。",
        clock.at(330),
        place="村口至村小学路段",
    )
    topic = _to_threshold(v, topic, clock.at(329))
    session = Session(
        v,
        clock,
        kind=MeetingKind.HALL,
        title="百姓议事会：村口路灯维修",
        place="村委会议室",
        days_ago=312,
    )
    topics.do_put_on_agenda(
        actor=v.clerk,
        topic=topic,
        meeting=session.meeting,
        now=session.called + dt.timedelta(hours=1),
    )
    session.notice()
    present = v.all_heads[:18]
    session.sit(present)
    session.vote([(16, 1, 1)])
    session.close(
        "到会18户。议定：维修村口至村小学段3盏路灯，增设太阳能路灯2盏，费用由村集体公益金列支，"
        "村委会负责在一个月内完成。表决：同意16，反对1，弃权1。"
    )
    topic.refresh_from_db()
    matter = topic.matter
    if matter is None:
        return None
    matters.do_step(
        actor=v.clerk,
        matter=matter,
        action="publish",
        now=clock.at(311),
        text="经百姓议事会议定：维修村口至村小学段路灯3盏，增设太阳能路灯2盏，预算6000元，由村集体公益金列支。",
        days=7,
    )
    matter.refresh_from_db()
    task = openness.do_add_implementation(
        actor=v.clerk,
        matter=matter,
        title="维修并增设路灯",
        owner=v.clerk,
        owner_name="村委会",
        due_on=clock.day(280),
        budget=Decimal("6000"),
        now=clock.at(310),
    )
    openness.do_progress(
        actor=v.clerk,
        implementation=task,
        percent=60,
        note="3盏旧路灯已更换灯头和线路。",
        spent=Decimal("2100"),
        now=clock.at(300),
    )
    task.refresh_from_db()
    openness.do_progress(
        actor=v.clerk,
        implementation=task,
        percent=100,
        note="2盏太阳能路灯已安装并通电，全部完工。",
        spent=Decimal("5600"),
        now=clock.at(286),
    )
    matter.refresh_from_db()
    matters.do_step(
        actor=v.clerk,
        matter=matter,
        action="publish_result",
        now=clock.at(284),
        text="路灯维修增设完工：更换3盏、新增2盏，实际花费5600元，节余400元退回公益金。",
        days=7,
    )
    matter.refresh_from_db()
    for n, stars in enumerate((5, 4, 5, 5, 3, 4)):
        openness.do_rate(
            actor=v.villagers[n + 1], matter=matter, stars=stars, now=clock.at(282 - n)
        )
    return matter


def _court(v: Village, clock: Clock) -> Topic:
    """A topic answered with a reason."""
    topic = _raise(
        v,
        2,
        "建议在村文化广场修建篮球场",
        "年轻人和孩子们没有运动场地，建议利用文化广场东侧空地修建一个标准篮球场。",
        clock.at(240),
        place="村文化广场东侧",
    )
    topic = _to_threshold(v, topic, clock.at(239))
    return topics.do_answer(
        actor=v.clerk,
        topic=topic,
        answer="感谢大家的建议。广场东侧空地属于基本农田，不能硬化。村委会已向镇政府申请体育设施项目，"
        "计划明年在村小学旧址建设篮球场，届时再提交议事会讨论。",
        now=clock.at(234),
    )


def _road(v: Village, clock: Clock) -> Matter:
    """A major matter through 四议两公开, one of its tasks late."""
    sec, clerk = v.secretary, v.clerk
    matter = matters.do_propose(
        actor=sec,
        region=v.region,
        title="硬化村内主干道1.2公里",
        summary="村内主干道为砂石路，雨天泥泞。拟使用一事一议财政奖补资金和村集体资金，"
        "硬化主干道1.2公里，宽4.5米。",
        resolved_by=v.representatives_meeting[0],
        budget=Decimal("360000"),
        proposer="村党支部",
        participants="祁永红、马文斌及支委3人",
        participant_count=5,
        minutes="支部委员会研究，同意提议硬化村内主干道，提交两委会商议。",
        now=clock.at(210),
    )
    matter = matters.do_step(
        actor=clerk,
        matter=matter,
        action="deliberate",
        now=clock.at(205),
        outcome="passed",
        participants="村两委成员7人",
        participant_count=7,
        minutes="两委联席会议商议：同意实施，资金来源为财政奖补24万元、村集体12万元，提交党员大会审议。",
    )
    party = Session(
        v,
        clock,
        kind=MeetingKind.PARTY,
        title="党员大会：审议主干道硬化",
        place="村党员活动室",
        days_ago=190,
    )
    matters.do_put_on_agenda(actor=clerk, matter=matter, meeting=party.meeting)
    party.notice()
    party.sit(v.party)
    party.vote([(len(v.party), 0, 0)])
    party.close(f"党员大会审议：到会党员全部同意，提交{v.representatives_meeting[1]}决议。")
    matter.refresh_from_db()
    kind, name = v.representatives_meeting
    reps = Session(
        v,
        clock,
        kind=kind,
        title=f"{name}：决议主干道硬化",
        place="村委会议室",
        days_ago=175,
    )
    matters.do_put_on_agenda(actor=clerk, matter=matter, meeting=reps.meeting)
    reps.notice()
    present = v.representatives[:13]
    reps.sit(present)
    reps.vote([(12, 0, 1)])
    reps.close(f"{name}决议：同意硬化村内主干道1.2公里，预算36万元。同意12票，弃权1票。")
    matter.refresh_from_db()
    matters.do_step(
        actor=clerk,
        matter=matter,
        action="publish",
        now=clock.at(173),
        text=f"{name}决议：硬化村内主干道1.2公里、宽4.5米，预算36万元（财政奖补24万元，村集体12万元），"
        "公开招标选定施工队。公示期内如有异议请向村务监督委员会反映。",
        days=10,
    )
    matter.refresh_from_db()
    base = openness.do_add_implementation(
        actor=clerk,
        matter=matter,
        title="路基平整与排水沟",
        owner=clerk,
        owner_name="村委会",
        due_on=clock.day(100),
        budget=Decimal("120000"),
        now=clock.at(160),
    )
    surface = openness.do_add_implementation(
        actor=clerk,
        matter=matter,
        title="水泥路面浇筑",
        owner_name="村务监督委员会",
        due_on=clock.day(30),
        budget=Decimal("240000"),
        now=clock.at(160),
    )
    for percent, note, spent, days_ago in (
        (50, "路基平整完成一半。", "50000", 140),
        (100, "路基和两侧排水沟完工，经村务监督委员会验收。", "118000", 104),
    ):
        openness.do_progress(
            actor=clerk,
            implementation=base,
            percent=percent,
            note=note,
            spent=Decimal(spent),
            now=clock.at(days_ago),
        )
    for percent, note, spent, days_ago in (
        (30, "已浇筑400米。", "70000", 80),
        (70, "已浇筑850米；因连续降雨停工两周。", "160000", 40),
    ):
        openness.do_progress(
            actor=clerk,
            implementation=surface,
            percent=percent,
            note=note,
            spent=Decimal(spent),
            now=clock.at(days_ago),
        )
    return matter


QUORUM_TEXT = {
    False: "十八周岁以上村民过半数，或三分之二以上的户的代表",
    True: "十八周岁以上居民或户的代表过半数",
}


def _no_quorum(v: Village, clock: Clock):
    """A villagers' assembly that did not reach its quorum: closed, its item undecided."""
    kind, name = v.assembly
    assembly = Session(
        v,
        clock,
        kind=kind,
        title=f"{name}：修订村规民约",
        place="村文化广场",
        days_ago=120,
    )
    meetings.do_add_item(
        meeting=assembly.meeting, actor=v.clerk, title="修订村规民约（红白事操办标准）"
    )
    assembly.notice()
    assembly.sit(v.all_heads[:9])
    assembly.close(
        f"到会9人，未达到{name}法定人数（{QUORUM_TEXT[v.urban]}），本次会议不作决定，择期再开。"
    )
    return assembly.meeting


def _now(v: Village, clock: Clock) -> dict:
    """What is going on today: a topic past its answer date, one gathering supports, and a
    hall session announced."""
    late = _raise(
        v,
        3,
        "灌溉渠淤堵，春灌前需要清淤",
        "三社的灌溉渠被淤泥和垃圾堵住，春灌前不清理，下游十几户的地浇不上水。",
        clock.at(30),
        place="三社灌溉渠",
    )
    _to_threshold(v, late, clock.at(29))
    gathering = _raise(
        v,
        4,
        "增设垃圾分类收集点",
        "村西头没有垃圾收集点，大家把垃圾倒在河边，建议增设两个分类收集点。",
        clock.at(3),
        place="村西头",
    )
    gathering = _support(v, gathering, 3, clock.at(2))
    topics.do_comment(actor=v.villagers[5], topic=gathering, body="同意，河边的垃圾夏天味道很大。")
    upcoming = _raise(
        v,
        5,
        "村小学门口设置减速带",
        "村小学门口车速太快，上下学时很危险，建议设置减速带和警示牌。",
        clock.at(12),
        place="村小学门口",
    )
    upcoming = _to_threshold(v, upcoming, clock.at(11))
    starts = timezone.now() + dt.timedelta(days=9)
    meeting = meetings.do_schedule(
        actor=v.clerk,
        region=v.region,
        kind=MeetingKind.HALL,
        title="百姓议事会：村小学门口交通安全",
        place="村委会议室",
        starts_at=starts.replace(hour=11, minute=30, second=0, microsecond=0),
        now=timezone.now() - dt.timedelta(days=1),
    )
    topics.do_put_on_agenda(actor=v.clerk, topic=upcoming, meeting=meeting)
    meetings.do_send_notice(actor=v.clerk, meeting=meeting)
    return {"late": late, "gathering": gathering, "meeting": meeting}


# What the other villages decided at a hall session: (title, body, place, the decision
# published, the task, its budget, its progress notes).
DECIDED = [
    (
        "村里垃圾清运不及时",
        "村东头的垃圾池经常满了没人拉，夏天味道很大，希望增加垃圾箱、固定清运时间。",
        "村东头垃圾池",
        "经百姓议事会议定：新增分类垃圾箱10组，与保洁公司约定每周二、五清运两次，费用由村集体经费列支。",
        "新增垃圾箱并固定清运",
        Decimal("8000"),
        ["10组分类垃圾箱已到货，安装6组。", "其余4组垃圾箱安装完毕，清运合同已签订。"],
    ),
    (
        "灌溉水渠渗漏严重",
        "村南干渠好几段渗漏，下游的地浇不上水，希望在春灌前修补。",
        "村南干渠",
        "经百姓议事会议定：春灌前修补村南干渠渗漏段约300米，村民投工投劳，材料费由一事一议资金解决。",
        "修补村南干渠渗漏段",
        Decimal("15000"),
        ["已清淤并修补渗漏段120米。", "300米渗漏段全部修补完成，试水正常。"],
    ),
    (
        "村小学门口缺少减速带",
        "村小学门口是下坡，车开得很快，孩子上下学很危险，希望安装减速带和警示牌。",
        "村小学门口",
        "经百姓议事会议定：在村小学门口坡道安装减速带2条、警示牌2块，由村委会联系乡镇交管站落实。",
        "安装减速带和警示牌",
        Decimal("3000"),
        ["警示牌2块已安装。", "减速带2条已安装完成。"],
    ),
]
ANSWERED = [
    (
        "村卫生室缺少常用药",
        "村卫生室经常缺降压药和感冒药，老人要跑到镇上去买，希望协调配齐。",
        "村卫生室",
        "已与镇卫生院对接，每周二由镇卫生院配送常用药品到村卫生室，缺药可提前登记。",
    ),
    (
        "建议给村里的老人发放取暖补贴",
        "冬天煤价上涨，独居老人烧不起煤，建议村里给70岁以上老人发取暖补贴。",
        "",
        "取暖补贴属县民政部门的政策，村集体不能另行发放现金。村委会已将本村独居老人名单报镇民政办，"
        "符合条件的纳入冬季救助，并组织志愿者上门送煤。",
    ),
]
GATHERING = [
    (
        "村委会门前停车混乱",
        "村委会门前经常停满车，办事的群众没地方停，建议划定停车位。",
        "村委会门前",
    ),
    (
        "希望开办老年人日间照料点",
        "村里留守老人多，白天没人照看，希望利用闲置房屋办一个日间照料点。",
        "",
    ),
]


# The same for a town community (社区): its residents' representatives decide.
URBAN_DECIDED = [
    (
        "楼道堆放杂物、电动车飞线充电有火灾隐患",
        "好几栋楼的楼道里堆着纸箱和旧家具，还有人从窗户拉线给电动车充电，出了事大家都跑不掉。",
        "小区3号楼至8号楼",
        "经居民代表会议决议：组织楼道杂物集中清理，在小区北侧建设电动车集中充电棚1处，"
        "费用由社区公益金和物业公司共同承担。",
        "清理楼道并建设充电棚",
        Decimal("20000"),
        ["楼道杂物已集中清理，充电棚基础完工。", "充电棚建成投用，设充电口40个。"],
    ),
]
URBAN_ANSWERED = [
    (
        "建议在小区内划设更多停车位",
        "晚上车停满了小区道路，救护车都进不来，建议把绿地改成停车位。",
        "小区北门",
        "小区内道路是消防通道，绿地属于小区规划绿化用地，不能改为停车位。社区已协调附近学校在"
        "夜间和周末开放停车场，居民登记后即可停放。",
    ),
]
URBAN_GATHERING = [
    (
        "老旧楼房希望加装电梯",
        "小区的楼都是六层，老人上下楼很困难，希望社区牵头申请老旧小区改造加装电梯。",
        "小区1号楼",
    ),
]


def _decided(v: Village, clock: Clock, offset: int, spec, *, finished: bool) -> Matter | None:
    """A topic decided at a meeting — a village's hall session, a town community's
    residents' representatives — published and carried out: finished (its result
    published and rated) or still under way."""
    title, body, place, decision, task_title, budget, notes = spec
    raised = 250 - offset
    topic = _raise(v, 3, title, body, clock.at(raised), place=place)
    topic = _to_threshold(v, topic, clock.at(raised - 1))
    kind, name = v.representatives_meeting if v.urban else (MeetingKind.HALL, "百姓议事会")
    session = Session(
        v,
        clock,
        kind=kind,
        title=f"{name}：{title}",
        place="社区居委会会议室" if v.urban else "村委会议室",
        days_ago=raised - 18,
    )
    topics.do_put_on_agenda(actor=v.clerk, topic=topic, meeting=session.meeting, now=session.called)
    session.notice()
    if v.urban:  # most of the representatives: the quorum is met
        present, who = v.representatives[:13], "名代表"
        tally = (len(present) - 1, 0, 1)
    else:
        present, who = v.all_heads[:14], "户"
        tally = (len(present) - 2, 1, 1)
    session.sit(present)
    session.vote([tally])
    session.close(
        f"到会{len(present)}{who}。{decision}表决：同意{tally[0]}，反对{tally[1]}，弃权{tally[2]}。"
    )
    topic.refresh_from_db()
    matter = topic.matter
    if matter is None:
        return None
    published = raised - 20
    matters.do_step(
        actor=v.clerk,
        matter=matter,
        action="publish",
        now=clock.at(published),
        text=decision,
        days=7,
    )
    task = openness.do_add_implementation(
        actor=v.clerk,
        matter=matter,
        title=task_title,
        owner=v.clerk,
        owner_name="社区居委会" if v.urban else "村委会",
        due_on=clock.day(published - 40) if finished else clock.day(-20),
        budget=budget,
        now=clock.at(published - 1),
    )
    steps = notes if finished else notes[:1]
    for n, note in enumerate(steps, start=1):
        task.refresh_from_db()
        percent = 100 if finished and n == len(steps) else 50 * n
        openness.do_progress(
            actor=v.clerk,
            implementation=task,
            percent=percent,
            note=note,
            spent=budget * percent / 100 * Decimal("0.9"),
            now=clock.at(min(published - 5 - 12 * n, 2 + n)),
        )
    if not finished:
        return matter
    matter.refresh_from_db()
    matters.do_step(
        actor=v.clerk,
        matter=matter,
        action="publish_result",
        now=clock.at(published - 35),
        text=f"{task_title}已完成，实际花费{budget * Decimal('0.9'):.0f}元。",
        days=7,
    )
    matter.refresh_from_db()
    for n, stars in enumerate((5, 4, 4, 5)):
        openness.do_rate(
            actor=v.villagers[n + 4], matter=matter, stars=stars, now=clock.at(published - 37 - n)
        )
    return matter


def _other(v: Village, clock: Clock, offset: int) -> int:
    """Another place's year: a topic decided and carried out (every other place's still
    under way), one answered with a reason, one gathering supports."""
    n = offset // 10
    decided, answered, gathering = (
        (URBAN_DECIDED, URBAN_ANSWERED, URBAN_GATHERING)
        if v.urban
        else (DECIDED, ANSWERED, GATHERING)
    )
    _decided(v, clock, offset, decided[n % len(decided)], finished=n % 2 == 1)
    title, body, place, answer = answered[n % len(answered)]
    topic = _raise(v, 0, title, body, clock.at(200 - offset), place=place)
    topic = _to_threshold(v, topic, clock.at(199 - offset))
    topics.do_answer(actor=v.clerk, topic=topic, answer=answer, now=clock.at(195 - offset))
    title, body, place = gathering[n % len(gathering)]
    other = _raise(v, 1, title, body, clock.at(15 + offset % 10), place=place)
    _support(v, other, 2, clock.at(14 + offset % 10))
    return 3


def load(cast: Cast, *, stdout=None) -> dict:
    villages = [v for v in cast.villages if len(v.villagers) >= 12]
    if not villages:
        return {"topics": 0}
    if Topic.objects.filter(region__in=[v.region for v in villages]).exists():
        return {"topics": 0}  # made already
    clock = Clock()
    first = villages[0]
    _lamps(first, clock)
    _court(first, clock)
    road = _road(first, clock)
    failed = _no_quorum(first, clock)
    today = _now(first, clock)
    others = sum(_other(v, clock, 10 * n) for n, v in enumerate(villages[1:], start=1))
    counts = {
        "topics": Topic.objects.filter(region__in=[v.region for v in villages]).count(),
        "decisions": Matter.objects.filter(region__in=[v.region for v in villages]).count(),
        "meetings": Meeting.objects.filter(region__in=[v.region for v in villages]).count(),
        "failed_quorum": failed.number,
        "road": road.number,
        "late_topic": today["late"].number,
        "other_topics": others,
    }
    if stdout is not None:
        stdout.write(f"deliberation: {counts}\n")
    return counts
