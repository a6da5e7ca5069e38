"""The points room's test world: ``town`` with a shop in 大古城村 (a bag of rice, 50 points,
10 in stock; soap, 5 points, 2 in stock) and helpers to award and redeem."""

from __future__ import annotations

import pytest

from gongzhi.community.models import PointAccount
from gongzhi.community.points import services


class Points:
    def __init__(self, w):
        self.w = w
        self.rice = services.do_save_goods(
            actor=w.secretary, region=w.village, name="大米10斤", price=50, stock=10
        )
        self.soap = services.do_save_goods(
            actor=w.secretary, region=w.village, name="肥皂", price=5, stock=2
        )

    def hh(self, n=0):
        return self.w.households[n]

    def give(self, n=0, hours=10, source=None):
        """Volunteering hours: 10 points an hour."""
        return services.do_award(
            household_id=self.hh(n).pk,
            rule_code="volunteer_hour",
            source=source or f"signup:test{n}:{hours}",
            quantity=hours,
        )

    def balance(self, n=0):
        account = PointAccount.objects.filter(household=self.hh(n)).first()
        return account.balance if account else 0

    def code(self, n=0, now=None):
        return services.make_code(household_id=self.hh(n).pk, now=now)[0]

    def redeem(self, n=0, goods=None, quantity=1, code=None, actor=None):
        return services.do_redeem(
            actor=actor or self.w.clerk,
            code=code or self.code(n),
            goods_id=(goods or self.rice).pk,
            quantity=quantity,
        )


@pytest.fixture
def pw(town):
    town.points = Points(town)
    return town
