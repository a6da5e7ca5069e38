"""Shifts close themselves: ``gongzhi community tick`` closes the open shifts that ended
``COMMUNITY_SHIFT_CLOSE_HOURS`` (12) ago exactly as the leader's button does (the checked-in
keep their hours and points, the rest are marked absent), and leaves alone those still
within the window and those already closed; two ticks at once close a shift once
(PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from gongzhi.community import jobs
from gongzhi.community.models import PointAccount, Shift, SignUp, Volunteer
from gongzhi.community.volunteers import services
from gongzhi.core.errors import Conflict
from tests.concurrency import race


def _past_shift(vol, *, ended_ago: dt.timedelta, hours=3, people=()):
    """A shift that ended ``ended_ago``, these volunteers signed up before it began."""
    shift = vol.shift(starts_in=-(ended_ago + dt.timedelta(hours=hours)), hours=hours)
    for v in people:
        services.do_sign_up(user=v.user, shift=shift, now=shift.starts_at - dt.timedelta(hours=1))
    return shift


def _signup(shift, v) -> SignUp:
    return SignUp.objects.get(shift=shift, volunteer=v)


@pytest.mark.django_db
def test_the_tick_closes_shifts_long_over_as_the_leader_would(vol, settings):
    w = vol.w
    a, b = vol.approved(w.urban_residents[0]), vol.approved(w.urban_residents[1])
    over = _past_shift(vol, ended_ago=dt.timedelta(hours=13), people=(a, b))
    recent = _past_shift(vol, ended_ago=dt.timedelta(hours=11), hours=1, people=(a,))
    closed = _past_shift(vol, ended_ago=dt.timedelta(hours=14), people=(b,))
    services.do_check_in_by_leader(
        actor=w.community_staff, signup=_signup(over, a), now=over.starts_at
    )
    services.do_finish_shift(actor=w.community_staff, shift=closed, now=closed.ends_at)
    closed_at = Shift.objects.get(pk=closed.pk).updated_at
    points = PointAccount.objects.get(household_id=a.household_id).balance
    assert points == 30

    out = io.StringIO()
    call_command("community", "tick", stdout=out)
    assert json.loads(out.getvalue())["volunteers"] == {"shifts_closed": 1}

    assert Shift.objects.get(pk=over.pk).state == "done"
    assert _signup(over, a).state == "attended" and _signup(over, a).hours == Decimal("3.0")
    assert _signup(over, b).state == "absent"
    # Hours and points were given at the check-in: the close gives none twice.
    assert Volunteer.objects.get(pk=a.pk).hours == Decimal("3.0")
    assert PointAccount.objects.get(household_id=a.household_id).balance == 30
    # Still within the 12 hours: open (the leader may still check people in).
    assert Shift.objects.get(pk=recent.pk).state == "open"
    assert _signup(recent, a).state == "signed_up"
    # Closed by hand before: untouched.
    assert Shift.objects.get(pk=closed.pk).updated_at == closed_at
    # A second tick closes nothing more.
    assert jobs.tick()["volunteers"] == {"shifts_closed": 0}

    # The window is a setting: at 10 hours the recent shift is over too.
    settings.GONGZHI = {**settings.GONGZHI, "COMMUNITY_SHIFT_CLOSE_HOURS": 10}
    assert jobs.tick()["volunteers"] == {"shifts_closed": 1}
    assert Shift.objects.get(pk=recent.pk).state == "done"
    assert _signup(recent, a).state == "absent"


@pytest.mark.django_db
def test_the_leader_closing_a_shift_the_tick_closed_is_told_so(vol):
    w = vol.w
    over = _past_shift(vol, ended_ago=dt.timedelta(hours=13))
    assert services.close_ended_shifts() == 1
    with pytest.raises(Conflict) as e:
        services.do_finish_shift(actor=w.community_staff, shift=over)
    assert e.value.code == "not_open"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency tests need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_ticks_at_once_close_each_shift_once(vol):
    w = vol.w
    a = vol.approved(w.urban_residents[0])
    shifts = [_past_shift(vol, ended_ago=dt.timedelta(hours=13 + n), people=(a,)) for n in range(3)]
    now = timezone.now()
    results, errors = race(*[(lambda: services.close_ended_shifts(now=now)) for _ in range(3)])
    assert errors == [None] * 3
    assert sum(results) == 3
    assert set(
        Shift.objects.filter(pk__in=[s.pk for s in shifts]).values_list("state", flat=True)
    ) == {"done"}
    assert SignUp.objects.filter(state="absent").count() == 3
