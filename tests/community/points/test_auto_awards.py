"""Points that award themselves when a household attends a meeting of the deliberation hall
(through ``people.signals``, after the sign-in is committed, once per household and
meeting), and hand awards that a double submit does not double. (Corrected volunteer hours:
``tests/community/volunteers/test_corrected_hours.py``.)"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.community.models import PointAccount, PointEntry, PointRule
from gongzhi.core.errors import Conflict, NotAllowed
from gongzhi.deliberation.meetings import services as meetings
from gongzhi.deliberation.reference import ensure_seeded as seed_hall
from gongzhi.people.signals import meeting_attendance_withdrawn, meeting_attended

pytestmark = pytest.mark.django_db
API = "/api/v1/community"


def _as(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _balance(household) -> int:
    account = PointAccount.objects.filter(household=household).first()
    return account.balance if account else 0


def _meeting_entries(household):
    return PointEntry.objects.filter(account__household=household, rule__code="meeting_attended")


@pytest.fixture
def sitting(town):
    """A village assembly of 大古城村, called twenty days ago, sitting now."""
    seed_hall()
    w = town
    past = timezone.now() - dt.timedelta(days=20)
    meeting = meetings.do_schedule(
        actor=w.clerk,
        region=w.village,
        kind="village_assembly",
        title="修村道议事",
        place="村委会议室",
        starts_at=timezone.now() - dt.timedelta(minutes=5),
        now=past,
    )
    meetings.do_add_item(meeting=meeting, actor=w.clerk, title="议题1")
    meeting = meetings.do_send_notice(actor=w.clerk, meeting=meeting, now=past)
    return meetings.do_open(actor=w.clerk, meeting=meeting)


def _send(meeting, household, signal=meeting_attended, **extra):
    signal.send(
        sender=None,
        household_id=household.pk,
        region_id=meeting.region_id,
        meeting=meeting.number,
        title=meeting.title,
        on=timezone.localdate(meeting.starts_at),
        when=timezone.now(),
        **extra,
    )


# ---- attending a meeting ----------------------------------------------------------------


def test_signing_in_at_a_meeting_earns_the_household_points_after_commit(
    town, sitting, django_capture_on_commit_callbacks
):
    w = town
    with django_capture_on_commit_callbacks() as pending:
        meetings.do_sign_in(actor=w.clerk, meeting=sitting, resident=w.heads[0])
        assert not _meeting_entries(w.households[0]).exists()  # not before the commit
    for callback in pending:
        callback()
    entry = _meeting_entries(w.households[0]).get()
    assert entry.points == 5 and _balance(w.households[0]) == 5
    # The entry names the meeting: its title and date.
    on = timezone.localdate(sitting.starts_at).isoformat()
    assert "修村道议事" in entry.reason and on in entry.reason
    assert entry.reason.startswith("参加村（居）民会议")
    # The resident reads it on 我的积分.
    page = _as(w.villagers[0]).get("/community/points/").content.decode()
    assert "修村道议事" in page and 'data-testid="balance">5<' in page


def test_a_household_earns_once_per_meeting(town, sitting, django_capture_on_commit_callbacks):
    w = town
    with django_capture_on_commit_callbacks(execute=True):
        meetings.do_sign_in(actor=w.clerk, meeting=sitting, resident=w.heads[0])
        # Another member of the same household comes in with the QR code at the door …
        meetings.do_sign_in(actor=w.spouse, meeting=sitting, token=sitting.sign_in_token)
        # … and scans it again.
        with pytest.raises(Conflict):
            meetings.do_sign_in(actor=w.spouse, meeting=sitting, token=sitting.sign_in_token)
        meetings.do_sign_in(actor=w.clerk, meeting=sitting, resident=w.heads[1])
    # The signal delivered twice (a retried hook) changes nothing either.
    _send(sitting, w.households[0])
    assert _meeting_entries(w.households[0]).count() == 1 and _balance(w.households[0]) == 5
    assert _meeting_entries(w.households[1]).count() == 1 and _balance(w.households[1]) == 5
    assert not _meeting_entries(w.households[2]).exists()
    assert PointEntry.objects.filter(rule__code="meeting_attended").count() == 2


def test_a_refused_sign_in_earns_nothing(town, sitting, django_capture_on_commit_callbacks):
    w = town
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(NotAllowed):  # a child is not entitled to an assembly
            meetings.do_sign_in(actor=w.child, meeting=sitting, token=sitting.sign_in_token)
    assert not PointEntry.objects.exists()


def test_a_village_that_switched_the_rule_off_awards_nothing(
    town, sitting, django_capture_on_commit_callbacks
):
    w = town
    PointRule.objects.create(
        code="meeting_attended_dgc",
        name="参加村民会议",
        points=5,
        source="meeting_attended",
        region=w.village,
        enabled=False,
    )
    with django_capture_on_commit_callbacks(execute=True):
        meetings.do_sign_in(actor=w.clerk, meeting=sitting, resident=w.heads[0])
    assert not PointEntry.objects.exists()


def test_an_undone_sign_in_reverses_the_award_once(town, sitting):
    w = town
    hh = w.households[0]
    _send(sitting, hh)
    assert _balance(hh) == 5
    _send(sitting, hh, meeting_attendance_withdrawn, reason="误签")
    _send(sitting, hh, meeting_attendance_withdrawn, reason="误签")
    award = _meeting_entries(hh).get(reverses__isnull=True)
    reversal = PointEntry.objects.get(reverses=award)
    assert reversal.points == -5 and "误签" in reversal.reason and _balance(hh) == 0
    # Signing in again after the undo does not award the meeting twice.
    _send(sitting, hh)
    assert _balance(hh) == 0 and PointEntry.objects.count() == 2


def test_an_undone_sign_in_never_takes_the_balance_below_zero(pw, sitting):
    w, p = pw, pw.points
    hh = w.households[0]
    _send(sitting, hh)
    p.give(0, hours=0.5)  # 5 more: 10
    p.redeem(goods=p.soap, quantity=1)  # 5 spent: 5 left
    p.redeem(goods=p.soap, quantity=1)  # 0 left
    _send(sitting, hh, meeting_attendance_withdrawn, reason="误签")
    reversal = PointEntry.objects.get(reverses__rule__code="meeting_attended")
    assert reversal.points == 0 and "误签" in reversal.reason
    # The entry says what it could not take back.
    assert re.search(r"(?<![\d])5(?![\d])", reversal.reason.split("·")[-1])
    assert _balance(hh) == 0


# ---- awards by hand, submitted twice ----------------------------------------------------


def _key(page: str) -> str:
    return re.search(r'name="key" value="([^"]+)"', page).group(1)


def test_the_desk_award_submitted_twice_is_one_entry(pw):
    c = _as(pw.clerk)
    desk = f"/community/points/desk/{pw.village.pk}/"
    key = _key(c.get(desk).content.decode())
    data = {"household": pw.households[1].pk, "rule": "courtyard_tidy", "reason": "美丽庭院"}
    for _ in range(2):  # a double click
        r = c.post(f"{desk}award/", {**data, "key": key})
        assert r.status_code == 302
    assert _balance(pw.households[1]) == 10 and PointEntry.objects.count() == 1
    # A new form is a new award.
    again = _key(c.get(desk).content.decode())
    assert again != key
    c.post(f"{desk}award/", {**data, "key": again})
    assert _balance(pw.households[1]) == 20 and PointEntry.objects.count() == 2
    # A forged key is refused and records nothing.
    r = c.post(f"{desk}award/", {**data, "key": "<bad key>"})
    assert r.status_code == 400 and PointEntry.objects.count() == 2


def test_the_api_award_with_the_same_key_is_one_entry(pw):
    hh = pw.households[2]
    data = {"household": hh.pk, "rule": "courtyard_tidy", "reason": "美丽庭院"}
    c = _as(pw.clerk)
    first = c.post(
        f"{API}/points/awards",
        data,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-123456",
    )
    again = c.post(
        f"{API}/points/awards",
        data,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-123456",
    )
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"] and _balance(hh) == 10
    # Someone else's award with the same key is their own.
    other = _as(pw.secretary).post(
        f"{API}/points/awards",
        data,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-123456",
    )
    assert other.status_code == 201 and _balance(hh) == 20
    # Without a key, each call is an award; a malformed key is refused.
    assert c.post(f"{API}/points/awards", data, content_type="application/json").status_code == 201
    bad = c.post(
        f"{API}/points/awards", data, content_type="application/json", HTTP_IDEMPOTENCY_KEY="x"
    )
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_idempotency_key"
    assert _balance(hh) == 30
