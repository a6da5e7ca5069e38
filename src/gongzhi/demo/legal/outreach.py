"""The demo's 普法: three campaigns of 乐都区's 司法局, made through the room's services —
this year's 宪法宣传周 around 12月4日 and the 民法典宣传月 in May (both sent, read and
answered), and the coming 春节前 wage-settlement campaign for migrant workers (scheduled) —
each with articles with images and a quiz; the demo resident's profile (their community,
their groups) and some eighty residents of the county with profiles, who were sent the
articles and read a share of them.

Idempotent: a campaign already there (by title and area) is left alone.
"""

from __future__ import annotations

import datetime as dt
import random
from io import BytesIO

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from gongzhi.demo.accounts import DEMO_COUNTY_CODE, Tree, synthetic_name
from gongzhi.legal.models import AudienceGroup, Campaign, Delivery, ResidentProfile
from gongzhi.legal.outreach import services

from .staff import resident_community

AUTHOR = "demo_justice"
READERS = 80
SEED = 19

CONSTITUTION_QUIZ = """我国的根本法是什么？
*宪法
刑法
民法典

国家宪法日是每年的哪一天？
3月15日
*12月4日
10月1日

中华人民共和国公民在法律面前一律平等吗？
*是
否"""

CIVIL_CODE_QUIZ = """民法典是哪一年起施行的？
2019年
*2021年
2023年

父母对未成年子女负有什么义务？
*抚养、教育和保护
只有抚养
没有义务

签订借款合同，最好怎么做？
口头约定即可
*写借条，写明金额、利息和还款日期
不用任何凭证"""

WAGE_QUIZ = """老板拖欠工资，可以向哪里投诉？
*劳动保障监察机构
村委会小卖部
不能投诉

讨薪需要保存哪些证据？
*劳动合同、考勤记录、工资条、聊天记录
什么都不用
只要记住老板的名字

农民工请求支付劳动报酬，申请法律援助需要审查经济困难吗？
需要
*不需要"""

GRAZING_QUIZ = """承包的草原可以随意改变用途吗？
可以
*不可以

遇到草场边界纠纷，首先可以找谁调解？
*村人民调解委员会
直接动手解决
不用管

草原承包经营权受法律保护吗？
*受保护
不受保护"""


def _picture(colour, accent, name):
    image = Image.new("RGB", (960, 540), colour)
    draw = ImageDraw.Draw(image)
    for n in range(6):
        draw.rectangle([80 + n * 140, 360 - n * 40, 180 + n * 140, 460], fill=accent)
    draw.ellipse([760, 60, 880, 180], fill=(255, 255, 255))
    out = BytesIO()
    image.save(out, "JPEG", quality=80)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _last(month: int, day: int, today: dt.date) -> dt.date:
    this = dt.date(today.year, month, day)
    return this if this <= today else dt.date(today.year - 1, month, day)


def _campaigns(county, today):
    week = _last(12, 1, today)
    may = _last(5, 1, today)
    spring = dt.date(today.year + (1 if today.month >= 2 else 0), 1, 10)
    if spring <= today:
        spring = today + dt.timedelta(days=20)
    return [
        {
            "title": f"{week.year}年“宪法宣传周”",
            "description": "12月4日国家宪法日前后，走进村社、学校、集市，学习宣传宪法。",
            "starts_on": week,
            "ends_on": week + dt.timedelta(days=6),
            "articles": [
                {
                    "title": "弘扬宪法精神，建设法治乐都",
                    "summary": "宪法是国家的根本法，是治国安邦的总章程。",
                    "body": "宪法是国家的根本法，具有最高的法律地位、法律权威、法律效力。\n"
                    "每年12月4日是国家宪法日。宪法规定了公民的基本权利和义务：\n"
                    "一、公民在法律面前一律平等；\n二、公民有劳动的权利和义务；\n"
                    "三、公民有受教育的权利和义务。\n学宪法、讲宪法、守宪法，从每一个人做起。",
                    "groups": [],
                    "quiz": CONSTITUTION_QUIZ,
                    "colours": ((185, 28, 28), (250, 204, 21)),
                },
                {
                    "title": "宪法与我们的日常生活",
                    "summary": "从户口登记到土地承包，宪法就在身边。",
                    "body": "土地承包、宅基地、养老保险、义务教育……这些与群众切身利益相关的"
                    "制度，都以宪法为根据。遇到权利受到侵害，可以到村里的公共法律服务"
                    "工作室咨询法律顾问，也可以拨打12348公共法律服务热线。",
                    "groups": [],
                    "quiz": "",
                    "colours": ((30, 64, 175), (147, 197, 253)),
                },
            ],
        },
        {
            "title": f"{may.year}年“民法典宣传月”",
            "description": "五月民法典宣传月：让民法典走到群众身边、走进群众心里。",
            "starts_on": may,
            "ends_on": may + dt.timedelta(days=30),
            "articles": [
                {
                    "title": "民法典里的婚姻家庭",
                    "summary": "结婚、离婚、抚养、赡养，民法典怎么说？",
                    "body": "民法典婚姻家庭编规定：婚姻自由、一夫一妻、男女平等。\n"
                    "父母对未成年子女负有抚养、教育和保护的义务；成年子女对父母负有"
                    "赡养、扶助和保护的义务。家庭暴力受害人可以申请人身安全保护令。",
                    "groups": ["women", "elderly"],
                    "quiz": CIVIL_CODE_QUIZ,
                    "colours": ((190, 24, 93), (251, 207, 232)),
                },
                {
                    "title": "借钱给亲戚朋友，借条怎么写",
                    "summary": "写明出借人、借款人、金额、利息和还款日期。",
                    "body": "民间借贷要写借条：写清双方姓名和身份证号、借款金额（大小写）、"
                    "利息、还款日期，由借款人签名按手印。转账最好留下记录。\n"
                    "借款利率超过合同成立时一年期贷款市场报价利率四倍的部分不受保护。",
                    "groups": [],
                    "quiz": "",
                    "colours": ((21, 128, 61), (187, 247, 208)),
                },
            ],
        },
        {
            "title": f"{spring.year}年春节前农民工工资结算普法",
            "description": "春节前工资集中结算：教农民工依法讨薪，也提醒牧民转场前理清草场承包。",
            "starts_on": spring,
            "ends_on": spring + dt.timedelta(days=25),
            "articles": [
                {
                    "title": "春节前讨薪，这些证据要留好",
                    "summary": "劳动合同、考勤、工资条、聊天记录，一样都别丢。",
                    "body": "年底工资结算前，请保存好劳动合同、考勤记录、工资条、与包工头"
                    "或老板的聊天记录。被拖欠工资，可以向劳动保障监察机构投诉，"
                    "也可以申请劳动仲裁。农民工请求支付劳动报酬申请法律援助，"
                    "不受经济困难条件的限制。",
                    "groups": ["migrant_worker"],
                    "quiz": WAGE_QUIZ,
                    "colours": ((217, 119, 6), (254, 243, 199)),
                },
                {
                    "title": "转场之前，理清草场承包",
                    "summary": "草原承包经营权受法律保护，边界纠纷先调解。",
                    "body": "草原承包经营权受法律保护，承包的草原不得改变用途。\n"
                    "出现草场边界、放牧纠纷，可以先找村人民调解委员会调解，"
                    "也可以咨询村里的法律顾问。",
                    "groups": ["herder"],
                    "quiz": GRAZING_QUIZ,
                    "colours": ((22, 101, 52), (134, 239, 172)),
                },
            ],
        },
    ]


def _profiles(tree, county, home) -> list:
    """The demo resident's profile and the readers' (made once, without passwords)."""
    User = get_user_model()
    groups = {g.code: g for g in AudienceGroup.objects.all()}
    resident = User.objects.filter(username="demo_resident").first()
    if resident is not None and home is not None:
        profile, created = ResidentProfile.objects.get_or_create(
            user=resident, defaults={"region": home}
        )
        if created:
            profile.groups.set([g for c, g in groups.items() if c in ("farmer", "women")])
    communities = [c for t in tree.townships_of(county) for c in tree.communities_of(t)]
    if not communities:
        return []
    rng = random.Random(SEED)
    readers = []
    existing = {u.username: u for u in User.objects.filter(username__startswith="demo_pf_reader_")}
    for n in range(READERS):
        username = f"demo_pf_reader_{n + 1:03d}"
        name, _male = synthetic_name(rng)
        place = home if n < 6 and home is not None else rng.choice(communities)
        picked = rng.sample(list(groups), k=rng.choice((0, 1, 1, 2)))
        user = existing.get(username)
        if user is None:
            user = User(username=username, display_name=name)
            user.set_unusable_password()
            user.save()
            profile = ResidentProfile.objects.create(user=user, region=place)
            profile.groups.set([groups[c] for c in picked])
        readers.append(user)
    return readers


def load(*, stdout=None) -> dict:
    tree = Tree()
    county = next((c for c in tree.counties if c.code == DEMO_COUNTY_CODE), None)
    county = county or (tree.counties[0] if tree.counties else None)
    author = get_user_model().objects.filter(username=AUTHOR).first()
    if county is None or author is None:
        return {"campaigns": 0}
    readers = _profiles(tree, county, resident_community(tree))
    today = timezone.localdate()
    groups = {g.code: g for g in AudienceGroup.objects.all()}
    rng = random.Random(SEED)
    made = sent = reads = answers = 0
    for spec in _campaigns(county, today):
        if Campaign.objects.filter(title=spec["title"], region=county).exists():
            continue
        campaign = services.do_create_campaign(
            user=author,
            title=spec["title"],
            description=spec["description"],
            region=county,
            starts_on=spec["starts_on"],
            ends_on=spec["ends_on"],
        )
        made += 1
        start = timezone.make_aware(dt.datetime.combine(spec["starts_on"], dt.time(9, 0)))
        for n, a in enumerate(spec["articles"]):
            colour, accent = a["colours"]
            article = services.do_write_article(
                user=author,
                title=a["title"],
                summary=a["summary"],
                body=a["body"],
                regions=[county],
                groups=[groups[g] for g in a["groups"] if g in groups],
                campaign=campaign,
                quiz_text=a["quiz"],
                cover=_picture(colour, accent, f"cover-{n}.jpg"),
                images=[_picture(accent, colour, f"image-{n}.jpg")],
                now=min(start - dt.timedelta(days=3), timezone.now()),
            )
            if spec["starts_on"] > today:
                continue  # scheduled: the tick sends it on the first day
            sent += services.deliver(article, now=start)
            # A share of the people sent it read it over the campaign, some answer the quiz.
            for row in Delivery.objects.filter(article=article).select_related("user"):
                if rng.random() > 0.62:
                    continue
                at = start + dt.timedelta(hours=rng.randint(1, 24 * 6))
                services.do_read(user=row.user, article=article, now=at)
                reads += 1
                if article.quiz and rng.random() < 0.55:
                    choices = [
                        q["answer"]
                        if rng.random() < 0.78
                        else (q["answer"] + 1) % len(q["options"])
                        for q in article.quiz
                    ]
                    services.do_answer(user=row.user, article=article, choices=choices, now=at)
                    answers += 1
    counts = {
        "campaigns": made,
        "readers": len(readers),
        "sent": sent,
        "reads": reads,
        "answers": answers,
    }
    if stdout is not None:
        stdout.write(
            f"legal outreach: {made} campaigns, {sent} deliveries, {reads} reads, "
            f"{answers} quiz answers\n"
        )
    return counts
