"""海东 demo of legal aid: about 300 applications of the last six months in 乐都区 (the demo
county), in every state, each made through the aid room's own services and taken step by
step through its workflow table (``services.do_apply``, ``services.do_upload``,
``services.do_transition``), every step dated when it happened (``now=``) and telling
nobody (``tell=False``). Steps later than the moment of loading are not taken, so the last
days' applications are still undecided, awaiting documents or a lawyer.

Half are filed online by residents (``demo_resident`` owns five, in different states), half
entered at the county centre by its reviewer for walk-in people. Their stories: documents
asked for once and supplied (or not, and the application lapses), granted or refused in
writing (some objected to before the 司法局, upheld or aid ordered), urgent matters granted
first and reviewed after, a lawyer assigned, hearings and documents recorded, concluded or
terminated, closed with the file, and rated by the applicant.

**Idempotent**: when the county has any application, ``load`` creates nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import time
from collections import Counter

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image

from gongzhi.accounts.models import Membership, OrganisationKind, Role, User
from gongzhi.accounts.validators import id_check_digit
from gongzhi.core import workdays
from gongzhi.core.errors import ServiceError
from gongzhi.demo.accounts import DEMO_COUNTY_CODE, synthetic_mobile, synthetic_name
from gongzhi.legal.aid import services
from gongzhi.legal.aid.choices import DeadlineKind, DocumentKind, Flag, ProgressKind, Termination
from gongzhi.legal.models import AidMatterType, Application, IncomeStandard
from gongzhi.regions.models import Region, RegionLevel

DEMO_COUNT = 300
DEMO_DAYS = 182
DEMO_SEED = 20261204
APPLICANTS = 24  # resident accounts that apply online
STANDARD_YUAN = 1170  # 乐都区's income standard for legal aid, yuan per person a month

STORIES = {
    "granted": 62,
    "refused": 12,
    "objected": 6,
    "lapsed": 5,
    "withdrawn": 5,
    "urgent": 6,
    "terminated": 4,
}
SUMMARIES = {
    "wages": "在{place}附近的建筑工地打工，包工头拖欠{n}个月工资共{m}元，多次讨要无果。",
    "work_injury": "在厂里干活时受伤，单位不认工伤，也不给医药费，已经花了{m}元。",
    "labour_relation": "在{place}的公司干了{n}年，没签劳动合同，被口头辞退，想确认劳动关系。",
    "maintenance": "年过七十，{n}个子女都不给赡养费，生活没有着落。",
    "traffic": "在{place}路口被货车撞伤，对方保险公司只肯赔{m}元。",
    "medical": "在医院做手术后出现并发症，院方不承认过错，花去医疗费{m}元。",
    "social_insurance": "单位{n}年没给交社保，现在到了退休年龄领不到养老金。",
    "minimum_living": "家里{n}口人，申请低保被乡里拒绝，想请律师帮忙复议。",
}
DEFAULT_SUMMARY = "家住{place}，遇到{kind}方面的纠纷，自己不懂法律，也请不起律师。"
OPPOSING = [
    "某建筑劳务公司",
    "某运输有限公司",
    "某保险公司",
    "某医院",
    "某餐饮店",
    "子女",
    "某村委会",
]
REFUSALS = [
    "经审查，申请人家庭人均月收入高于本县法律援助经济困难标准，且不属于免予核查经济状况的情形。",
    "申请事项不属于《法律援助法》第三十一条规定的法律援助范围。",
    "申请人已委托律师代理本案，不符合法律援助条件。",
]
PROGRESS = [
    (ProgressKind.DOCUMENT, "向对方发出律师函，要求支付欠款。"),
    (ProgressKind.DOCUMENT, "代为申请劳动仲裁，已立案受理。"),
    (ProgressKind.HEARING, "参加开庭，对方同意调解。"),
    (ProgressKind.HEARING, "一审开庭，双方质证。"),
    (ProgressKind.OTHER, "与受援人会面，补充收集证据。"),
]
OUTCOMES = [
    "经仲裁调解，对方当庭支付全部欠薪。",
    "一审判决支持受援人的诉讼请求。",
    "双方达成和解协议，对方分期支付赔偿款。",
    "法院调解结案，受援人获得赡养费每月八百元。",
]


class _Later(Exception):
    """The story's next step lies after the moment of loading: stop it here."""


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (48, 36), (236, 233, 225)).save(out, format="PNG")
    return out.getvalue()


PNG = _png()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _people(county: Region) -> dict | None:
    """The county centre's reviewer and director, the 司法局's staff, the lawyers and the
    residents who apply online (None when the county has no legal-aid centre)."""
    members = Membership.objects.filter(
        organisation__kind=OrganisationKind.LEGAL_AID_CENTRE,
        organisation__regions=county,
        user__is_active=True,
    ).select_related("user")
    reviewer = next((m.user for m in members if m.role == Role.HANDLER), None)
    director = next((m.user for m in members if m.role == Role.LEADER), None)
    if reviewer is None or director is None:
        return None
    bureau = (
        Membership.objects.filter(
            organisation__function="SFJ", organisation__regions=county, role=Role.HANDLER
        )
        .select_related("user")
        .first()
    )
    preferred = ["demo_lawyer", "demo_lawyer2", "demo_lawyer3", "demo_legal_adviser"]
    lawyers = list(
        User.objects.filter(is_active=True, memberships__role=Role.LAWYER)
        .distinct()
        .order_by("username")
    )
    lawyers.sort(
        key=lambda u: (
            u.username not in preferred,
            preferred.index(u.username) if u.username in preferred else 0,
            u.pk,
        )
    )
    # Residents: accounts with no post but a resident's (the case demo's reporters).
    staff_roles = [r for r in Role.values if r != Role.RESIDENT]
    residents = list(
        User.objects.filter(is_active=True, is_superuser=False, is_staff=False)
        .exclude(memberships__role__in=staff_roles)
        .exclude(username="demo_resident")
        .order_by("pk")[:40]
    )
    if len(residents) < APPLICANTS:
        residents += _applicants(county, APPLICANTS - len(residents))
    return {
        "reviewer": reviewer,
        "director": director,
        "bureau": bureau.user if bureau else None,
        "lawyers": lawyers[:6],
        "resident": User.objects.filter(username="demo_resident").first(),
        "residents": residents,
    }


def _applicants(county: Region, n: int) -> list[User]:
    """Resident accounts that apply online, when the demo has too few (no password: they
    exist to own applications, rate the aid and object to refusals)."""
    rng = random.Random(DEMO_SEED + 1)
    users = []
    for i in range(1, n + 1):
        name, _male = synthetic_name(rng)
        user, _created = User.objects.get_or_create(
            username=f"demo_aid_applicant{i:02d}",
            defaults={"display_name": name, "password": "!"},
        )
        users.append(user)
    return users


def _id_number(rng: random.Random, county_code: str, *, born_from=1955, years=45) -> str:
    born = dt.date(born_from, 1, 1) + dt.timedelta(days=rng.randrange(365 * years))
    first = f"{county_code[:6]}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first + id_check_digit(first)


class Story:
    """One application's life, stepped in time; each step is a real service call."""

    def __init__(self, *, rng, people, received, now, fate, applicant, place, kind, county):
        self.rng, self.p, self.t, self.now = rng, people, received, now
        self.fate, self.applicant, self.place, self.kind = fate, applicant, place, kind
        self.county = county
        self.app = None

    # time -------------------------------------------------------------------------------
    def after(self, working_days: int, *, hours: float = 0) -> dt.datetime:
        moment = workdays.add_working_days(self.t, working_days) + dt.timedelta(
            hours=hours, minutes=self.rng.randrange(0, 90)
        )
        if moment >= self.now:
            raise _Later
        self.t = moment
        return moment

    def act(self, action, actor, **params):
        self.app = services.do_transition(
            application=self.app, action=action, actor=actor, now=self.t, tell=False, **params
        )

    def upload(self, actor, kind, name):
        body = PDF if kind == DocumentKind.CLOSING else PNG
        mime = "application/pdf" if kind == DocumentKind.CLOSING else "image/png"
        services.do_upload(
            application=self.app,
            actor=actor,
            upload=SimpleUploadedFile(name, body, content_type=mime),
            kind=kind,
            title=name,
            now=self.t,
        )

    # the story ----------------------------------------------------------------------------
    def apply(self) -> None:
        rng = self.rng
        name, male = synthetic_name(rng)
        flags = []
        if self.kind.code in ("wages", "work_injury") and rng.random() < 0.7:
            flags.append(Flag.MIGRANT_WORKER)
        if self.kind.code == "maintenance" and rng.random() < 0.6:
            flags.append(Flag.NO_FIXED_INCOME)
        if rng.random() < 0.08:
            flags.append(Flag.SOCIAL_ASSISTANCE)
        income = (
            rng.choice([450, 600, 750, 900, 1000, 1100, 1150])
            if self.fate != "refused"
            else (rng.choice([900, 1600, 2100]))
        )
        deadline = None
        if self.fate == "urgent":
            deadline = timezone.localdate(self.t) + dt.timedelta(days=rng.randrange(2, 6))
        elif rng.random() < 0.3:
            deadline = timezone.localdate(self.t) + dt.timedelta(days=rng.randrange(20, 200))
        text = SUMMARIES.get(self.kind.code, DEFAULT_SUMMARY).format(
            place=self.place.name,
            n=rng.randrange(2, 6),
            m=rng.randrange(8, 90) * 1000,
            kind=self.kind.name,
        )
        online = self.applicant is not None
        data = services.ApplicationIn(
            matter_type_id=self.kind.pk,
            summary=text,
            region_id=self.place.pk,
            id_number=_id_number(rng, self.county.code),
            name=(self.applicant.display_name if online and self.applicant.display_name else name),
            phone=synthetic_mobile(f"aid-{self.t.isoformat()}-{name}"),
            address=f"{self.place.parent.name if self.place.parent_id else ''}{self.place.name}",
            opposing_party=rng.choice(OPPOSING),
            matter_deadline=deadline,
            matter_deadline_kind=(
                (DeadlineKind.HEARING if rng.random() < 0.5 else DeadlineKind.LIMITATION)
                if deadline
                else ""
            ),
            household_size=rng.randrange(1, 6),
            monthly_income_per_head=income,
            pledge=True,
            flags=flags,
        )
        actor = self.applicant if online else self.p["reviewer"]
        self.app = services.do_apply(
            data=data, actor=actor, on_behalf=not online, now=self.t, tell=False
        )
        self.submitter = actor
        if rng.random() < 0.5:
            self.upload(actor, DocumentKind.IDENTITY, "身份证.png")

    def documents(self, supplied=True) -> None:
        self.after(self.rng.randrange(1, 3))
        self.act(
            "request_documents",
            self.p["reviewer"],
            items=self.rng.choice(
                [
                    ["劳动合同或工资条", "欠薪证明（工友证言）"],
                    ["家庭经济状况说明", "户口簿"],
                    ["医疗费票据", "诊断证明"],
                    ["事故认定书"],
                ]
            ),
        )
        if not supplied:
            due = self.app.supplement_due
            if due + dt.timedelta(hours=2) >= self.now:
                raise _Later
            self.t = due + dt.timedelta(hours=2)
            self.act("lapse", None)
            raise _Later
        self.after(self.rng.randrange(1, 6))
        self.upload(self.submitter, DocumentKind.SUPPLEMENT, "补充材料.png")
        self.act("supply_documents", self.submitter, note="材料已补齐")

    def aid(self) -> None:
        rng, p = self.rng, self.p
        lawyer = rng.choice(p["lawyers"]) if p["lawyers"] else None
        if lawyer is None:
            raise _Later
        self.after(rng.choice([0, 1, 1, 2, 3, 4]))
        self.act("assign", p["director"], lawyer=lawyer.pk)
        for _ in range(rng.randrange(1, 4)):
            self.after(rng.randrange(3, 15))
            kind, note = rng.choice(PROGRESS)
            self.act(
                "record_progress",
                lawyer,
                kind=kind,
                happened_on=timezone.localdate(self.t),
                note=note,
            )
        self.after(rng.randrange(5, 25))
        if self.fate == "terminated":
            self.act(
                "terminate",
                lawyer,
                termination=rng.choice([Termination.OWN_LAWYER, Termination.ASKED_TO_END]),
                reason="受援人书面申请终止法律援助。",
            )
            if rng.random() < 0.5:
                return  # the file not closed yet
        else:
            self.act("conclude", lawyer, outcome=rng.choice(OUTCOMES))
        self.after(rng.randrange(1, 8))
        self.upload(lawyer, DocumentKind.CLOSING, "结案归档材料.pdf")
        self.act("close", lawyer, note="卷宗已归档")
        if self.applicant is not None and rng.random() < 0.75:
            self.after(rng.randrange(0, 5))
            self.act(
                "rate",
                self.applicant,
                rating=rng.choices([5, 4, 3, 2], weights=[60, 28, 9, 3])[0],
                comment=rng.choice(["律师很负责", "办事效率高", "", "感谢法援中心"]),
            )

    def run(self) -> None:
        rng, p = self.rng, self.p
        self.apply()
        if self.fate == "withdrawn":
            self.after(rng.randrange(1, 3))
            self.act("withdraw", self.submitter, reason="已与对方协商解决")
            return
        if self.fate == "lapsed":
            self.documents(supplied=False)
        if self.fate == "urgent":
            self.after(0, hours=2)
            self.act("grant_first", p["director"], note="诉讼时效即将届满，先行提供法律援助")
            self.aid_urgent()
            return
        if rng.random() < 0.3:
            self.documents()
        # The decision: most within 7 working days, a few late.
        self.after(rng.choices([1, 2, 3, 4, 5, 6, 8, 9], weights=[8, 14, 16, 14, 10, 8, 3, 2])[0])
        if self.fate in ("refused", "objected"):
            self.act("refuse", p["director"], reason=rng.choice(REFUSALS))
            if self.fate == "objected":
                self.objection()
            return
        self.act("grant", p["director"], note="符合法律援助条件")
        self.aid()

    def aid_urgent(self) -> None:
        rng, p = self.rng, self.p
        lawyer = rng.choice(p["lawyers"]) if p["lawyers"] else None
        if lawyer is None:
            raise _Later
        self.after(0, hours=1)
        self.act("assign", p["director"], lawyer=lawyer.pk)
        self.after(rng.randrange(2, 6))
        self.act("review_advance", p["director"], confirmed=True, reason="")
        self.aid_rest(lawyer)

    def aid_rest(self, lawyer) -> None:
        self.after(self.rng.randrange(5, 20))
        self.act("conclude", lawyer, outcome=self.rng.choice(OUTCOMES))
        self.after(self.rng.randrange(1, 6))
        self.upload(lawyer, DocumentKind.CLOSING, "结案归档材料.pdf")
        self.act("close", lawyer, note="卷宗已归档")

    def objection(self) -> None:
        rng, p = self.rng, self.p
        if self.applicant is None or p["bureau"] is None:
            return
        self.after(rng.randrange(1, 5))
        self.act("object", self.applicant, reason="我家确实困难，有村委会证明，请求复查。")
        self.after(rng.randrange(1, 5))
        if rng.random() < 0.5:
            self.act("uphold", p["bureau"], reason="经复查，原决定认定事实清楚，维持不予援助决定。")
        else:
            self.act(
                "order_aid",
                p["bureau"],
                reason="经复查，申请人符合经济困难标准，责令提供法律援助。",
            )
            self.aid()


def _plans(rng, now, count, people) -> list[dict]:
    fates = list(STORIES)
    weights = [STORIES[f] for f in fates]
    plans = []
    for _ in range(count):
        age = dt.timedelta(days=DEMO_DAYS * rng.random() ** 0.9)
        fate = rng.choices(fates, weights=weights)[0]
        applicant = (
            rng.choice(people["residents"])
            if people["residents"] and (fate == "objected" or rng.random() < 0.5)
            else None
        )
        if fate == "objected" and applicant is None:
            fate = "refused"  # only an applicant with an account objects online
        plans.append({"received": now - age, "fate": fate, "applicant": applicant})
    if people["resident"] is not None:
        # demo_resident's own: closed and rated, with a lawyer, refused, awaiting documents
        # (asked two days ago), and just sent.
        for days, fate in (
            (150, "granted"),
            (40, "granted"),
            (60, "refused"),
            (4, "docs"),
            (0.2, "granted"),
        ):
            plans.append(
                {
                    "received": now - dt.timedelta(days=days),
                    "fate": fate,
                    "applicant": people["resident"],
                    "own": True,
                }
            )
    plans.sort(key=lambda p: p["received"])
    return plans


def load(*, stdout=None, count: int = DEMO_COUNT, now: dt.datetime | None = None) -> dict:
    started = time.monotonic()
    now = now or timezone.now()
    county = Region.objects.filter(code=DEMO_COUNTY_CODE).first()
    if county is None:
        return {"created": 0, "skipped": "no demo county"}
    present = Application.objects.filter(region_path__startswith=county.path).count()
    if present:
        return {"created": 0, "present": present}
    people = _people(county)
    if people is None:
        return {"created": 0, "skipped": "no legal aid centre"}
    places = list(
        Region.objects.filter(path__startswith=county.path, level=RegionLevel.COMMUNITY)
        .select_related("parent")
        .order_by("path")
    ) or [county]
    kinds = list(AidMatterType.objects.filter(enabled=True).order_by("order", "code"))
    if not kinds:
        return {"created": 0, "skipped": "no matter types"}
    common = [k for k in kinds if k.code in SUMMARIES] or kinds
    IncomeStandard.objects.get_or_create(
        region=county, defaults={"yuan_per_person_month": STANDARD_YUAN}
    )
    rng = random.Random(DEMO_SEED)
    errors = Counter()
    home = None
    if people["resident"] is not None:
        from gongzhi.legal.models import ResidentProfile

        profile = ResidentProfile.objects.filter(user=people["resident"]).first()
        home = profile.region if profile and profile.region_id else None
    with transaction.atomic():
        for plan in _plans(rng, now, count, people):
            fate = plan["fate"]
            own = plan.get("own")
            story = Story(
                rng=rng,
                people=people,
                received=plan["received"],
                now=now,
                fate="granted" if fate == "docs" else fate,
                applicant=plan["applicant"],
                place=(home if own and home else rng.choice(places)),
                kind=rng.choice(common if rng.random() < 0.8 else kinds),
                county=county,
            )
            try:
                if fate == "docs":
                    story.apply()
                    story.documents(supplied=False)
                else:
                    story.run()
            except _Later:
                pass
            except ServiceError as error:  # a story the rules refuse: it stops there
                errors[error.code] += 1
    states = Counter(
        Application.objects.filter(region_path__startswith=county.path).values_list(
            "state", flat=True
        )
    )
    result = {
        "created": sum(states.values()),
        "states": dict(sorted(states.items())),
        "refused_steps": dict(errors),
        "seconds": round(time.monotonic() - started, 1),
    }
    if stdout is not None:
        stdout.write(f"legal aid: {result['created']} applications {result['states']}\n")
    return result
