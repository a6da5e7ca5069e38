"""A year of the demo's community life, made through the rooms' own services with ``now=``
in the past, so that the repairs, scans, awards and redemptions users see are rows the
platform itself would have written. Where a service would only repeat the same work for
thousands of rows (the read receipts and answers of households whose members have
accounts, the shifts of the teams after the first few) the rows are written in bulk; a
household without an account is told by SMS and leaves no receipt.

Each part runs only when its records are not there yet (a second load adds nothing).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.cases.choices import Satisfaction
from gongzhi.cases.models import Callback, Case, CaseEvent
from gongzhi.community.choices import AnswerKind, ShiftKind, ShiftState, SignUpState
from gongzhi.community.models import (
    Ceremony,
    Estate,
    Notice,
    NoticeDelivery,
    Patrol,
    PointEntry,
    Redemption,
    RepairRequest,
    Shift,
    SignUp,
    TeamMember,
    Volunteer,
)
from gongzhi.core.errors import ServiceError
from gongzhi.people.models import Household, Resident

from .cast import Cast

TZ = dt.timezone(dt.timedelta(hours=8))
SEED = 2108
REPAIRS = 240  # in all, spread over the estates: each is a case on the engine (slow-ish)
REQUESTERS_PER_ESTATE = 4
SERVICE_TEAMS = 4  # teams whose shifts go through the services; the rest in bulk
SHIFTS_PER_TEAM = 10
PATROL_DAYS = 30
NOTICE_PLACES = 8
AWARDED_HOUSEHOLDS = 40  # per shop village
REDEMPTIONS = 25  # per shop

PROBLEMS = [
    ("RP.01", "厨房水管漏水，楼下天花板渗水"),
    ("RP.01", "单元楼道总闸跳闸，整层停电"),
    ("RP.02", "单元门门禁刷卡失灵"),
    ("RP.02", "楼道窗户玻璃破损"),
    ("RP.03", "电梯运行异响，停在楼层之间"),
    ("RP.04", "楼道声控灯不亮"),
    ("RP.04", "小区路灯晚上不亮"),
    ("RP.05", "下水道堵塞返水"),
    ("RP.06", "垃圾桶满溢无人清运"),
    ("RP.99", "楼顶防水层破损，雨天漏水"),
]
NOTICES = [
    (
        "冬季供暖开始通知",
        "本小区将于近日开始供暖，请各户检查暖气阀门，发现漏水及时报修。",
        AnswerKind.NONE,
        [],
    ),  # fmt: skip
    (
        "关于加装电梯意见征询",
        "为方便老年人出行，拟在多层住宅加装电梯，请各户表明意见。",
        AnswerKind.YES_NO,
        [],
    ),  # fmt: skip
    (
        "垃圾分类宣传活动时间选择",
        "社区拟开展垃圾分类宣传活动，请选择方便参加的时间。",
        AnswerKind.CHOICE,
        ["周六上午", "周六下午", "周日上午"],
    ),  # fmt: skip
    (
        "城乡居民医保缴费提醒",
        "新一年度城乡居民基本医疗保险开始缴费，请按时缴纳。",
        AnswerKind.NONE,
        [],
    ),  # fmt: skip
    (
        "家庭常住人口核对",
        "为做好网格信息更新，请填报本户实际常住人数。",
        AnswerKind.NUMBER,
        [1, 12],
    ),  # fmt: skip
]
RESULTS = ["已更换配件，恢复正常", "已疏通，经业主确认正常", "已维修完毕", "已安排保洁清运"]


class Clock:
    def __init__(self, now: dt.datetime):
        self.now = now
        self.today = timezone.localdate(now)

    def at(self, days_ago: int, hour: int = 10, minute: int = 0) -> dt.datetime:
        day = self.today - dt.timedelta(days=days_ago)
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def _users_of(residents: list[dict], password_of) -> list[User]:
    """The residents' accounts (by ID number), made for those without one."""
    found = {
        u.id_number: u
        for u in User.objects.filter(id_number__in=[r["id_number"] for r in residents])
    }
    out = []
    for r in residents:
        user = found.get(r["id_number"])
        if user is None:
            user, _ = User.objects.get_or_create(
                username=f"rp{r['id']}",
                defaults={
                    "display_name": r["name"],
                    "password": password_of(),
                    "id_number": r["id_number"],
                    "mobile": r["phone"] or "",
                },
            )
        out.append(user)
    return out


def _step(case_id, action, actor, at, **params):
    from gongzhi.cases.workflow.table import transition

    return transition(case_id=case_id, action=action, actor=actor, now=at, tell=False, **params)


def repairs(cast: Cast, clock: Clock, rng: random.Random) -> dict:
    from django.contrib.auth.hashers import make_password

    from gongzhi.community.repairs import services
    from gongzhi.demo.accounts import demo_password
    from gongzhi.taxonomy.models import Category

    counts = {"repairs": 0, "late": 0, "escalated": 0, "rated": 0, "scores": 0}
    if not cast.estates or RepairRequest.objects.filter(estate__in=cast.estates).exists():
        return counts
    hashed = []

    def password():
        if not hashed:
            hashed.append(make_password(demo_password()))
        return hashed[0]

    categories = Category.objects.in_bulk([c for c, _ in PROBLEMS], field_name="code")
    per_estate = max(3, min(12, REPAIRS // len(cast.estates)))
    born_by = clock.today.replace(year=clock.today.year - 20)
    case_ids, rated = [], []
    for estate in Estate.objects.filter(pk__in=[e.pk for e in cast.estates]).select_related(
        "company"
    ):
        residents = list(
            Resident.objects.current()
            .filter(
                household__house__building__in=estate.buildings.all(),
                birth_date__lte=born_by,
            )
            .exclude(id_number="")
            .order_by("household_id", "id")
            .values("id", "name", "id_number", "phone", "household_id")
        )
        seen, heads = set(), []
        for r in residents:
            if r["household_id"] not in seen:
                seen.add(r["household_id"])
                heads.append(r)
        users = _users_of(heads[:REQUESTERS_PER_ESTATE], password)
        if not users:
            continue
        company = next(c for c in cast.companies if c.org.pk == estate.company_id)
        community_staff = cast.staff.get(estate.region_id)
        for n in range(per_estate):
            user = users[n % len(users)]
            code, text = PROBLEMS[rng.randrange(len(PROBLEMS))]
            # Spread over the year; the last one or two of each estate still open.
            days_ago = 2 + (per_estate - 1 - n) * (360 // per_estate) + rng.randrange(25)
            if n == per_estate - 1:
                days_ago = rng.randrange(0, 2)
            asked = clock.at(days_ago, rng.randint(8, 20), rng.randrange(60))
            if asked >= clock.now:
                asked = clock.now - dt.timedelta(hours=3)
            try:
                repair = services.do_request(
                    user=user,
                    category_id=categories[code].pk,
                    description=text,
                    estate_id=estate.pk,
                    key=f"demo-{estate.pk}-{n}",
                    now=asked,
                )
            except ServiceError:
                continue
            case = Case.objects.get(pk=repair.case_id)  # dated when the resident asked
            counts["repairs"] += 1
            case_ids.append(case.pk)
            roll = rng.random()
            if n == per_estate - 1:
                continue  # just asked: the desk has it
            desk = company.desk
            if roll < 0.1 and community_staff is not None:
                # The company let it lie: escalated to the community, which has it done.
                due = case.sign_for_due or asked + dt.timedelta(hours=1)
                if services.do_escalate(repair_id=repair.pk, now=due + dt.timedelta(minutes=7)):
                    counts["escalated"] += 1
                    desk = community_staff
                    signed = due + dt.timedelta(hours=rng.randint(1, 4))
                else:
                    continue
            else:
                due = case.sign_for_due or asked + dt.timedelta(minutes=30)
                respond = (due - asked).total_seconds()
                late = rng.random() < 0.12
                signed = asked + dt.timedelta(
                    seconds=respond * (rng.uniform(1.2, 3) if late else rng.uniform(0.1, 0.9))
                )
            try:
                _step(case.pk, "sign_for", desk, signed)
                case.refresh_from_db()
                resolve_due = case.resolve_due or signed + dt.timedelta(hours=24)
                late = rng.random() < 0.15
                span = (resolve_due - signed).total_seconds()
                done = signed + dt.timedelta(
                    seconds=span * (rng.uniform(1.1, 2.5) if late else rng.uniform(0.1, 0.8))
                )
                if done >= clock.now:
                    continue  # still being repaired
                counts["late"] += late
                _step(case.pk, "resolve", desk, done, result=rng.choice(RESULTS))
                checked = done + dt.timedelta(hours=rng.randint(1, 6))
                if checked >= clock.now:
                    continue
                _step(case.pk, "verify_pass", None, checked)
            except ServiceError:
                continue
            if rng.random() < 0.85:
                rated.append((repair, user, checked + dt.timedelta(hours=rng.randint(2, 30))))
    for repair, user, at in rated:
        if at >= clock.now:
            continue
        satisfaction = rng.choices(
            [Satisfaction.SATISFIED, Satisfaction.BASIC, Satisfaction.UNSATISFIED], [70, 22, 8]
        )[0]
        repair = RepairRequest.objects.select_related("case").get(pk=repair.pk)
        try:
            services.do_rate(
                user=user,
                repair=repair,
                resolved=satisfaction != Satisfaction.UNSATISFIED,
                satisfaction=satisfaction,
                comment="",
                now=at,
            )
        except ServiceError:
            continue
        counts["rated"] += 1
        # The callback step takes no time of its own: date it when it was given.
        CaseEvent.objects.filter(case_id=repair.case_id, at__gt=at).update(at=at)
        Callback.objects.filter(case_id=repair.case_id).update(created_at=at, updated_at=at)
        PointEntry.objects.filter(source=f"repair:{repair.pk}").update(created_at=at)
    from gongzhi.demo.history import date_rows

    date_rows(Case.objects.filter(pk__in=case_ids), now=clock.now)
    month = clock.today.replace(day=1)
    for _ in range(12):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        counts["scores"] += len(services.do_score_month(month=month, now=clock.now))
    return counts


def _readers(services, notice) -> dict[int, int]:
    """Household -> the account of one of its members: only a household someone of which
    signs in can read a notice (``services.do_read``) or answer it; the others were told by
    SMS and leave no receipt. The receipts are written in bulk as ``do_read`` writes them."""
    residents = services.audience_residents(notice)
    by_number = {n.upper(): h for h, _p, _g, n, _ph, _r in residents if n}
    readers: dict[int, int] = {}
    accounts = User.objects.filter(
        is_active=True, id_number__in=residents.values("id_number")
    ).order_by("pk")
    for pk, number in accounts.values_list("pk", "id_number"):
        household = by_number.get(number.upper())
        if household is not None:
            readers.setdefault(household, pk)
    return readers


def notices(cast: Cast, clock: Clock, rng: random.Random) -> dict:
    from gongzhi.community.notices import services

    counts = {"notices": 0, "deliveries": 0, "read": 0, "answered": 0}
    county = cast.county
    if Notice.objects.filter(region_path__startswith=county.path).exists():
        return counts
    places = [r for r in cast.communities if r.pk in cast.staff][: NOTICE_PLACES - 3]
    places += [s.region for s in cast.shops if s.region_id in cast.staff]
    for p, region in enumerate(places):
        author = cast.staff[region.pk]
        for k, (title, body, kind, choices) in enumerate(NOTICES):
            if (p + k) % 5 == 4:
                continue  # not every place sends every notice
            sent = clock.at(330 - k * 70 - p * 3, 9, 30)
            try:
                notice = services.do_create(
                    actor=author,
                    region=region,
                    title=title,
                    body=body,
                    regions=[region],
                    publish_at=sent,
                    expires_at=sent + dt.timedelta(days=30),
                    answer_kind=kind,
                    answer_choices=choices,
                    now=sent,
                )
                notice = services.do_publish(actor=author, notice=notice, now=sent)
            except ServiceError:
                continue
            counts["notices"] += 1
            rows = list(NoticeDelivery.objects.filter(notice=notice))
            counts["deliveries"] += len(rows)
            readers = _readers(services, notice)
            share = rng.uniform(0.6, 0.92)
            for row in rows:
                reader = readers.get(row.household_id)
                if reader is None:
                    continue  # no account: told by SMS, no receipt can come back
                if rng.random() > share:
                    continue  # not read: the sender's list shows it by grid
                row.read_at = sent + dt.timedelta(minutes=rng.randint(5, 60 * 72))
                row.read_by_id = reader
                counts["read"] += 1
                if kind != AnswerKind.NONE and rng.random() < 0.75:
                    row.answered_at = row.read_at + dt.timedelta(minutes=rng.randint(1, 30))
                    row.answered_by_id = reader
                    if kind == AnswerKind.YES_NO:
                        value = "yes" if rng.random() < 0.72 else "no"
                    elif kind == AnswerKind.CHOICE:
                        value = rng.choice(choices)
                    else:
                        value = rng.randint(1, 6)
                    row.answer = {"value": value}
                    counts["answered"] += 1
            NoticeDelivery.objects.bulk_update(
                rows,
                ["read_at", "read_by", "answered_at", "answered_by", "answer"],
                batch_size=500,
            )
            if k == 1 and p == 0:  # the lift: the unread reminded once
                try:
                    services.do_remind(actor=author, notice=notice, now=sent + dt.timedelta(days=5))
                except ServiceError:
                    pass
    return counts


SHIFTS = [
    (ShiftKind.PATROL, "夜间治安巡逻", 19, 3, 8),
    (ShiftKind.PATROL, "周末治安巡逻", 9, 3, 8),
    (ShiftKind.FESTIVAL, "邻里节志愿服务", 9, 6, 12),
    (ShiftKind.CLINIC, "社区义诊志愿服务", 8, 4, 6),
    (ShiftKind.SERVICE, "关爱独居老人上门服务", 14, 2, 6),
]


def shifts(cast: Cast, clock: Clock, rng: random.Random) -> dict:
    from gongzhi.community.volunteers import services

    counts = {"shifts": 0, "signups": 0, "attended": 0, "hours": 0}
    county = cast.county
    if Shift.objects.filter(region_path__startswith=county.path).exists():
        return counts
    bulk_shifts, bulk_signups = [], []
    for t, team in enumerate(cast.teams):
        members = list(
            Volunteer.objects.filter(teams__team=team, state="approved").select_related("user")
        )
        leader = team.leader
        for s in range(SHIFTS_PER_TEAM):
            kind, title, hour, length, capacity = SHIFTS[(s + t) % len(SHIFTS)]
            starts = clock.at(350 - s * 34 - t % 7, hour)
            ends = starts + dt.timedelta(hours=length)
            capacity = min(capacity, len(members))
            chosen = rng.sample(members, min(len(members), capacity - rng.randint(0, 2)))
            if t == 0:  # the demo volunteer turns up to their team's shifts
                me = next((v for v in members if v.user.username == "demo_volunteer"), None)
                if me is not None and me not in chosen:
                    chosen[-1] = me
            if t < SERVICE_TEAMS:
                created = starts - dt.timedelta(days=7)
                shift = None
                # The leader runs the team's shifts; the committee where the room says so.
                for actor in (leader, cast.staff.get(team.region_id)):
                    try:
                        shift = services.do_create_shift(
                            actor=actor,
                            kind=kind,
                            title=title,
                            starts_at=starts,
                            ends_at=ends,
                            capacity=capacity,
                            region=team.region,
                            team=team,
                            place=f"{team.region.name}党群服务中心",
                            now=created,
                        )
                        leader = actor
                        break
                    except ServiceError:
                        continue
                if shift is None:
                    continue
                counts["shifts"] += 1
                for i, v in enumerate(chosen):
                    try:
                        signup = services.do_sign_up(
                            user=v.user, shift=shift, now=created + dt.timedelta(hours=i + 1)
                        )
                    except ServiceError:
                        continue
                    counts["signups"] += 1
                    if rng.random() < 0.88:
                        try:
                            services.do_check_in_by_leader(
                                actor=leader, signup=signup, now=starts + dt.timedelta(minutes=10)
                            )
                        except ServiceError:
                            continue
                        counts["attended"] += 1
                try:
                    services.do_finish_shift(actor=leader, shift=shift, now=ends)
                except ServiceError:
                    pass
                leader = team.leader
                continue
            shift = Shift(
                region_id=team.region_id,
                region_path=team.region_path,
                team=team,
                kind=kind,
                title=title,
                place=f"{team.region.name}党群服务中心",
                starts_at=starts,
                ends_at=ends,
                capacity=capacity,
                taken=len(chosen),
                state=ShiftState.DONE,
                created_by=leader,
            )
            bulk_shifts.append((shift, chosen, length))
    Shift.objects.bulk_create([s for s, _, _ in bulk_shifts], batch_size=500)
    for shift, chosen, length in bulk_shifts:
        counts["shifts"] += 1
        for v in chosen:
            came = rng.random() < 0.88
            bulk_signups.append(
                SignUp(
                    shift=shift,
                    volunteer=v,
                    state=SignUpState.ATTENDED if came else SignUpState.ABSENT,
                    checked_in_at=shift.starts_at + dt.timedelta(minutes=5) if came else None,
                    checked_in_by=shift.created_by if came else None,
                    method="leader" if came else "",
                    hours=Decimal(length) if came else None,
                )
            )
            counts["signups"] += 1
            counts["attended"] += came
    SignUp.objects.bulk_create(bulk_signups, batch_size=1000)
    # The bulk teams' volunteers: their hours are the sum of their attendance.
    bulk_ids = {s.volunteer_id for s in bulk_signups}
    sums = dict(
        SignUp.objects.filter(volunteer_id__in=bulk_ids, state=SignUpState.ATTENDED)
        .values_list("volunteer_id")
        .annotate(h=Sum("hours"))
        .order_by()
    )
    volunteers = list(Volunteer.objects.filter(pk__in=list(sums)))
    for v in volunteers:
        v.hours = sums[v.pk]
    Volunteer.objects.bulk_update(volunteers, ["hours"], batch_size=500)
    counts["hours"] = int(
        Volunteer.objects.filter(region_path__startswith=county.path).aggregate(h=Sum("hours"))["h"]
        or 0
    )
    return counts


def patrols(cast: Cast, clock: Clock, rng: random.Random) -> dict:
    from gongzhi.community.patrols import codes, services

    counts = {"patrols": 0, "scans": 0, "missed": 0, "too_far": 0}
    if not cast.routes or Patrol.objects.filter(route__in=cast.routes).exists():
        return counts
    for route in cast.routes:
        walkers = [
            m.volunteer.user
            for m in TeamMember.objects.filter(team_id=route.team_id).select_related(
                "volunteer__user"
            )[:6]
        ]
        checkpoints = list(route.checkpoints.filter(enabled=True).order_by("order"))
        if not walkers or not checkpoints:
            continue
        for day in range(PATROL_DAYS, 0, -1):
            if rng.random() < 0.07:
                continue  # nobody walked that evening
            walker = walkers[day % len(walkers)]
            start = clock.at(day, 20, rng.randrange(30))
            try:
                patrol = services.do_start(actor=walker, route=route, now=start)
            except ServiceError:
                break
            at = start
            for cp in checkpoints:
                at += dt.timedelta(minutes=rng.randint(4, 12))
                if rng.random() < 0.08:
                    continue  # missed
                far = rng.random() < 0.05
                metres = rng.uniform(150, 400) if far else rng.uniform(3, 35)
                bearing = rng.uniform(0, 6.283)
                lng = cp.lng + metres * math.cos(bearing) / (
                    111_320 * math.cos(math.radians(cp.lat))
                )
                lat = cp.lat + metres * math.sin(bearing) / 111_320
                try:
                    services.do_scan(
                        actor=walker,
                        patrol=patrol,
                        code=codes.token_for(cp),
                        lng=round(lng, 6),
                        lat=round(lat, 6),
                        accuracy=rng.randint(5, 25),
                        now=at,
                    )
                except ServiceError:
                    continue
                counts["scans"] += 1
                counts["too_far"] += far
            patrol = services.do_finish(
                actor=walker, patrol=patrol, now=at + dt.timedelta(minutes=5)
            )
            counts["patrols"] += 1
            counts["missed"] += patrol.missed
    return counts


def points(cast: Cast, clock: Clock, rng: random.Random) -> dict:
    from gongzhi.community.points import services

    counts = {"awards": 0, "reversals": 0, "redemptions": 0}
    shops = [s for s in cast.shops if s.region_id in cast.staff]
    if not shops or Redemption.objects.filter(shop__in=shops).exists():
        return counts
    for shop in shops:
        clerk = cast.staff[shop.region_id]
        households = list(
            Household.objects.filter(region_id=shop.region_id)
            .order_by("id")
            .values_list("id", flat=True)[:AWARDED_HOUSEHOLDS]
        )
        first = None
        for h in households:
            for q in range(rng.randint(2, 5)):  # 美丽庭院 inspections, a quarter apart
                at = clock.at(340 - q * 80 - rng.randrange(10), 15)
                try:
                    entry = services.do_award_by_hand(
                        actor=clerk,
                        household_id=h,
                        rule_code="courtyard_tidy",
                        reason="庭院整洁，检查合格",
                        now=at,
                    )
                except ServiceError:
                    continue
                first = first or entry
                counts["awards"] += 1
        if first is not None:  # entered for the wrong household: undone with a reason
            try:
                services.do_reverse(
                    actor=clerk,
                    entry_id=first.pk,
                    reason="录入错误，应为邻户",
                    now=clock.at(300, 16),
                )
                counts["reversals"] += 1
            except ServiceError:
                pass
        goods = list(shop.goods.filter(enabled=True).order_by("price"))
        for n in range(REDEMPTIONS):
            h = households[rng.randrange(len(households))] if households else None
            if h is None or not goods:
                break
            at = clock.at(200 - n * 7, 10, rng.randrange(60))
            item = goods[rng.randrange(min(3, len(goods)))]
            token, _nonce = services.make_code(household_id=h, now=at)
            try:
                services.do_redeem(actor=clerk, code=token, goods_id=item.pk, now=at)
            except ServiceError:
                continue  # not enough points: the counter said so
            counts["redemptions"] += 1
    return counts


CEREMONIES = [
    # kind, guests, tables, gift, days
    ("wedding", 160, 16, 200, 2),
    ("wedding", 260, 26, 500, 3),
    ("funeral", 120, 12, 100, 3),
    ("wedding", 180, 18, 100, 1),
]


def customs(cast: Cast, clock: Clock, rng: random.Random) -> dict:
    from gongzhi.community.customs import services

    counts = {"ceremonies": 0, "over_caps": 0}
    places = [s.region for s in cast.shops if s.region_id in cast.staff]
    if not places or Ceremony.objects.filter(region__in=places).exists():
        return counts
    for p, region in enumerate(places):
        clerk = cast.staff[region.pk]
        households = list(
            Household.objects.filter(region=region).order_by("-id").values_list("id", flat=True)[:4]
        )
        for n, h in enumerate(households):
            kind, guests, tables, gift, days = CEREMONIES[(n + p) % len(CEREMONIES)]
            registered = clock.at(300 - n * 60 - p * 11, 10)
            try:
                ceremony = services.do_register(
                    actor=clerk,
                    registration=services.Registration(
                        household_id=h,
                        kind=kind,
                        date=(registered + dt.timedelta(days=20)).date(),
                        days=days,
                        guests=guests,
                        tables=tables,
                        gift=gift,
                        place="自家院落" if kind == "funeral" else "村文化广场",
                    ),
                    now=registered,
                )
            except ServiceError:
                continue
            counts["ceremonies"] += 1
            counts["over_caps"] += bool(ceremony.warnings)
    return counts


def load(cast: Cast, *, now: dt.datetime | None = None) -> dict:
    if cast.county is None:
        return {}
    clock = Clock(now or timezone.now())
    counts = {}
    for part in (repairs, notices, shifts, patrols, points, customs):
        counts.update(part(cast, clock, random.Random(f"{SEED}:{part.__name__}")))
    return counts
