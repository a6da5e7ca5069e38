"""The points pages: the resident's account and code, the committee's desk (counter, awards,
reversals, shelf) and the public ranking with masked names."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from gongzhi.community.models import Goods, PointEntry
from gongzhi.community.points import services

pytestmark = pytest.mark.django_db


def _as(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_resident_sees_balance_entries_goods_and_a_code(pw):
    pw.points.give(0, hours=3)
    me = _as(pw.villagers[0])
    page = me.get("/community/points/").content.decode()
    assert 'data-testid="balance">30<' in page and "大米10斤" in page
    page = me.get("/community/points/code/").content.decode()
    assert "<svg" in page and 'data-testid="waiting"' in page
    token = re.search(r'data-testid="token">([^<]+)<', page).group(1)
    nonce = re.search(r"/points/code/([^/]+)/state/", page).group(1)
    services.do_redeem(actor=pw.clerk, code=token, goods_id=pw.points.soap.pk, quantity=2)
    state = me.get(f"/community/points/code/{nonce}/state/").content.decode()
    assert 'data-testid="redeemed"' in state and "肥皂" in state


def test_the_desk_is_the_committees(pw):
    url = f"/community/points/desk/{pw.village.pk}/"
    assert _as(pw.villagers[0]).get(url).status_code == 404
    assert _as(pw.community_staff).get(url).status_code == 404
    page = _as(pw.clerk).get(url).content.decode()
    assert 'data-testid="counter"' in page and "马*" in page  # names masked


def test_the_counter_awards_and_reversal_at_the_desk(pw):
    p = pw.points
    p.give(0, hours=6)
    c = _as(pw.clerk)
    base = f"/community/points/desk/{pw.village.pk}"
    r = c.post(f"{base}/redeem/", {"code": p.code(), "goods": p.rice.pk, "quantity": 1})
    assert r.status_code == 302 and p.balance() == 10
    r = c.post(f"{base}/redeem/", {"code": "forged", "goods": p.rice.pk, "quantity": 1})
    assert r.status_code == 400 and 'data-testid="error"' in r.content.decode()
    r = c.post(
        f"{base}/award/",
        {"household": p.hh(1).pk, "rule": "courtyard_tidy", "reason": "美丽庭院"},
    )
    assert r.status_code == 302 and p.balance(1) == 10
    entry = PointEntry.objects.get(account__household=p.hh(1))
    r = c.post(f"/community/points/entries/{entry.pk}/reverse/", {"reason": "误登"})
    assert r.status_code == 302 and p.balance(1) == 0
    r = c.post(f"{base}/goods/", {"name": "食用油", "price": 80, "stock": 4, "enabled": "on"})
    assert r.status_code == 302 and Goods.objects.filter(name="食用油").exists()


def test_the_board_ranks_households_with_names_masked(pw):
    pw.points.give(0, hours=1)
    pw.points.give(3, hours=5)
    page = Client().get(f"/community/points/board/{pw.village.pk}/").content.decode()
    ranks = re.findall(r'data-testid="rank"><strong>([^<]+)</strong> · (\d+)', page)
    assert ranks == [("冶**", "50"), ("马**", "10")]
    assert "冶成3" not in page
    assert 'data-testid="awarded">60<' in page and 'data-testid="with-points">2<' in page
