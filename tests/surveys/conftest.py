"""The surveys test world: the case world (``tests.world``) with residents in the register
of 碾伯镇 and 平安镇, hotline callers in 高庙镇 (which has no resident), grid populations
(碾伯镇 3000, 高庙镇 1000, 平安镇 4000), a second operator and the leaders of both
counties."""

import datetime as dt
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps

from gongzhi.accounts.models import Role
from gongzhi.regions.models import Grid, Region
from gongzhi.surveys import services
from gongzhi.surveys.models import Questionnaire
from tests.factories import UserFactory, call_case
from tests.people.factories import HouseFactory, HouseholdFactory, ResidentFactory

GAOMIAO_POINT = (102.43, 36.48)
ADULT = dt.date(1980, 5, 1)


def seeded_questionnaire() -> Questionnaire:
    """The standard questionnaire, put back if a transactional test's flush removed it."""
    if not Questionnaire.objects.filter(code="pingan-standard").exists():
        import_module("gongzhi.surveys.migrations.0002_seed_questionnaire").seed(apps, None)
    return Questionnaire.objects.get(code="pingan-standard")


def resident(grid, phone, *, born=ADULT, **fields):
    house = HouseFactory(grid=grid)
    return ResidentFactory(
        household=HouseholdFactory(house=house), phone=phone, birth_date=born, **fields
    )


def pick(questions, safety: str, satisfaction: str) -> dict[str, int]:
    """Answers: every safety question with the option labelled ``safety``, every
    satisfaction question with ``satisfaction``."""
    out = {}
    for q in questions:
        label = safety if q.measure == "safety" else satisfaction
        out[str(q.pk)] = next(o.pk for o in q.scale.options.all() if o.label == label)
    return out


@pytest.fixture
def sv(world):
    w = world
    w.questionnaire = seeded_questionnaire()
    w.nianbo = w.regions.nianbo
    w.gaomiao = Region.objects.get(code="630202101")
    w.pingan_town = Region.objects.get(code="630203100")
    for code, population in [
        ("630202100001-01", 2000),
        ("630202100001-02", 1000),
        ("630202101201-01", 1000),
        ("630203100001-01", 4000),
    ]:
        Grid.objects.filter(code=code).update(population=population)
    # 碾伯镇: five adults with a phone of their own, two sharing one, and some who are
    # not in the frame: a child, one who moved out, one without a phone.
    w.adults = [resident(w.grid, f"1390972000{i}") for i in range(3)] + [
        resident(w.grid_b, f"1390972001{i}") for i in range(2)
    ]
    w.adults.append(resident(w.grid_b, "13909720020"))
    resident(w.grid_b, "13909720020")  # the same household phone
    w.child = resident(w.grid, "13909729999", born=dt.date(2015, 1, 1))
    w.moved = resident(w.grid, "13909728888", moved_out=dt.date(2025, 1, 1))
    w.silent = resident(w.grid, "")
    # 平安镇: three adults.
    w.pingan_adults = [resident(w.other_grid, f"1389730000{i}") for i in range(3)]
    # 高庙镇: nobody in the register; two hotline callers, one of whom called twice.
    for phone in ("13800000001", "13800000002", "13800000001"):
        call_case(w, w.manhole, point=GAOMIAO_POINT, reporter_phone=phone)
    w.operator2 = UserFactory(
        username="operator2",
        display_name="马晓红",
        organisation=w.city_command,
        role=Role.HOTLINE_OPERATOR,
    )
    w.ledu_leader = UserFactory(
        username="leduleader", display_name="祁区长", organisation=w.command, role=Role.LEADER
    )
    w.pingan_leader = UserFactory(
        username="pinganleader",
        display_name="韩区长",
        organisation=w.other_command,
        role=Role.LEADER,
    )
    return w


def new_wave(w, region, *, actor=None, **fields):
    values = {
        "questionnaire": w.questionnaire,
        "region": region,
        "name": f"{region.name}安全感调查",
        "start": dt.date(2026, 11, 1),
        "end": dt.date(2026, 11, 30),
        "per_township": 3,
        "allocation": "equal",
        "max_attempts": 3,
        "seed": 7,
        **fields,
    }
    return services.do_create_wave(actor=actor or w.admin, **values)


def fielded(w, region, *, operators=None, **fields):
    """A wave drawn, shared among the operators (the world's first by default) and open."""
    wave = new_wave(w, region, **fields)
    services.do_draw_sample(actor=w.admin, wave=wave, operators=operators or [w.operator])
    services.do_transition(actor=w.admin, wave=wave, action="open")
    wave.refresh_from_db()
    return wave


__all__ = ["SimpleNamespace", "fielded", "new_wave", "pick", "resident", "seeded_questionnaire"]


@pytest.fixture
def client(client):
    """These tests read the pages' messages in English (the catalogue's msgids): the UI is
    Chinese first and English complete, and a browser asking for English gets it."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
