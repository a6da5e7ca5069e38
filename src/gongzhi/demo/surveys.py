"""海东 demo survey: the standard questionnaire fielded in the demo city last month.

A wave over the whole city (its townships the strata, proportional allocation), its sample
drawn from the register (callers where a township has no resident with a phone) and shared
with the hotline's demo operator, then fielded through the real services: most members
answered on the phone, some by their link, others refused, did not answer or asked to be
called back; then the wave is closed. Each township has a "mood" of its own, so the results
differ by place. One seeded generator: the same database gives the same survey.

**Idempotent by presence**: when the demo city already has a wave, ``load`` creates nothing.
"""

from __future__ import annotations

import datetime as dt
import random

from django.conf import settings
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.regions.models import Region
from gongzhi.surveys import services
from gongzhi.surveys.choices import Allocation, Outcome
from gongzhi.surveys.models import Questionnaire, Wave

SEED = 20261206
STANDARD = "pingan-standard"


def _say(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


def _last_month(today: dt.date) -> tuple[dt.date, dt.date]:
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def _answers(rng: random.Random, questions, mood: float) -> dict[str, int]:
    """One option per question: the better the township's mood, the nearer the top."""
    out = {}
    for question in questions:
        options = list(question.scale.options.all())
        scored = [o for o in options if o.score is not None]
        unscored = [o for o in options if o.score is None]
        if unscored and rng.random() < 0.03:
            out[str(question.pk)] = unscored[0].pk
            continue
        index = min(len(scored) - 1, int(abs(rng.gauss(0, mood))))
        out[str(question.pk)] = scored[index].pk
    return out


def load(*, stdout=None) -> dict:
    city = Region.objects.filter(code=settings.GONGZHI.get("DEMO_CITY_CODE", "630200")).first()
    questionnaire = Questionnaire.objects.filter(code=STANDARD).first()
    admin = User.objects.filter(username="demo_admin").first()
    operator = User.objects.filter(username="demo_hotline").first()
    if None in (city, questionnaire, admin, operator) or Wave.objects.filter(region=city).exists():
        return {}
    start, end = _last_month(timezone.localdate())
    wave = services.do_create_wave(
        actor=admin,
        questionnaire=questionnaire,
        region=city,
        name=f"{start.year}年{start.month}月{city.name}群众安全感和满意度调查",
        start=start,
        end=end,
        per_township=8,
        allocation=Allocation.PROPORTIONAL,
        max_attempts=3,
        seed=SEED,
    )
    drawn = services.do_draw_sample(actor=admin, wave=wave, operators=[operator])
    services.do_transition(actor=admin, wave=wave, action="open")
    rng = random.Random(SEED)
    questions = services.questions_of(wave)
    moods: dict[int, float] = {}
    tally = {"phone": 0, "link": 0, "refused": 0, "no_answer": 0, "call_back": 0, "untouched": 0}
    for member in wave.members.select_related("wave").order_by("pk"):
        mood = moods.setdefault(member.region_id, rng.uniform(0.6, 1.9))
        roll = rng.random()
        if roll < 0.55:
            services.do_record_call(
                user=operator,
                member=member,
                outcome=Outcome.ANSWERED,
                answers=_answers(rng, questions, mood),
            )
            tally["phone"] += 1
        elif roll < 0.68:
            services.do_submit_link(token=member.token, answers=_answers(rng, questions, mood))
            tally["link"] += 1
        elif roll < 0.78:
            services.do_record_call(user=operator, member=member, outcome=Outcome.REFUSED)
            tally["refused"] += 1
        elif roll < 0.9:
            for _ in range(rng.randint(1, 3)):
                services.do_record_call(user=operator, member=member, outcome=Outcome.NO_ANSWER)
                member.refresh_from_db()
            tally["no_answer"] += 1
        elif roll < 0.95:
            services.do_record_call(
                user=operator,
                member=member,
                outcome=Outcome.CALL_BACK,
                callback_at=timezone.now() + dt.timedelta(days=1, hours=rng.randint(0, 8)),
            )
            tally["call_back"] += 1
        else:
            tally["untouched"] += 1
    services.do_transition(actor=admin, wave=wave, action="close")
    _say(
        stdout,
        f"survey: {drawn['drawn']} drawn, {tally['phone']} by phone, {tally['link']} by link\n",
    )
    return {"wave": wave.pk, "drawn": drawn["drawn"], **tally}
