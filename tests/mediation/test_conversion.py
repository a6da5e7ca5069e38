"""A dispute case in the case queue becomes a dispute once, by a dispatcher or a leader
who sees it; the case's timeline says so, and later says how the dispute ended."""

import pytest

from gongzhi.cases.models import Case, CaseEvent
from gongzhi.core.errors import Conflict, NotAllowed, ServiceError
from gongzhi.mediation import conversion, services
from gongzhi.mediation.models import Dispute, DisputeType
from gongzhi.taxonomy.models import Category
from tests.factories import move, report_case

pytestmark = pytest.mark.django_db

PARTIES = [
    {"side": "applicant", "name": "马秀兰", "phone": "13900001111"},
    {"side": "respondent", "name": "韩成林"},
]


@pytest.fixture
def noisy(med):
    """A resident's report of a neighbour's night-time renovation: a 邻里纠纷 case."""
    w = med
    w.category = Category.objects.get(full_name="矛盾纠纷 / 邻里纠纷")
    w.case = report_case(
        w,
        w.category,
        title="楼上邻居夜间装修噪音",
        description="楼上邻居连续一周夜间装修，多次沟通无果，双方已发生口角",
        expect_new=True,
    )
    return w


def comments(case):
    return list(
        CaseEvent.objects.filter(case=case, action="comment").values_list("note", flat=True)
    )


def convert(w, actor=None, parties=PARTIES):
    return conversion.do_convert_case(
        case=w.case, actor=actor or w.dispatcher, type_id=w.neighbour.pk, parties=parties
    )


@pytest.mark.parametrize("who", ["dispatcher", "leader"])
def test_a_dispute_case_becomes_a_dispute_once(noisy, who):
    w = noisy
    d = convert(w, getattr(w, who))
    assert (d.source, d.source_ref, d.registered_by) == ("case", w.case.number, getattr(w, who))
    assert d.facts == w.case.description
    assert (d.grid, d.region) == (w.case.grid, w.case.grid.community)
    assert d.holder == w.village_committee  # a neighbours' quarrel starts in the village
    assert d.parties.count() == 2
    (note,) = comments(w.case)
    assert d.number in note
    with pytest.raises(Conflict) as again:
        convert(w, getattr(w, who))
    assert d.number in again.value.message
    assert Dispute.objects.count() == 1 and len(comments(w.case)) == 1


@pytest.mark.parametrize("who", ["resident", "grid_worker", "other_dispatcher", "handler"])
def test_others_cannot_convert(noisy, who):
    w = noisy
    with pytest.raises(NotAllowed):
        convert(w, getattr(w, who))
    assert not Dispute.objects.exists() and comments(w.case) == []


def test_a_case_of_another_kind_is_not_converted(noisy):
    w = noisy
    w.case = report_case(
        w, w.manhole, title="井盖丢失", description="人行道井盖丢失", expect_new=True
    )
    with pytest.raises(ServiceError) as refused:
        convert(w)
    assert refused.value.code == "not_a_dispute"
    assert not Dispute.objects.exists()


def test_a_bad_conversion_changes_nothing(noisy):
    w = noisy
    with pytest.raises(ServiceError) as refused:
        convert(w, parties=PARTIES[:1])  # nobody on the other side
    assert refused.value.field == "parties"
    assert not Dispute.objects.exists() and comments(w.case) == []


def test_an_ended_case_is_not_converted(noisy):
    w = noisy
    move(w.case, "reject", w.dispatcher, reason="重复反映")
    with pytest.raises(ServiceError) as refused:
        convert(w)
    assert refused.value.code == "case_ended"
    assert not Dispute.objects.exists()


def settle(w, d):
    for action, params in [
        ("accept", {}),
        ("start", {}),
        (
            "settle",
            {
                "disputed_matters": "夜间装修噪音",
                "obligations": [
                    {"party": "韩成林", "what": "晚八点后停止施工", "due_on": "2026-12-31"}
                ],
            },
        ),
    ]:
        d = services.do_transition(dispute=d, action=action, actor=w.village_mediator, **params)
    return d


def test_the_case_follows_the_disputes_outcome_once(noisy):
    w = noisy
    d = convert(w)
    assert conversion.sync_case_outcome(d) is None  # not concluded yet
    d = settle(w, d)
    state = Case.objects.get(pk=w.case.pk).state
    assert conversion.sync_case_outcome(d) is not None
    assert conversion.sync_case_outcome(d) is None  # a second call finds its comment
    notes = comments(w.case)
    assert len(notes) == 2 and d.number in notes[1] and notes[1] != notes[0]
    outcome = CaseEvent.objects.filter(case=w.case, action="comment").latest("pk")
    assert outcome.actor is None  # said by the platform
    assert Case.objects.get(pk=w.case.pk).state == state  # a comment moves nothing


def test_a_failed_mediation_tells_the_case_why(noisy):
    w = noisy
    d = convert(w)
    for action, params in [("accept", {}), ("start", {}), ("fail", {"reason": "双方分歧过大"})]:
        d = services.do_transition(dispute=d, action=action, actor=w.village_mediator, **params)
    conversion.follow_outcome(d, d.last_event)  # as the workflow's effect calls it
    assert "双方分歧过大" in comments(w.case)[-1]


def test_an_ended_case_is_not_told(noisy):
    w = noisy
    d = convert(w)
    move(w.case, "reject", w.dispatcher, reason="已转矛盾纠纷调解")
    assert conversion.sync_case_outcome(settle(w, d)) is None
    assert len(comments(w.case)) == 1


def test_which_categories_are_disputes():
    named = {
        c.full_name: conversion.is_dispute_category(c)
        for c in Category.objects.filter(
            full_name__in=[
                "矛盾纠纷",
                "矛盾纠纷 / 邻里纠纷",
                "卫生计生 / 医患纠纷 / 患者权益",
                "道路与井盖 / 井盖缺失破损",
                "市容环境 / 占道经营",
            ]
        )
    }
    assert named == {
        "矛盾纠纷": True,
        "矛盾纠纷 / 邻里纠纷": True,
        "卫生计生 / 医患纠纷 / 患者权益": True,
        "道路与井盖 / 井盖缺失破损": False,
        "市容环境 / 占道经营": False,
    }
    assert not conversion.is_dispute_category(None)
    by_rule = {c.pk for c in Category.objects.all() if conversion.is_dispute_category(c)}
    assert set(conversion.dispute_categories().values_list("pk", flat=True)) == by_rule


def test_a_categorys_dispute_type_is_suggested():
    def suggested(name):
        kind = conversion.suggested_type(Category.objects.get(full_name=name))
        return kind and kind.code

    assert suggested("矛盾纠纷 / 邻里纠纷") == "neighbour"
    assert suggested("矛盾纠纷 / 婚姻家庭纠纷") == "marriage_family"
    assert suggested("道路与井盖 / 井盖缺失破损") is None
    assert DisputeType.objects.filter(code="neighbour").exists()
