"""Redemptions at the same instant (PostgreSQL: SQLite serialises its writers): the balance
never goes below zero, the last item in stock goes once, a code redeems once, an award's
source counts once."""

from __future__ import annotations

import pytest
from django.db import connection

from gongzhi.community.models import Goods, PointAccount, PointEntry, Redemption
from gongzhi.community.points import services
from tests.concurrency import race

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency tests need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]


def test_more_redemptions_than_the_balance_allows(pw):
    p = pw.points
    p.give(hours=15)  # 150: three bags of rice of 50, five tills try
    codes = [p.code() for _ in range(5)]
    results, errors = race(*[(lambda c=c: p.redeem(code=c)) for c in codes])
    done = [r for r in results if r is not None]
    assert len(done) == 3
    assert all(e.code == "insufficient" for e in errors if e is not None)
    account = PointAccount.objects.get(household=p.hh())
    assert account.balance == 0 and account.spent == 150
    assert Goods.objects.get(pk=p.rice.pk).stock == 7
    assert sorted(e.balance_after for e in PointEntry.objects.filter(points__lt=0)) == [0, 50, 100]


def test_the_last_item_in_stock_goes_once(pw):
    p = pw.points
    for n in range(4):
        p.give(n, hours=1)
    Goods.objects.filter(pk=p.soap.pk).update(stock=1)
    results, errors = race(*[(lambda n=n: p.redeem(n, goods=p.soap)) for n in range(4)])
    assert sum(r is not None for r in results) == 1
    assert all(e.code == "out_of_stock" for e in errors if e is not None)
    assert Goods.objects.get(pk=p.soap.pk).stock == 0
    assert sum(p.balance(n) for n in range(4)) == 40 - 5


def test_the_same_code_at_two_tills_redeems_once(pw):
    p = pw.points
    p.give(hours=20)
    code = p.code()
    results, errors = race(*[(lambda: p.redeem(code=code, goods=p.soap)) for _ in range(4)])
    assert sum(r is not None for r in results) == 1
    assert all(e.code == "used" for e in errors if e is not None)
    assert Redemption.objects.count() == 1 and p.balance() == 195


def test_the_same_award_at_once_counts_once(pw):
    p = pw.points
    results, errors = race(*[(lambda: p.give(hours=2, source="signup:99")) for _ in range(4)])
    assert errors == [None] * 4
    assert sum(r is not None for r in results) == 1
    assert p.balance() == 20 and PointEntry.objects.count() == 1


def test_two_reversals_at_once_reverse_once(pw):
    p = pw.points
    award = p.give(hours=2)
    results, errors = race(
        *[
            (lambda: services.do_reverse(actor=pw.clerk, entry_id=award.pk, reason="误登"))
            for _ in range(3)
        ]
    )
    assert sum(r is not None for r in results) == 1
    assert p.balance() == 0
