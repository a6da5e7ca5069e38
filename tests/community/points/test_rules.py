"""Awards by rule, by hand and their reversal: every rule's points, once per source, the
village's own rule before the shared one, balances never below zero."""

from __future__ import annotations

import pytest

from gongzhi.community.models import PointAccount, PointEntry, PointRule
from gongzhi.community.points import services
from gongzhi.core.errors import Conflict, NotAllowed, ServiceError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("code", "quantity", "points"),
    [
        ("volunteer_hour", 3, 30),
        ("volunteer_hour", 1.5, 15),
        ("repair_rated", 1, 2),
        ("meeting_attended", 1, 5),
        ("courtyard_tidy", 1, 10),
        ("modest_ceremony", 1, 20),
    ],
)
def test_each_rule_awards_its_points(pw, code, quantity, points):
    hh = pw.points.hh()
    entry = services.do_award(
        household_id=hh.pk, rule_code=code, source=f"{code}:1", quantity=quantity
    )
    assert entry.points == points and entry.balance_after == points
    assert entry.reason  # explained: the rule's name at least
    assert PointAccount.objects.get(household=hh).balance == points


def test_the_same_source_awards_once(pw):
    p = pw.points
    assert p.give(hours=2, source="signup:7") is not None
    assert p.give(hours=5, source="signup:7") is None
    assert p.balance() == 20
    assert PointEntry.objects.filter(source="signup:7").count() == 1


def test_a_missing_or_disabled_rule_awards_nothing(pw):
    hh = pw.points.hh()
    assert services.do_award(household_id=hh.pk, rule_code="nope", source="x:1") is None
    PointRule.objects.filter(code="meeting_attended").update(enabled=False)
    assert services.do_award(household_id=hh.pk, rule_code="meeting_attended", source="m:1") is None
    assert not PointEntry.objects.exists()


def test_a_village_tailors_a_rule_with_its_own(pw):
    PointRule.objects.create(
        code="volunteer_hour_dgc",
        name="志愿服务（大古城村）",
        points=15,
        per_hour=True,
        source="volunteer_hour",
        region=pw.village,
    )
    assert pw.points.give(hours=2).points == 30
    urban = pw.urban_residents[0]
    from gongzhi.people.members import villager

    e = services.do_award(
        household_id=villager(urban).household_id,
        rule_code="volunteer_hour",
        source="signup:urban",
        quantity=2,
    )
    assert e.points == 20  # the shared rule elsewhere


def test_staff_award_and_deduct_by_hand_with_a_reason(pw):
    hh = pw.points.hh(1)
    e = services.do_award_by_hand(
        actor=pw.clerk, household_id=hh.pk, rule_code="courtyard_tidy", reason="庭院整洁，检查合格"
    )
    assert e.points == 10 and "庭院整洁" in e.reason and e.by == pw.clerk
    d = services.do_award_by_hand(
        actor=pw.secretary, household_id=hh.pk, rule_code="clutter", reason="门前柴草乱堆"
    )
    assert d.points == -5 and d.balance_after == 5


def test_a_deduction_never_takes_the_balance_below_zero(pw):
    hh = pw.points.hh(2)
    with pytest.raises(ServiceError) as e:
        services.do_award_by_hand(
            actor=pw.clerk, household_id=hh.pk, rule_code="clutter", reason="乱堆"
        )
    assert e.value.code == "insufficient"
    assert not PointEntry.objects.exists()


def test_by_hand_needs_a_reason_a_hand_rule_and_the_village_committee(pw):
    hh = pw.points.hh()
    with pytest.raises(ServiceError) as e:
        services.do_award_by_hand(
            actor=pw.clerk, household_id=hh.pk, rule_code="courtyard_tidy", reason=" "
        )
    assert e.value.field == "reason"
    with pytest.raises(ServiceError) as e:  # an event's rule is awarded by the event
        services.do_award_by_hand(
            actor=pw.clerk, household_id=hh.pk, rule_code="volunteer_hour", reason="x"
        )
    assert e.value.field == "rule"
    for outsider in (pw.community_staff, pw.other_clerk, pw.villagers[1], pw.township_staff):
        with pytest.raises(NotAllowed):
            services.do_award_by_hand(
                actor=outsider, household_id=hh.pk, rule_code="courtyard_tidy", reason="x"
            )
    assert not PointEntry.objects.exists()


def test_a_reversal_undoes_an_entry_once_with_a_reason(pw):
    p = pw.points
    award = p.give(hours=3)
    r = services.do_reverse(actor=pw.clerk, entry_id=award.pk, reason="登记错误")
    assert r.points == -30 and r.reverses == award and r.balance_after == 0
    assert "登记错误" in r.reason
    with pytest.raises(Conflict):
        services.do_reverse(actor=pw.clerk, entry_id=award.pk, reason="again")
    with pytest.raises(ServiceError):  # nor is a reversal reversed
        services.do_reverse(actor=pw.clerk, entry_id=r.pk, reason="again")
    with pytest.raises(ServiceError) as e:
        services.do_reverse(actor=pw.clerk, entry_id=p.give(hours=1).pk, reason="")
    assert e.value.field == "reason"


def test_reversing_a_deduction_gives_the_points_back(pw):
    p = pw.points
    p.give(hours=1)
    d = services.do_award_by_hand(
        actor=pw.clerk, household_id=p.hh().pk, rule_code="litter", reason="污水乱倒"
    )
    services.do_reverse(actor=pw.clerk, entry_id=d.pk, reason="查明非本户所为")
    assert p.balance() == 10


def test_a_reversal_that_would_go_below_zero_fails_and_changes_nothing(pw):
    p = pw.points
    award = p.give(hours=6)  # 60
    p.redeem()  # rice: 50, leaves 10
    before = PointEntry.objects.count()
    with pytest.raises(ServiceError) as e:
        services.do_reverse(actor=pw.clerk, entry_id=award.pk, reason="登记错误")
    assert e.value.code == "insufficient" and "10" in e.value.message
    assert p.balance() == 10 and PointEntry.objects.count() == before


def test_only_the_village_committee_reverses(pw):
    award = pw.points.give(hours=1)
    for user in (pw.villagers[0], pw.community_staff, pw.other_clerk):
        with pytest.raises((NotAllowed, ServiceError)):
            services.do_reverse(actor=user, entry_id=award.pk, reason="x")
    assert pw.points.balance() == 10
