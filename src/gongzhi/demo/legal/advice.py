"""The demo's legal advice in 乐都区 (630202): ~1,000 questions from its villages over the
last half year, routed to each village's legal adviser; most answered (many rated), most
answers published to the knowledge base (anonymised), some waiting, a few overdue; a duty
roster at the county centre; and a few questions of ``demo_resident``.

The questions are variants of the hand-written base questions
(``legal/advice/data/questions.tsv``). Inserted in bulk (the services are exercised by the
tests; 1,000 asks through them would send 2,000 notices): the rows are what the services
make (routing by ``advice.routing``, deadlines by ``advice.services``, terms by
``advice.search``). Idempotent: nothing is added when the county already has questions.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.core.workdays import WORKDAYS, deadline
from gongzhi.demo.accounts import DEMO_COUNTY_CODE
from gongzhi.legal.advice import anonymise, search, services
from gongzhi.legal.advice.choices import QuestionState, Route
from gongzhi.legal.advice.data import base_questions
from gongzhi.legal.advice.data.variants import variant_answer, variant_question
from gongzhi.legal.choices import PointLevel
from gongzhi.legal.models import DutyShift, KnowledgeEntry, Question, ResidentProfile, ServicePoint
from gongzhi.regions.models import Region

SEED = 20261206
QUESTIONS = 1000
ASKERS = 40
NAMES = "马 韩 李 祁 冶 张 王 赵 刘 陈 杨 朱 何 马 鲁".split()
GIVEN = "秀兰 永福 文华 成林 春花 建国 玉梅 志强 德福 海燕 国庆 淑芳 明 平 英".split()


def _askers(rng) -> list[User]:
    password = make_password(None)
    users = []
    for i in range(ASKERS):
        user, _created = User.objects.get_or_create(
            username=f"demo_asker{i:02d}",
            defaults={
                "display_name": rng.choice(NAMES) + rng.choice(GIVEN),
                "password": password,
            },
        )
        users.append(user)
    return users


def _roster(centre, lawyers, today) -> int:
    made = 0
    for offset in range(-30, 31):
        day = today + dt.timedelta(days=offset)
        lawyer = lawyers[offset % len(lawyers)]
        _shift, created = DutyShift.objects.get_or_create(centre=centre, day=day, lawyer=lawyer)
        made += created
    return made


def load(*, stdout=None) -> dict:
    county = Region.objects.filter(code=DEMO_COUNTY_CODE).first()
    if county is None:
        return {"skipped": "no demo county"}
    rooms = list(
        ServicePoint.objects.filter(
            level=PointLevel.ROOM, region_path__startswith=county.path, adviser__isnull=False
        ).select_related("region", "adviser")
    )
    centre = ServicePoint.objects.filter(level=PointLevel.CENTRE, region=county).first()
    if not rooms:
        return {"skipped": "no village legal advisers"}
    rng = random.Random(SEED)
    now = timezone.now()
    duty = [
        u
        for u in User.objects.filter(username__in=["demo_lawyer2", "demo_lawyer3"]).order_by(
            "username"
        )
    ]
    shifts = _roster(centre, duty, timezone.localdate()) if centre and duty else 0
    if Question.objects.filter(region_path__startswith=county.path).exists():
        return {"questions": 0, "entries": 0, "shifts": shifts}

    bases = base_questions()
    askers = _askers(rng)
    resident = User.objects.filter(username="demo_resident").first()
    home = ResidentProfile.objects.filter(user=resident).first() if resident else None
    questions, plans = [], []
    with transaction.atomic():
        for i in range(QUESTIONS):
            base = bases[i % len(bases)]
            room = rng.choice(rooms)
            asker = rng.choice(askers)
            roll = rng.random()
            if roll < 0.85:
                asked = now - dt.timedelta(days=rng.uniform(3, 180))
                state = QuestionState.ANSWERED
            elif roll < 0.97:
                asked = now - dt.timedelta(hours=rng.uniform(1, 40))
                state = QuestionState.WAITING
            else:
                asked = now - dt.timedelta(days=rng.uniform(5, 12))
                state = QuestionState.WAITING
            if i < 3 and resident is not None:
                asker = resident
                room = next((r for r in rooms if r.adviser.username == "demo_legal_adviser"), room)
                state = QuestionState.WAITING if i == 1 else QuestionState.ANSWERED
                asked = now - dt.timedelta(days=(10, 0.1, 30)[i])
            text = variant_question(base["question"], rng)
            due = deadline(asked, services.reply_workdays(), WORKDAYS)
            q = Question(
                asker=asker,
                region=room.region,
                region_path=room.region.path,
                text=text,
                lawyer=room.adviser,
                route=Route.ADVISER,
                asked_at=asked,
                due_at=due,
                state=state,
            )
            if state == QuestionState.ANSWERED:
                q.answer = variant_answer(base["answer"], rng)
                q.answered_at = min(asked + dt.timedelta(hours=rng.uniform(2, 70)), now)
                q.answered_by = room.adviser
                if rng.random() < 0.6:
                    q.rating = rng.choice([3, 4, 4, 5, 5, 5])
            questions.append(q)
            plans.append((base, state == QuestionState.ANSWERED and rng.random() < 0.75))
        Question.objects.bulk_create(questions, batch_size=500)
        # the same dates on the timestamps the demo pages show
        entries = []
        for q, (base, publish) in zip(questions, plans, strict=True):
            if not publish:
                continue
            body = anonymise.scrub(
                q.text, known=anonymise.known_of(q.asker), places=[q.region.name]
            )
            title = base["question"].rstrip("？?")[:60]
            entries.append(
                KnowledgeEntry(
                    question=q,
                    title=title,
                    body=body,
                    answer=q.answer,
                    county_path=county.path,
                    **dict(
                        zip(
                            ("terms", "body_terms"),
                            search.entry_terms(title, body, q.answer),
                            strict=True,
                        )
                    ),
                    published=True,
                    published_at=q.answered_at,
                )
            )
        KnowledgeEntry.objects.bulk_create(entries, batch_size=500)
        if resident is not None and home is None:
            own = next((r for r in rooms if r.adviser.username == "demo_legal_adviser"), rooms[0])
            ResidentProfile.objects.get_or_create(user=resident, defaults={"region": own.region})
    search.clear_cache()
    counts = {"questions": len(questions), "entries": len(entries), "shifts": shifts}
    if stdout is not None:
        stdout.write(
            f"legal advice: {counts['questions']} questions, {counts['entries']} in the "
            f"knowledge base\n"
        )
    return counts
