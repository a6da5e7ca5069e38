"""A leader corrects a volunteer's hours: the household's points follow with one entry per
correction, through the API the leader and the resident use; a balance already spent gives
what it holds (never below zero) and the entry says what it could not take back."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client

from gongzhi.community.models import PointAccount, PointEntry, SignUp
from gongzhi.community.points import services
from gongzhi.community.volunteers import services as volunteers

pytestmark = pytest.mark.django_db
API = "/api/v1/community"


def _as(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def served(vol):
    """A resident of 西关社区 checked in by the committee for a three-hour shift that began an
    hour ago (30 points)."""
    w = vol.w
    v = vol.approved(w.urban_residents[0])
    shift = vol.shift(starts_in=-dt.timedelta(hours=1), hours=3)
    signup = volunteers.do_sign_up(
        user=v.user, shift=shift, now=shift.starts_at - dt.timedelta(hours=1)
    )
    url = f"{API}/volunteer-shifts/{shift.pk}/signups/{signup.pk}/check-in"
    r = _as(w.community_staff).post(url, {}, content_type="application/json")
    assert r.status_code == 200
    vol.volunteer, vol.signup, vol.url = v, signup, url
    vol.household = v.household
    return vol


def _correct(served, hours, reason="记录有误"):
    r = _as(served.w.community_staff).post(
        served.url, {"hours": hours, "reason": reason}, content_type="application/json"
    )
    assert r.status_code == 200, r.content
    return r


def _mine(served):
    return _as(served.volunteer.user).get(f"{API}/points/me").json()


def test_corrected_hours_move_the_points_with_one_entry_each(served):
    assert _mine(served)["balance"] == 30
    _correct(served, "2", "提前离开")
    me = _mine(served)
    assert me["balance"] == 20 and [e["points"] for e in me["entries"]] == [-10, 30]
    fix = me["entries"][0]
    assert re.search(r"(?<![\d.])3\D+2(?![\d.])", fix["reason"])  # from 3 h to 2 h
    assert "提前离开" in fix["reason"]
    assert fix["rule"] == "volunteer_hour"
    # The same correction again changes nothing; a raise adds the difference.
    _correct(served, "2", "提前离开")
    assert _mine(served)["balance"] == 20 and len(_mine(served)["entries"]) == 2
    _correct(served, "4.5", "加班")
    me = _mine(served)
    assert me["balance"] == 45 and me["earned"] == 45 and len(me["entries"]) == 3
    assert SignUp.objects.get(pk=served.signup.pk).hours == Decimal("4.5")


def test_hours_corrected_after_the_points_were_spent(served):
    """The correction stands; the balance gives what it holds and the entry says how much
    it could not; a later raise first makes up for that."""
    w = served.w
    soap = services.do_save_goods(
        actor=w.community_staff, region=w.regions.xiguan, name="肥皂", price=25, stock=5
    )
    code, _nonce = services.make_code(household_id=served.household.pk)
    services.do_redeem(actor=w.community_staff, code=code, goods_id=soap.pk)
    assert _mine(served)["balance"] == 5
    _correct(served, "1")  # 10 due: 20 to take back, 5 there
    me = _mine(served)
    assert me["balance"] == 0 and me["entries"][0]["points"] == -5
    assert "15" in me["entries"][0]["reason"]
    assert SignUp.objects.get(pk=served.signup.pk).hours == Decimal("1.0")
    assert PointAccount.objects.get(household=served.household).balance == 0
    # Back to three hours: 30 earned for the shift in all, 25 of them spent.
    _correct(served, "3")
    me = _mine(served)
    assert me["balance"] == 5 and me["entries"][0]["points"] == 5


def test_an_award_the_committee_reversed_stays_reversed(served):
    w = served.w
    award = PointEntry.objects.get(source=f"signup:{served.signup.pk}")
    services.do_reverse(actor=w.community_staff, entry_id=award.pk, reason="重复登记")
    _correct(served, "5", "补记")
    assert _mine(served)["balance"] == 0 and PointEntry.objects.count() == 2


def test_a_volunteer_without_a_household_gets_no_points_on_correction(vol):
    w = vol.w
    v = vol.approved(w.nobody, region=w.regions.xiguan)
    shift = vol.shift(starts_in=-dt.timedelta(hours=1), hours=3)
    signup = volunteers.do_sign_up(
        user=v.user, shift=shift, now=shift.starts_at - dt.timedelta(hours=1)
    )
    volunteers.do_check_in_by_leader(actor=w.community_staff, signup=signup)
    volunteers.do_check_in_by_leader(
        actor=w.community_staff, signup=signup, hours="5", reason="补记"
    )
    assert not PointEntry.objects.exists()
