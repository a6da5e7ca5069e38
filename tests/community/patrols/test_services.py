"""The rules of a patrol, through its services: the signed codes, the flags, the misses,
the tick's abandoned patrols, and a case from a patrol."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import signing
from django.utils import timezone

from gongzhi.cases.choices import Channel
from gongzhi.cases.models import Case
from gongzhi.community.choices import PatrolState
from gongzhi.community.models import Patrol, Scan
from gongzhi.community.patrols import codes, jobs, services
from gongzhi.core.errors import Conflict, NotAllowed, ServiceError

from .conftest import at, code_of

pytestmark = pytest.mark.django_db


def start(w, user=None):
    return services.do_start(actor=user or w.walker, route=w.route)


def scan(w, patrol, cp, code=None, **position):
    return services.do_scan(
        actor=w.walker, patrol=patrol, code=code or code_of(cp), **(position or at(cp))
    )


def refused(w, patrol, code) -> str:
    with pytest.raises(ServiceError) as e:
        services.do_scan(actor=w.walker, patrol=patrol, code=code, **at(w.cps[0]))
    return e.value.code


# -- the signature -------------------------------------------------------------------------


def test_a_genuine_code_is_accepted_from_a_url_or_bare(pw):
    patrol = start(pw)
    assert scan(pw, patrol, pw.cps[0]).checkpoint == pw.cps[0]
    bare = codes.token_for(pw.cps[1])
    assert scan(pw, patrol, pw.cps[1], code=bare).checkpoint == pw.cps[1]


@pytest.mark.parametrize(
    "make",
    [
        lambda cp: "made-up-code",
        lambda cp: codes.token_for(cp)[:-3] + "abc",  # a signature tampered with
        # a payload of our shape signed with another salt (another purpose's token)
        lambda cp: signing.dumps({"c": cp.pk, "r": cp.route_id, "v": 1}, salt="other"),
        lambda cp: "",
    ],
)
def test_a_forged_code_is_refused_and_nothing_is_written(pw, make):
    patrol = start(pw)
    assert refused(pw, patrol, make(pw.cps[0])) == "forged_code"
    assert not Scan.objects.exists()


def test_a_code_of_another_route_is_refused(pw):
    patrol = start(pw)
    assert refused(pw, patrol, code_of(pw.other_cp)) == "other_route"


def test_a_code_from_a_reprinted_sheet_is_refused(pw):
    old = code_of(pw.cps[0])
    assert services.do_reprint(actor=pw.leader, route=pw.route) == 3
    patrol = start(pw)
    assert refused(pw, patrol, old) == "reprinted_code"
    pw.cps[0].refresh_from_db()
    assert scan(pw, patrol, pw.cps[0]).checkpoint == pw.cps[0]  # the new sheet works


def test_only_keepers_reprint(pw):
    with pytest.raises(NotAllowed):
        services.do_reprint(actor=pw.walker, route=pw.route)


def test_a_second_scan_of_one_checkpoint_is_refused(pw):
    patrol = start(pw)
    scan(pw, patrol, pw.cps[0])
    with pytest.raises(Conflict) as e:
        scan(pw, patrol, pw.cps[0])
    assert e.value.code == "already_scanned"
    patrol.refresh_from_db()
    assert patrol.scanned == 1


# -- the flags -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("order", "dx_m", "no_fix", "too_far", "out_of_order", "no_position"),
    [
        (1, 0, False, False, False, False),  # at the place, first
        (1, 45, False, False, False, False),  # within 50 m
        (1, 60, False, True, False, False),  # beyond 50 m: kept, flagged
        (1, 2000, False, True, False, False),
        (2, 0, False, False, True, False),  # the first was skipped
        (3, 70, False, True, True, False),
        (1, 0, True, False, False, True),  # the phone gave no position
        (2, 0, True, False, True, True),
    ],
)
def test_flags_on_a_table_of_positions(pw, order, dx_m, no_fix, too_far, out_of_order, no_position):
    patrol = start(pw)
    cp = pw.cps[order - 1]
    position = {"lng": None, "lat": None} if no_fix else at(cp, dx_m)
    s = scan(pw, patrol, cp, **position)
    assert (s.too_far, s.out_of_order, s.no_position) == (too_far, out_of_order, no_position)
    if no_fix:
        assert s.distance_m is None
    else:
        assert s.distance_m == pytest.approx(dx_m, abs=1.5, rel=0.005)
    patrol.refresh_from_db()
    assert patrol.flagged == int(too_far or out_of_order or no_position)


def test_any_order_is_fine_on_a_route_not_in_order(pw):
    pw.route.in_order = False
    pw.route.save()
    patrol = start(pw)
    assert not scan(pw, patrol, pw.cps[2]).out_of_order


def test_coming_back_for_a_skipped_checkpoint_is_in_order(pw):
    patrol = start(pw)
    assert scan(pw, patrol, pw.cps[1]).out_of_order
    assert not scan(pw, patrol, pw.cps[0]).out_of_order
    assert not scan(pw, patrol, pw.cps[2]).out_of_order


# -- who walks --------------------------------------------------------------------------------


def test_who_may_start_a_patrol(pw):
    assert start(pw, pw.walker).walker == pw.walker
    assert start(pw, pw.leader).walker == pw.leader
    assert start(pw, pw.clerk).walker == pw.clerk  # the village's committee
    for outsider in (pw.pending, pw.villagers[5], pw.community_staff):
        with pytest.raises(NotAllowed):
            start(pw, outsider)


def test_a_second_start_returns_the_patrol_under_way(pw):
    assert start(pw) == start(pw)
    assert Patrol.objects.count() == 1


def test_only_the_walker_scans_their_patrol(pw):
    patrol = start(pw)
    with pytest.raises(NotAllowed):
        services.do_scan(actor=pw.leader, patrol=patrol, code=code_of(pw.cps[0]))


# -- finishing and the tick -----------------------------------------------------------------


def test_finishing_counts_the_missed_checkpoints(pw):
    patrol = start(pw)
    scan(pw, patrol, pw.cps[0])
    scan(pw, patrol, pw.cps[2])
    patrol = services.do_finish(actor=pw.walker, patrol=patrol)
    assert (patrol.state, patrol.scanned, patrol.missed, patrol.flagged) == (
        PatrolState.FINISHED,
        2,
        1,
        1,
    )
    with pytest.raises(Conflict):
        scan(pw, patrol, pw.cps[1])


def test_the_tick_closes_a_patrol_left_walking_as_abandoned(pw):
    now = timezone.now()
    patrol = services.do_start(actor=pw.walker, route=pw.route, now=now - dt.timedelta(hours=7))
    services.do_scan(
        actor=pw.walker,
        patrol=patrol,
        code=code_of(pw.cps[0]),
        now=now - dt.timedelta(hours=6, minutes=50),
        **at(pw.cps[0]),
    )
    fresh = services.do_start(actor=pw.leader, route=pw.route, now=now - dt.timedelta(hours=1))
    assert jobs.tick(now=now) == {"patrols_abandoned": 1}
    assert jobs.tick(now=now) == {"patrols_abandoned": 0}  # idempotent
    patrol.refresh_from_db()
    fresh.refresh_from_db()
    assert (patrol.state, patrol.missed) == (PatrolState.ABANDONED, 2)
    assert fresh.state == PatrolState.WALKING


# -- a problem becomes a case ----------------------------------------------------------------


def test_a_problem_seen_on_patrol_becomes_a_case_at_the_last_scan(pw):
    patrol = start(pw)
    scan(pw, patrol, pw.cps[0])
    last = scan(pw, patrol, pw.cps[1], **at(pw.cps[1], 20))
    case = services.do_report_problem(
        actor=pw.walker,
        patrol=patrol,
        description="戏台旁井盖缺失，夜里很危险",
        category_id=pw.manhole.pk,
        idempotency_key="patrol-problem-1",
    )
    assert case.channel == Channel.PATROL
    assert case.reporter == pw.walker
    assert case.lng == pytest.approx(last.lng) and case.lat == pytest.approx(last.lat)
    last.refresh_from_db()
    assert last.case == case
    # A retried tap makes no second case.
    again = services.do_report_problem(
        actor=pw.walker,
        patrol=patrol,
        description="戏台旁井盖缺失，夜里很危险",
        category_id=pw.manhole.pk,
        idempotency_key="patrol-problem-1",
    )
    assert again == case and Case.objects.count() == 1


def test_a_problem_without_a_category_is_refused_and_makes_no_case(pw):
    patrol = start(pw)
    with pytest.raises(ServiceError):
        services.do_report_problem(
            actor=pw.walker, patrol=patrol, description="有问题", category_id=None
        )
    assert not Case.objects.exists()
