"""Awards sent twice at the same instant (PostgreSQL: SQLite serialises its writers): a hand
award's double submit is one entry; a correction of hours and a redemption at the counter
at once never take the balance below zero."""

from __future__ import annotations

import pytest
from django.db import connection

from gongzhi.community.models import PointAccount, PointEntry
from gongzhi.community.points import services
from tests.concurrency import race

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency tests need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]


def test_the_same_hand_award_at_once_is_one_entry(pw):
    hh = pw.households[1]

    def submit():
        return services.do_award_by_hand(
            actor=pw.clerk,
            household_id=hh.pk,
            rule_code="courtyard_tidy",
            reason="美丽庭院",
            key="same-submit-key",
        ).pk

    results, errors = race(*[submit for _ in range(4)])
    assert errors == [None] * 4
    assert len(set(results)) == 1
    assert PointEntry.objects.count() == 1
    assert PointAccount.objects.get(household=hh).balance == 10


def test_a_correction_and_a_redemption_at_once_stay_above_zero(pw):
    p = pw.points
    award = p.give(hours=3, source="signup:777")  # 30
    assert award is not None

    def correct():
        return services.do_correct_hours(source="signup:777", old=3, hours=1, reason="记录有误")

    def redeem():
        return p.redeem(goods=p.rice)  # 50: refused, the balance is 30 at most

    def soap():
        return p.redeem(goods=p.soap, quantity=2)  # 10

    _results, errors = race(correct, redeem, soap)
    assert errors[1] is not None and errors[1].code == "insufficient"
    # Whichever came first, both fit: 30 − 20 taken back − 10 of soap.
    assert errors[0] is None and errors[2] is None
    assert PointEntry.objects.get(source="signup:777:fix1").points == -20
    assert PointAccount.objects.get(household=p.hh()).balance == 0
