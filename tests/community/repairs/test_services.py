"""A repair from request to rating through the services and the case engine, routing,
escalation and scoping."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from gongzhi.cases.choices import Channel, State
from gongzhi.cases.models import Case
from gongzhi.cases.workflow.services import do_transition
from gongzhi.community.models import RepairRequest
from gongzhi.community.repairs import queries, routing, services
from gongzhi.core.errors import NotAllowed, ServiceError

pytestmark = pytest.mark.django_db


def ask(w, user=None, category=None, text="厨房水管漏水，请尽快维修"):
    return services.do_request(
        user=user or w.resident_a, category_id=(category or w.water).pk, description=text
    )


def test_request_goes_to_the_company_on_its_promised_times(repairs):
    w = repairs
    before = timezone.now()
    repair = ask(w)
    case = repair.case
    assert case.channel == Channel.REPAIR
    assert case.state == State.DISPATCHED
    assert case.owner == w.company
    assert repair.estate == w.estate and repair.company == w.company
    assert case.grid == w.grid
    assert case.reporter == w.resident_a
    minutes = (case.sign_for_due - before).total_seconds() / 60
    assert 29 <= minutes <= 31
    hours = (case.resolve_due - before).total_seconds() / 3600
    assert 23.9 <= hours <= 24.1


def test_a_category_promise_wins_over_the_default(repairs):
    w = repairs
    case = ask(w, category=w.lift, text="电梯停在三楼不动").case
    assert (case.sign_for_due - case.dispatched_at) == dt.timedelta(minutes=10)
    assert (case.resolve_due - case.dispatched_at) == dt.timedelta(hours=4)


def test_routing_hooks_answer_none_for_other_cases_without_a_query(
    repairs, django_assert_num_queries
):
    other = Case(channel=Channel.HOTLINE, attributes={"estate": repairs.estate.pk})
    with django_assert_num_queries(0):
        assert routing.owner(other) is None
        assert routing.deadlines(other, start=timezone.now()) is None


def test_bad_requests_change_nothing(repairs):
    w = repairs
    with pytest.raises(ServiceError) as e:
        ask(w, text="")
    assert e.value.field == "description"
    with pytest.raises(ServiceError) as e:
        services.do_request(user=w.resident_a, category_id=w.manhole.pk, description="井盖坏了啊")
    assert e.value.field == "category"
    with pytest.raises(NotAllowed):
        ask(w, user=w.nobody)
    with pytest.raises(ServiceError) as e:
        ask(w, user=w.villagers[0])  # a village house is in no estate
    assert e.value.code == "no_estate"
    assert not RepairRequest.objects.exists()
    assert not Case.objects.filter(channel=Channel.REPAIR).exists()


def work_it(w, repair):
    case = do_transition(case=repair.case, action="sign_for", actor=w.company_staff)
    case = do_transition(case=case, action="resolve", actor=w.company_staff, result="已更换水管")
    case = do_transition(case=case, action="verify_pass", actor=w.grid_worker)
    repair.refresh_from_db()
    return case


def test_company_works_it_grid_worker_verifies_resident_rates(repairs):
    w = repairs
    repair = ask(w)
    case = work_it(w, repair)
    assert case.state == State.CLOSED and case.sign_for_met and case.resolve_met
    with pytest.raises(NotAllowed):
        services.do_rate(user=w.resident_b, repair=repair, resolved=True, satisfaction="satisfied")
    with mock.patch.object(services, "do_award") as award:
        services.do_rate(user=w.resident_a, repair=repair, resolved=True, satisfaction="satisfied")
    award.assert_called_once()
    assert award.call_args.kwargs["rule_code"] == "repair_rated"
    assert award.call_args.kwargs["source"] == f"repair:{repair.pk}"
    assert services.rating_of(repair).satisfaction == "satisfied"
    with pytest.raises(ServiceError):
        services.do_rate(user=w.resident_a, repair=repair, resolved=True, satisfaction="satisfied")


def test_rating_before_it_is_done_is_refused(repairs):
    w = repairs
    repair = ask(w)
    with pytest.raises(ServiceError) as e:
        services.do_rate(user=w.resident_a, repair=repair, resolved=True, satisfaction="satisfied")
    assert e.value.code == "not_closed"


def test_an_unanswered_repair_is_escalated_to_the_community_once(repairs):
    w = repairs
    repair = ask(w)
    early = repair.case.sign_for_due - dt.timedelta(minutes=1)
    assert services.escalate_overdue(now=early) == 0
    late = repair.case.sign_for_due + dt.timedelta(minutes=1)
    assert services.escalate_overdue(now=late) == 1
    assert services.escalate_overdue(now=late) == 0
    repair.refresh_from_db()
    case = Case.objects.get(pk=repair.case_id)
    assert repair.escalated_at == late
    assert case.owner == w.community
    assert case.state == State.DISPATCHED
    actions = list(case.events.order_by("at", "pk").values_list("action", flat=True))
    assert actions[-2:] == ["escalate", "dispatch"]
    assert services.ESCALATION_NOTE in case.events.get(action="escalate").note


def test_a_signed_repair_is_not_escalated(repairs):
    w = repairs
    repair = ask(w)
    do_transition(case=repair.case, action="sign_for", actor=w.company_staff)
    late = repair.case.sign_for_due + dt.timedelta(hours=1)
    assert services.escalate_overdue(now=late) == 0


def test_scoping(repairs):
    w = repairs
    mine = ask(w)
    theirs = ask(w, user=w.resident_b, text="楼道灯不亮了")
    assert list(queries.repairs_for(w.resident_a)) == [mine]
    assert set(queries.repairs_for(w.company_staff)) == {mine, theirs}
    assert set(queries.repairs_for(w.community_staff)) == {mine, theirs}
    assert list(queries.repairs_for(w.villagers[0])) == []
    assert list(queries.repairs_for(w.other_clerk)) == []
