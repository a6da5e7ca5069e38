"""The volunteers' rules through the services: registration and the check, teams, sign-up
places, cancelling, QR and leader check-in, hours adding up, points awarded."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from gongzhi.community.models import Shift, SignUp, TeamMember, Volunteer
from gongzhi.community.volunteers import services
from gongzhi.core.errors import Conflict, NotAllowed, ServiceError
from gongzhi.notify.models import Notification

pytestmark = pytest.mark.django_db


def test_resident_registers_from_the_register_and_is_told_of_the_check(vol):
    w = vol.w
    me = w.urban_residents[0]
    v = services.do_register(user=me, skills="开车", phone="13800000000")
    assert v.state == "pending" and v.region == w.regions.xiguan
    assert v.resident_id and v.household_id  # from the register
    assert services.volunteer_of(me) is None  # not yet approved
    # The committee hears of it.
    assert Notification.objects.filter(
        recipient=w.community_staff, link__contains="volunteers"
    ).exists()
    with pytest.raises(Conflict):
        services.do_register(user=me)
    # Only the community's own committee checks.
    with pytest.raises(NotAllowed):
        services.do_review(actor=w.clerk, volunteer=v, approve=True)
    services.do_review(actor=w.community_staff, volunteer=v, approve=True)
    assert services.volunteer_of(me).pk == v.pk
    assert Notification.objects.filter(recipient=me, title__contains=w.regions.xiguan.name).exists()
    with pytest.raises(Conflict):
        services.do_review(actor=w.community_staff, volunteer=v, approve=False, reason="x")


def test_rejection_needs_a_reason_and_the_volunteer_may_register_again(vol):
    w = vol.w
    v = services.do_register(user=w.urban_residents[1])
    with pytest.raises(ServiceError) as e:
        services.do_review(actor=w.community_staff, volunteer=v, approve=False)
    assert e.value.field == "reason"
    assert Volunteer.objects.get(pk=v.pk).state == "pending"
    services.do_review(actor=w.community_staff, volunteer=v, approve=False, reason="信息不全")
    assert Notification.objects.filter(recipient=w.urban_residents[1], body="信息不全").exists()
    again = services.do_register(user=w.urban_residents[1], skills="补充")
    assert again.pk == v.pk and again.state == "pending" and again.reason == ""


def test_someone_not_in_the_register_names_a_community(vol):
    w = vol.w
    with pytest.raises(ServiceError) as e:
        services.do_register(user=w.nobody)
    assert e.value.field == "region"
    with pytest.raises(ServiceError):
        services.do_register(user=w.nobody, region=w.regions.xiguan.parent)  # a township
    v = services.do_register(user=w.nobody, region=w.regions.xiguan)
    assert v.resident_id is None and v.household_id is None and v.name == "过路人"


def test_teams_leader_members_and_asking_to_join(vol):
    w = vol.w
    leader = vol.approved(w.urban_residents[0])
    member = vol.approved(w.urban_residents[1])
    with pytest.raises(NotAllowed):
        services.do_create_team(actor=w.urban_residents[0], region=w.regions.xiguan, name="巡逻队")
    with pytest.raises(ServiceError):  # the leader must be a volunteer here or staff
        services.do_create_team(
            actor=w.community_staff, region=w.regions.xiguan, name="巡逻队", leader=w.villagers[0]
        )
    team = services.do_create_team(
        actor=w.community_staff, region=w.regions.xiguan, name="巡逻队", leader=leader.user
    )
    assert services.is_leader(leader.user, team) and not services.is_leader(member.user, team)
    assert TeamMember.objects.filter(team=team, volunteer=leader).exists()
    services.do_ask_to_join(user=member.user, team=team)
    assert Notification.objects.filter(
        recipient=leader.user, link__contains=f"add={member.pk}"
    ).exists()
    with pytest.raises(NotAllowed):
        services.do_add_member(actor=w.urban_residents[2], team=team, volunteer=member)
    services.do_add_member(actor=leader.user, team=team, volunteer=member)
    with pytest.raises(Conflict):
        services.do_add_member(actor=leader.user, team=team, volunteer=member)
    with pytest.raises(Conflict):
        services.do_ask_to_join(user=member.user, team=team)
    # The leader creates shifts for the team; others do not.
    s = vol.shift(team=team)
    assert s.region == w.regions.xiguan and services.may_manage(leader.user, s)
    assert not services.may_manage(member.user, s)


def test_shift_input_is_checked_and_nothing_written(vol):
    w = vol.w
    now = timezone.now()
    with pytest.raises(ServiceError) as e:
        services.do_create_shift(
            actor=w.community_staff,
            region=w.regions.xiguan,
            kind="nonsense",
            title="",
            starts_at=now + dt.timedelta(hours=2),
            ends_at=now + dt.timedelta(hours=1),
            capacity=0,
        )
    assert {x.field for x in e.value.all} == {"kind", "title", "ends_at", "capacity"}
    with pytest.raises(NotAllowed):
        services.do_create_shift(
            actor=w.urban_residents[0],
            region=w.regions.xiguan,
            kind="patrol",
            title="x",
            starts_at=now + dt.timedelta(hours=1),
            ends_at=now + dt.timedelta(hours=2),
            capacity=1,
        )
    assert not Shift.objects.exists()


def test_sign_up_places_double_sign_up_and_cancel(vol):
    w = vol.w
    a = vol.approved(w.urban_residents[0])
    b = vol.approved(w.urban_residents[1])
    s = vol.shift(capacity=1)
    # Not approved, or another community's: refused.
    with pytest.raises(NotAllowed):
        services.do_sign_up(user=w.urban_residents[2], shift=s)
    services.do_sign_up(user=a.user, shift=s)
    with pytest.raises(Conflict) as e:
        services.do_sign_up(user=a.user, shift=s)
    assert e.value.code == "signed_up"
    with pytest.raises(Conflict) as e:
        services.do_sign_up(user=b.user, shift=s)
    assert e.value.code == "full"
    assert Shift.objects.get(pk=s.pk).taken == 1
    mine = SignUp.objects.get(shift=s, volunteer=a)
    with pytest.raises(NotAllowed):
        services.do_cancel_sign_up(user=b.user, signup=mine)
    services.do_cancel_sign_up(user=a.user, signup=mine)
    assert Shift.objects.get(pk=s.pk).taken == 0
    services.do_sign_up(user=b.user, shift=s)
    # Signing up again after cancelling reuses the row (one per volunteer and shift).
    s2 = vol.shift(capacity=2)
    first = services.do_sign_up(user=a.user, shift=s2)
    services.do_cancel_sign_up(user=a.user, signup=first)
    again = services.do_sign_up(user=a.user, shift=s2)
    assert again.pk == first.pk and again.state == "signed_up"


def test_no_cancelling_or_signing_up_after_the_start(vol):
    w = vol.w
    a = vol.approved(w.urban_residents[0])
    s = vol.shift()
    u = services.do_sign_up(user=a.user, shift=s)
    later = s.starts_at + dt.timedelta(minutes=1)
    with pytest.raises(Conflict):
        services.do_cancel_sign_up(user=a.user, signup=u, now=later)
    b = vol.approved(w.urban_residents[1])
    with pytest.raises(Conflict):
        services.do_sign_up(user=b.user, shift=s, now=later)


def test_qr_check_in_refuses_forged_expired_and_other_shift_codes(vol):
    w = vol.w
    a = vol.approved(w.urban_residents[0])
    s = vol.shift(hours=2)
    other = vol.shift(title="义诊", kind="clinic")
    services.do_sign_up(user=a.user, shift=s)
    token = services.check_in_token(s)
    during = s.starts_at + dt.timedelta(minutes=5)
    cases = [
        (token[:-3] + "abc", during, "bad_code"),
        ("nonsense", during, "bad_code"),
        (services.check_in_token(other), during, "other_shift"),
        (token, s.starts_at - dt.timedelta(hours=2), "too_early"),
        (token, s.ends_at + dt.timedelta(hours=1), "expired"),
    ]
    for code, when, error in cases:
        with pytest.raises(ServiceError) as e:
            services.do_check_in_qr(user=a.user, shift=s, token=code, now=when)
        assert e.value.code == error
    # A code for the shift's old start stops working once the shift is moved.
    Shift.objects.filter(pk=s.pk).update(starts_at=s.starts_at + dt.timedelta(minutes=10))
    moved = Shift.objects.get(pk=s.pk)
    with pytest.raises(ServiceError) as e:
        services.do_check_in_qr(user=a.user, shift=moved, token=token, now=during)
    assert e.value.code == "other_shift"
    Shift.objects.filter(pk=s.pk).update(starts_at=s.starts_at)
    # Someone who did not sign up cannot check in with the right code.
    b = vol.approved(w.urban_residents[1])
    with pytest.raises(NotAllowed):
        services.do_check_in_qr(user=b.user, shift=s, token=token, now=during)
    assert not SignUp.objects.filter(state="attended").exists()
    u = services.do_check_in_qr(user=a.user, shift=s, token=token, now=during)
    assert u.state == "attended" and u.method == "qr" and u.hours == Decimal("2.0")
    with pytest.raises(Conflict):
        services.do_check_in_qr(user=a.user, shift=s, token=token, now=during)
    assert Volunteer.objects.get(pk=a.pk).hours == Decimal("2.0")


def test_hours_add_up_and_points_are_awarded_per_sign_up(vol):
    w = vol.w
    a = vol.approved(w.urban_residents[0])
    nobody = vol.approved(w.nobody, region=w.regions.xiguan)  # no household: no points
    s1, s2 = vol.shift(hours=3), vol.shift(hours=2, starts_in=dt.timedelta(days=2))
    for s in (s1, s2):
        services.do_sign_up(user=a.user, shift=s)
    services.do_sign_up(user=nobody.user, shift=s1)
    with mock.patch("gongzhi.community.points.services.do_award") as award:
        u1 = SignUp.objects.get(shift=s1, volunteer=a)
        services.do_check_in_by_leader(actor=w.community_staff, signup=u1, now=s1.starts_at)
        u2 = SignUp.objects.get(shift=s2, volunteer=a)
        # Other hours than the shift's need a reason.
        with pytest.raises(ServiceError) as e:
            services.do_check_in_by_leader(
                actor=w.community_staff, signup=u2, hours="1.5", now=s2.starts_at
            )
        assert e.value.field == "reason"
        services.do_check_in_by_leader(
            actor=w.community_staff, signup=u2, hours="1.5", reason="提前离开", now=s2.starts_at
        )
        un = SignUp.objects.get(shift=s1, volunteer=nobody)
        services.do_check_in_by_leader(actor=w.community_staff, signup=un, now=s1.starts_at)
    assert Volunteer.objects.get(pk=a.pk).hours == Decimal("4.5")
    assert Volunteer.objects.get(pk=nobody.pk).hours == Decimal("3.0")
    calls = [c.kwargs for c in award.call_args_list]
    assert calls == [
        dict(
            household_id=a.household_id,
            rule_code="volunteer_hour",
            quantity=Decimal("3.0"),
            source=f"signup:{u1.pk}",
            by=w.community_staff,
            now=s1.starts_at,
        ),
        dict(
            household_id=a.household_id,
            rule_code="volunteer_hour",
            quantity=Decimal("1.5"),
            source=f"signup:{u2.pk}",
            by=w.community_staff,
            now=s2.starts_at,
        ),
    ]
    # The leader corrects hours already given: the total follows.
    services.do_check_in_by_leader(
        actor=w.community_staff, signup=u1, hours="2", reason="记录有误", now=s1.ends_at
    )
    assert Volunteer.objects.get(pk=a.pk).hours == Decimal("3.5")
    # Not the leader or committee: refused.
    with pytest.raises(NotAllowed):
        services.do_check_in_by_leader(actor=a.user, signup=u1, now=s1.ends_at)


def test_finishing_a_shift_marks_the_rest_absent(vol):
    w = vol.w
    a, b = vol.approved(w.urban_residents[0]), vol.approved(w.urban_residents[1])
    s = vol.shift()
    ua = services.do_sign_up(user=a.user, shift=s)
    services.do_sign_up(user=b.user, shift=s)
    services.do_check_in_by_leader(actor=w.community_staff, signup=ua, now=s.starts_at)
    with pytest.raises(Conflict):
        services.do_finish_shift(
            actor=w.community_staff, shift=s, now=s.starts_at - dt.timedelta(hours=1)
        )
    services.do_finish_shift(actor=w.community_staff, shift=s, now=s.ends_at)
    states = dict(SignUp.objects.filter(shift=s).values_list("volunteer_id", "state"))
    assert states == {a.pk: "attended", b.pk: "absent"}
