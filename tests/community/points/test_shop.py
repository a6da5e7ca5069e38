"""The shop and its counter: a resident's code, once, while fresh; balance and stock taken
together or not at all; the shelf kept by the village's committee."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import signing
from django.utils import timezone

from gongzhi.community.models import Goods, PointEntry, Redemption
from gongzhi.community.points import services
from gongzhi.core.errors import Conflict, NotAllowed, ServiceError

pytestmark = pytest.mark.django_db


def test_a_code_redeems_goods_taking_points_and_stock(pw):
    p = pw.points
    p.give(hours=12)  # 120
    r = p.redeem(quantity=2)
    assert r.points == 100 and r.quantity == 2 and r.by == pw.clerk
    assert p.balance() == 20
    assert Goods.objects.get(pk=p.rice.pk).stock == 8
    assert r.entry.points == -100 and r.entry.balance_after == 20
    assert "大米10斤" in r.entry.reason
    assert services.redemption_of(household_id=p.hh().pk, nonce=r.code_nonce) == r


def test_a_code_is_good_for_one_redemption(pw):
    p = pw.points
    p.give(hours=20)
    code = p.code()
    p.redeem(code=code)
    with pytest.raises(Conflict) as e:
        p.redeem(code=code, goods=p.soap)
    assert e.value.code == "used"
    assert Redemption.objects.count() == 1 and p.balance() == 150


def test_a_forged_or_expired_code_is_refused(pw):
    p = pw.points
    p.give(hours=20)
    forged = signing.dumps({"h": p.hh().pk, "n": "x", "t": 0}, salt="another")
    with pytest.raises(ServiceError) as e:
        p.redeem(code=forged)
    assert e.value.code == "forged"
    with pytest.raises(ServiceError) as e:
        p.redeem(code=p.code()[:-3] + "abc")
    assert e.value.code == "forged"
    old = p.code(now=timezone.now() - dt.timedelta(minutes=6))
    with pytest.raises(ServiceError) as e:
        p.redeem(code=old)
    assert e.value.code == "expired"
    assert not Redemption.objects.exists() and p.balance() == 200


def test_not_enough_points_or_stock_takes_nothing(pw):
    p = pw.points
    p.give(hours=4)  # 40 < 50
    with pytest.raises(ServiceError) as e:
        p.redeem()
    assert e.value.code == "insufficient"
    assert Goods.objects.get(pk=p.rice.pk).stock == 10 and p.balance() == 40
    with pytest.raises(ServiceError) as e:
        p.redeem(goods=p.soap, quantity=3)  # 2 in stock
    assert e.value.code == "out_of_stock" and "2" in e.value.message
    assert p.balance() == 40 and not Redemption.objects.exists()


def test_the_counter_of_another_village_is_refused(pw):
    p = pw.points
    p.give(hours=10)
    for user in (pw.community_staff, pw.other_clerk, pw.villagers[1]):
        with pytest.raises(NotAllowed):
            p.redeem(actor=user)
    assert p.balance() == 100


def test_a_redemption_is_not_reversed(pw):
    p = pw.points
    p.give(hours=10)
    r = p.redeem()
    with pytest.raises(ServiceError):
        services.do_reverse(actor=pw.clerk, entry_id=r.entry_id, reason="退货")
    assert p.balance() == 50


def test_the_committee_keeps_the_shelf(pw):
    p = pw.points
    g = services.do_save_goods(
        actor=pw.clerk, region=pw.village, name="大米10斤", price=45, stock=3, goods_id=p.rice.pk
    )
    assert (g.price, g.stock) == (45, 3)
    with pytest.raises(ServiceError) as e:
        services.do_save_goods(actor=pw.clerk, region=pw.village, name="", price=0, stock=-1)
    assert {x.field for x in e.value.all} == {"name", "price", "stock"}
    with pytest.raises(NotAllowed):
        services.do_save_goods(
            actor=pw.community_staff, region=pw.village, name="油", price=10, stock=1
        )
    assert Goods.objects.count() == 2


def test_a_household_sees_only_its_own_entries(pw):
    p = pw.points
    p.give(0, hours=1)
    p.give(1, hours=2)
    mine = PointEntry.objects.visible_to(pw.villagers[0])
    assert [e.points for e in mine] == [10]
    assert PointEntry.objects.visible_to(pw.clerk).count() == 2
    assert PointEntry.objects.visible_to(pw.township_staff).count() == 2
    assert not PointEntry.objects.visible_to(pw.community_staff).exists()
    assert not PointEntry.objects.visible_to(pw.nobody).exists()
