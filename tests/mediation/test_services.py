"""The mediation services on the test world: register at the lowest level that serves
the place, risk from the rules, repeats linked, the table's steps, escalation by time once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.mediation import services
from gongzhi.mediation.choices import Level, Risk, State

pytestmark = pytest.mark.django_db


def dispute_in(w, *, facts="两家因院墙排水问题发生争执", people=1, **extra):
    return services.DisputeIn(
        title="邻里排水纠纷",
        type_id=w.neighbour.pk,
        facts=facts,
        source="screening",
        grid_id=w.grid.pk,
        parties=[
            services.PartyIn(side="applicant", name="马福贵", phone="13900001111", people=people),
            services.PartyIn(side="respondent", name="韩成林", id_number=""),
        ],
        **extra,
    )


def test_a_small_dispute_stays_in_the_village(med):
    w = med
    d = services.do_register(data=dispute_in(w), actor=w.grid_worker)
    assert (d.level, d.holder, d.risk, d.state) == (
        Level.VILLAGE,
        w.village_committee,
        Risk.GENERAL,
        State.REGISTERED,
    )
    assert d.level_due is not None and d.events.get().action == "register"


def test_threats_make_it_major_and_it_goes_up(med):
    w = med
    d = services.do_register(
        data=dispute_in(w, facts="对方扬言要动刀报复，情绪激动"), actor=w.grid_worker
    )
    assert d.risk == Risk.MAJOR and "有暴力威胁言语" in d.risk_reasons
    assert d.level != Level.VILLAGE


def test_a_repeat_is_linked(med):
    w = med
    first = services.do_register(data=dispute_in(w), actor=w.grid_worker)
    second = services.do_register(data=dispute_in(w), actor=w.grid_worker)
    assert second.repeat_of == first and second.risk == Risk.SERIOUS


def test_the_table_runs_a_settlement_and_refuses_what_it_must(med):
    w = med
    d = services.do_register(data=dispute_in(w), actor=w.grid_worker)
    with pytest.raises(NotAllowed):
        services.do_transition(dispute=d, action="accept", actor=w.township_mediator)
    d = services.do_transition(dispute=d, action="accept", actor=w.village_mediator)
    d = services.do_transition(
        dispute=d, action="start", actor=w.village_mediator, lead=w.village_mediator.pk
    )
    assert d.state == State.MEDIATING
    with pytest.raises(ServiceError) as no_obligations:
        services.do_transition(
            dispute=d,
            action="settle",
            actor=w.village_mediator,
            disputed_matters="排水问题",
            obligations=[],
        )
    assert no_obligations.value.code == "no_obligations"
    d = services.do_transition(
        dispute=d,
        action="settle",
        actor=w.village_mediator,
        disputed_matters="院墙排水",
        obligations=[{"party": "韩成林", "what": "改建排水沟", "due_on": "2026-12-31"}],
    )
    assert d.state == State.SETTLED and d.agreement.obligations.count() == 1


def test_time_at_a_level_runs_out_once(med):
    w = med
    d = services.do_register(data=dispute_in(w), actor=w.grid_worker)
    later = timezone.now() + timedelta(days=31)
    assert services.escalate_overdue(now=later) == 1
    assert services.escalate_overdue(now=later) == 0
    d.refresh_from_db()
    assert d.level == Level.TOWNSHIP and d.holder == w.justice
