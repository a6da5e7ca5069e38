"""Every mediation action, allowed and refused by role and level, through the services a
page or the API calls; a refused, stale or malformed step changes nothing."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from gongzhi.accounts.models import OrganisationKind, Role
from gongzhi.core.errors import Conflict, NotAllowed, ServiceError
from gongzhi.mediation import services
from gongzhi.mediation.choices import Level, State
from gongzhi.mediation.models import Dispute
from gongzhi.mediation.workflow import RULES
from tests.factories import OrganisationFactory, RegionFactory, UserFactory

from .test_services import dispute_in

pytestmark = pytest.mark.django_db

SETTLEMENT = {
    "disputed_matters": "院墙排水",
    "obligations": [{"party": "韩成林", "what": "改建排水沟", "due_on": date.today().isoformat()}],
}
# What each action needs, and the path that brings a dispute to a state it may be taken in.
PARAMS = {
    "accept": {},
    "decline": {"reason": "属于劳动仲裁受理范围，请到县劳动仲裁院申请"},
    "start": {},
    "recuse": {"reason": "与当事人系亲属"},
    "record_session": {"place": "村委会调解室", "attendees": "双方当事人", "summary": "双方陈述"},
    "settle": SETTLEMENT,
    "fail": {"reason": "双方分歧过大"},
    "withdraw": {"reason": "申请人撤回"},
    "check_performance": {"note": "已回访", "performed": {}},
    "confirmation": {"status": "applied", "court": "乐都区人民法院"},
    "close": {},
    "escalate": {"reason": "需乡镇协调"},
    "judge_risk": {"risk": "general", "reason": "双方情绪平稳"},
    "comment": {"note": "已电话联系双方"},
}
FROM = {
    "accept": State.REGISTERED,
    "decline": State.REGISTERED,
    "start": State.ACCEPTED,
    "recuse": State.MEDIATING,
    "record_session": State.MEDIATING,
    "settle": State.MEDIATING,
    "fail": State.MEDIATING,
    "withdraw": State.MEDIATING,
    "check_performance": State.SETTLED,
    "confirmation": State.SETTLED,
    "close": State.FAILED,
    "escalate": State.REGISTERED,
    "judge_risk": State.MEDIATING,
    "comment": State.MEDIATING,
}


@pytest.fixture
def levels_world(med):
    w = med
    w.village_leader = UserFactory(organisation=w.village_committee, role=Role.LEADER)
    w.second_mediator = UserFactory(organisation=w.village_committee, role=Role.MEDIATOR)
    # Another village of the same township, with its own committee and mediator.
    other_village = RegionFactory(parent=w.grid.community.parent, name="东关村")
    w.other_committee = OrganisationFactory(
        kind=OrganisationKind.COMMUNITY, regions=[other_village]
    )
    w.other_mediator = UserFactory(organisation=w.other_committee, role=Role.MEDIATOR)
    return w


def at(w, state) -> Dispute:
    v = w.village_mediator
    d = services.do_register(data=dispute_in(w), actor=w.grid_worker)
    path = {
        State.REGISTERED: [],
        State.ACCEPTED: [("accept", {})],
        State.MEDIATING: [("accept", {}), ("start", {"lead": v.pk})],
        State.SETTLED: [("accept", {}), ("start", {"lead": v.pk}), ("settle", SETTLEMENT)],
        State.FAILED: [("accept", {}), ("start", {"lead": v.pk}), ("fail", PARAMS["fail"])],
    }[state]
    for action, params in path:
        d = services.do_transition(dispute=d, action=action, actor=v, **params)
    return Dispute.objects.get(pk=d.pk)


def params_for(w, action, d) -> dict:
    params = dict(PARAMS[action])
    if action in ("start", "recuse"):
        params["lead"] = (w.second_mediator if action == "recuse" else w.village_mediator).pk
    if action == "check_performance":
        params["performed"] = {str(o.pk): True for o in d.agreement.obligations.all()}
    return params


def snapshot(d) -> tuple:
    d = Dispute.objects.get(pk=d.pk)
    return (d.state, d.level, d.holder_id, d.lead_mediator_id, d.events.count(), d.sessions.count())


def test_every_action_has_a_case_here():
    assert set(PARAMS) == set(RULES) == set(FROM)


@pytest.mark.parametrize("action", sorted(RULES))
def test_the_village_mediator_may_take_each_action_at_their_level(levels_world, action):
    w = levels_world
    d = at(w, FROM[action])
    actor = w.village_leader if action == "escalate" else w.village_mediator
    moved = services.do_transition(
        dispute=d, action=action, actor=actor, **params_for(w, action, d)
    )
    target = RULES[action].target
    if isinstance(target, str):
        assert moved.state == target
    assert moved.events.last().action == action


@pytest.mark.parametrize("action", sorted(set(RULES) - {"comment"}))
@pytest.mark.parametrize("who", ["other_mediator", "resident", "grid_worker", "handler"])
def test_others_are_refused_and_nothing_changes(levels_world, action, who):
    """Another village's mediator (sideways), a resident, the grid worker who found it and
    a department's handler may not act on the village's dispute."""
    w = levels_world
    d = at(w, FROM[action])
    before = snapshot(d)
    with pytest.raises(NotAllowed):
        services.do_transition(
            dispute=d, action=action, actor=getattr(w, who), **params_for(w, action, d)
        )
    assert snapshot(d) == before


def test_a_step_not_allowed_in_this_state_is_refused(levels_world):
    w = levels_world
    d = at(w, State.REGISTERED)
    with pytest.raises(NotAllowed) as refused:
        services.do_transition(dispute=d, action="settle", actor=w.village_mediator, **SETTLEMENT)
    assert refused.value.code == "not_allowed_in_state"


def test_a_stale_step_is_a_conflict_and_changes_nothing(levels_world):
    w = levels_world
    d = at(w, State.ACCEPTED)
    before = snapshot(d)
    with pytest.raises(Conflict):
        services.do_transition(
            dispute=d,
            action="decline",
            actor=w.village_mediator,
            expected_state=State.REGISTERED,
            reason="不予受理",
        )
    assert snapshot(d) == before


def test_a_mediator_related_to_a_party_must_step_aside(levels_world):
    w = levels_world
    d = at(w, State.ACCEPTED)
    relative = UserFactory(
        organisation=w.village_committee, role=Role.MEDIATOR, mobile="13900001111"
    )  # the applicant's phone
    with pytest.raises(ServiceError) as related:
        services.do_transition(
            dispute=d, action="start", actor=w.village_mediator, lead=relative.pk
        )
    assert related.value.code == "related_mediator"
    assert Dispute.objects.get(pk=d.pk).state == State.ACCEPTED


def test_the_township_sees_and_acts_on_what_moves_up_to_it(levels_world):
    w = levels_world
    d = at(w, State.REGISTERED)
    d = services.do_transition(
        dispute=d, action="escalate", actor=w.village_leader, reason="涉及两村，需乡镇协调"
    )
    assert (d.level, d.holder, d.state) == (Level.TOWNSHIP, w.justice, State.REGISTERED)
    with pytest.raises(NotAllowed):  # it left the village's hands
        services.do_transition(dispute=d, action="accept", actor=w.village_mediator)
    d = services.do_transition(dispute=d, action="accept", actor=w.township_mediator)
    assert d.state == State.ACCEPTED
    assert Dispute.objects.visible_to(w.township_mediator).filter(pk=d.pk).exists()
    assert not Dispute.objects.visible_to(w.other_mediator).filter(pk=d.pk).exists()


def test_performance_follow_up_ends_in_performed_or_not(levels_world):
    w = levels_world
    d = at(w, State.SETTLED)
    (obligation,) = d.agreement.obligations.all()
    d = services.do_transition(
        dispute=d,
        action="check_performance",
        actor=w.village_mediator,
        note="排水沟未改建",
        performed={str(obligation.pk): False},
    )
    assert d.state == State.NOT_PERFORMED


def test_judged_risk_above_the_village_moves_it_up_at_once(levels_world):
    w = levels_world
    d = at(w, State.MEDIATING)
    d = services.do_transition(
        dispute=d, action="judge_risk", actor=w.village_mediator, risk="major", reason="扬言报复"
    )
    assert d.risk == "major" and d.level != Level.VILLAGE
    assert d.events.filter(action="escalate", data__why="risk").exists()


def test_judicial_confirmation_is_applied_for_within_30_days(levels_world):
    w = levels_world
    d = at(w, State.SETTLED)
    late = timezone.localdate() + timedelta(days=31)
    with pytest.raises(ServiceError) as too_late:
        services.do_transition(
            dispute=d,
            action="confirmation",
            actor=w.village_mediator,
            status="applied",
            court="乐都区人民法院",
            on=late,
        )
    assert too_late.value.code == "too_late"
