"""The command centre's own clocks: accepting a report and dispatching it have deadlines
by channel and urgency (``taxonomy.StageClock`` rows), warned and marked overdue by the
same scan, once per step, shown on the consoles and counted in the rates."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.urls import reverse

from gongzhi.cases import stats
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.templatetags.gongzhi_cases import deadline_info, deadline_rows
from gongzhi.cases.workflow import deadlines
from gongzhi.core import workdays
from gongzhi.notify.models import Notification
from gongzhi.taxonomy.models import StageClock
from tests.concurrency import race
from tests.factories import call_case, report_case
from tests.factories import move as act

pytestmark = pytest.mark.django_db

SH = workdays.LOCAL_TZ
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent scans need PostgreSQL (set DATABASE_URL); SQLite serialises writers",
)


def reported(w, **fields) -> Case:
    fields = {"title": "路面坑洼", "description": "西关路路面坑洼", **fields}
    return report_case(w, w.pothole, **fields)


def about(a, b) -> bool:
    return abs(a - b) < timedelta(seconds=1)


def scan(now, capture) -> dict:
    with capture(execute=True):
        return deadlines.scan(now=now)


def entries(case, action) -> list[dict]:
    return list(
        CaseEvent.objects.filter(case=case, action=action)
        .order_by("at")
        .values_list("data", flat=True)
    )


def test_the_shipped_rows_give_urgent_reports_half_an_hour_and_others_two_working_hours():
    rows = {(c.stage, c.urgency): (c.value, c.unit) for c in StageClock.objects.all()}
    assert rows[("accept", "urgent")] == (30, "minutes")
    assert rows[("accept", "")] == (2, "workhours")
    assert rows[("dispatch", "urgent")] == (30, "minutes")
    assert rows[("dispatch", "")] == (2, "workhours")


def test_the_most_specific_row_fits_a_case():
    clocks = [
        StageClock(stage="accept", channel="", urgency="", value=2, unit="workhours"),
        StageClock(stage="accept", channel="", urgency="urgent", value=30, unit="minutes"),
        StageClock(stage="accept", channel="hotline", urgency="", value=20, unit="minutes"),
        StageClock(stage="accept", channel="hotline", urgency="urgent", value=5, unit="minutes"),
        StageClock(stage="dispatch", channel="", urgency="", value=9, unit="hours"),
    ]

    def chosen(channel, urgent):
        found = StageClock.choose(clocks, stage="accept", channel=channel, is_urgent=urgent)
        return found.value

    assert chosen("app", False) == 2
    assert chosen("app", True) == 30
    assert chosen("hotline", False) == 20
    assert chosen("hotline", True) == 5
    clocks[0].enabled = False
    assert StageClock.choose(clocks, stage="accept", channel="app", is_urgent=False) is None


def test_working_hours_run_only_in_office_hours_on_working_days():
    friday_evening = datetime(2026, 12, 4, 17, 0, tzinfo=SH)  # a Friday
    # Half an hour on Friday, then from Monday's opening.
    assert workdays.deadline(friday_evening, 2, "workhours") == datetime(
        2026, 12, 7, 10, 0, tzinfo=SH
    )
    before_lunch = datetime(2026, 12, 7, 11, 0, tzinfo=SH)
    assert workdays.deadline(before_lunch, 2, "workhours") == datetime(
        2026, 12, 7, 14, 30, tzinfo=SH
    )
    # National Day 2025 (1 to 8 October): the holiday's days do not count.
    assert workdays.deadline(datetime(2025, 9, 30, 17, 0, tzinfo=SH), 1, "workhours") == (
        datetime(2025, 10, 9, 9, 0, tzinfo=SH)
    )


def test_a_report_gets_its_acceptance_deadline_by_channel_and_urgency(world):
    StageClock.objects.create(stage="accept", channel="api", value=15, unit="minutes")
    StageClock.objects.create(stage="dispatch", channel="hotline", value=10, unit="minutes")
    plain = reported(world)
    urgent = reported(world, is_urgent=True)
    by_api = reported(world, channel="api")
    # From the report (the row's timestamp is taken a moment after the clock starts).
    assert about(plain.accept_due, workdays.deadline(plain.created_at, 2, "workhours"))
    assert about(urgent.accept_due, urgent.created_at + timedelta(minutes=30))
    assert about(by_api.accept_due, by_api.created_at + timedelta(minutes=15))
    # A call is accepted as it is taken (the operator screened it): no acceptance clock,
    # and the dispatch clock of the hotline's own row runs from then.
    called = call_case(world, world.pothole, title="井盖缺失", description="井盖缺失")
    assert called.accept_due is None and called.accept_met is None
    assert called.dispatch_due == called.accepted_at + timedelta(minutes=10)


def test_accepting_ends_one_clock_and_starts_the_dispatch_clock(world):
    case = act(reported(world, is_urgent=True), "accept", world.dispatcher)
    assert case.accept_met is True and case.accepted_at is not None
    assert case.dispatch_due == case.accepted_at + timedelta(minutes=30)
    case = act(case, "dispatch", world.dispatcher)
    assert case.dispatch_met is True
    assert case.sign_for_due is not None


def test_late_acceptance_then_late_dispatch_are_two_overdue_notices_and_two_warnings(
    world, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    case = reported(world, is_urgent=True)
    accept_due = case.accept_due
    soon = accept_due - timedelta(minutes=2)  # within the last fifth of 30 minutes
    assert scan(soon, capture) == {"warned": 1, "overdue": 0}
    assert scan(soon, capture) == {"warned": 0, "overdue": 0}
    late = accept_due + timedelta(minutes=1)
    assert scan(late, capture) == {"warned": 0, "overdue": 1}
    assert scan(late + timedelta(hours=3), capture) == {"warned": 0, "overdue": 0}
    case.refresh_from_db()
    assert case.is_overdue
    # The command centre hears of its own step; no unit has the case yet.
    told = set(Notification.objects.filter(kind="case.overdue").values_list("recipient", flat=True))
    assert told == {world.dispatcher.pk}

    accepted_at = late + timedelta(hours=3, minutes=1)
    case = act(case, "accept", world.dispatcher, now=accepted_at)
    assert case.accept_met is False and not case.is_overdue
    dispatch_due = case.dispatch_due
    assert scan(dispatch_due - timedelta(minutes=2), capture) == {"warned": 1, "overdue": 0}
    after = dispatch_due + timedelta(minutes=1)
    assert scan(after, capture) == {"warned": 0, "overdue": 1}
    assert scan(after, capture) == {"warned": 0, "overdue": 0}
    assert [e.get("stage") for e in entries(case, "overdue")] == ["accept", "dispatch"]
    assert [e.get("stage") for e in entries(case, "deadline_warning")] == ["accept", "dispatch"]

    case = act(case, "dispatch", world.dispatcher, now=after + timedelta(minutes=1))
    assert case.dispatch_met is False
    assert not case.is_overdue and case.overdue_notified_at is None
    # The unit's own clocks go on as before: one more overdue notice, for signing for.
    assert scan(case.sign_for_due + timedelta(minutes=1), capture)["overdue"] == 1
    assert len(entries(case, "overdue")) == 3


def test_a_step_taken_between_the_scans_read_and_its_claim_is_not_marked(world):
    case = reported(world)
    late = case.created_at + timedelta(seconds=1)
    Case.objects.filter(pk=case.pk).update(accept_due=case.created_at)
    act(case, "accept", world.dispatcher)  # dispatch due in two working hours
    # The claim names the step: an accepted case is not claimed for its acceptance.
    assert not deadlines._claim(
        case.pk, "overdue_notified_at", late, {"is_overdue": True}, still=deadlines.late(late)
    )


def test_the_consoles_show_the_stage_deadlines(world, client):
    case = reported(world)
    info = deadline_info(case, now=case.created_at)
    assert info["due"] == case.accept_due and not info["late"]
    rows = deadline_rows(case, now=case.accept_due + timedelta(minutes=1))
    assert rows[0]["running"] and rows[0]["late"]
    client.force_login(world.dispatcher)
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "受理时限" in page or "Accept by" in page
    accepted = act(case, "accept", world.dispatcher)
    rows = deadline_rows(accepted, now=accepted.accepted_at)
    assert [r["running"] for r in rows] == [False, True]
    assert rows[0]["met"] is not None


def test_the_rates_count_acceptance_and_dispatch_in_time(world):
    on_time = act(reported(world), "accept", world.dispatcher)
    act(on_time, "dispatch", world.dispatcher)
    late = reported(world, is_urgent=True)
    Case.objects.filter(pk=late.pk).update(accept_due=late.created_at - timedelta(minutes=1))
    act(late, "accept", world.dispatcher)
    row = stats.rates(viewer=world.dispatcher)[0]
    assert row["command_counts"]["accept_base"] == 2 and row["accept_rate"] == 0.5
    assert row["command_counts"]["dispatch_base"] == 1 and row["dispatch_rate"] == 1.0


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_scans_mark_a_waiting_report_once(shared_world):
    w = shared_world
    cases = [reported(w, is_urgent=True) for _ in range(4)]
    late = max(c.accept_due for c in cases) + timedelta(minutes=1)
    results, errors = race(*[lambda: deadlines.scan(now=late)] * 3)
    assert errors == [None] * 3
    assert sum(r["overdue"] for r in results) == 4
    for case in cases:
        assert len(entries(case, "overdue")) == 1


# -- A case back with the command centre: returned, reopened, escalated ---------------------

BACK = {
    "returned": [
        ("accept", "dispatcher", {}),
        ("dispatch", "dispatcher", {}),
        ("return", "handler", {"reason": "不属于本单位"}),
    ],
    "reopened": [
        ("accept", "dispatcher", {}),
        ("dispatch", "dispatcher", {}),
        ("sign_for", "handler", {}),
        ("resolve", "handler", {"result": "已修补"}),
        ("verify_fail", "grid_worker", {"reason": "仍未修好"}),
    ],
    "escalated": [("accept", "dispatcher", {}), ("escalate", "dispatcher", {"reason": "需协调"})],
}


@pytest.mark.parametrize("state", sorted(BACK))
def test_a_case_back_with_the_command_centre_runs_the_dispatch_clock_again(
    world, django_capture_on_commit_callbacks, state
):
    capture = django_capture_on_commit_callbacks
    case = reported(world, is_urgent=True)
    for action, who, params in BACK[state]:
        case = act(case, action, getattr(world, who), **params)
    assert case.state == state
    came_back = CaseEvent.objects.filter(case=case, to_state=state).latest("at").at
    # The dispatch clock runs from the step that brought the case back (urgent: 30 minutes).
    assert case.dispatch_from == came_back
    assert case.dispatch_due == came_back + timedelta(minutes=30)
    assert not case.is_overdue and case.warned_at is None
    page = deadline_info(case, now=came_back)
    assert page["due"] == case.dispatch_due and not page["late"]

    soon = case.dispatch_due - timedelta(minutes=2)
    assert scan(soon, capture) == {"warned": 1, "overdue": 0}
    assert scan(soon, capture) == {"warned": 0, "overdue": 0}
    late = case.dispatch_due + timedelta(minutes=1)
    assert scan(late, capture) == {"warned": 0, "overdue": 1}
    assert scan(late, capture) == {"warned": 0, "overdue": 0}
    assert scan(late + timedelta(days=2), capture) == {"warned": 0, "overdue": 0}
    case.refresh_from_db()
    assert case.is_overdue
    waiting = [e.get("stage") for e in entries(case, "overdue")]
    assert waiting[-1] == "dispatch" and waiting.count("dispatch") == 1
    # The command centre that has the case now is told (the upper one, once escalated).
    told = Notification.objects.filter(kind="case.overdue", recipient=world.dispatcher)
    assert told.exists() or state == "escalated"

    # Dispatched again: the unit's clocks start, the overdue mark was the waiting step's.
    case = act(case, "dispatch", world.dispatcher if state != "escalated" else _upper(case))
    assert case.state == "dispatched" and not case.is_overdue
    assert case.dispatch_met is True  # the rate counts the case's first dispatch
    scan(late + timedelta(days=3), capture)  # the unit's clocks may be late by now: theirs
    assert [e.get("stage") for e in entries(case, "overdue")].count("dispatch") == 1


def _upper(case):
    from gongzhi.accounts.models import Membership, Role

    return Membership.objects.filter(organisation=case.command, role=Role.DISPATCHER).first().user


def test_an_unaccepted_report_escalated_ends_its_acceptance_step(world):
    case = reported(world, is_urgent=True)
    case = act(case, "escalate", world.dispatcher, reason="需要市级协调")
    assert case.accept_met is True
    assert case.dispatch_due is not None and case.dispatch_from is not None


def test_a_reopened_callback_runs_the_dispatch_clock(world):
    case = reported(world)
    for action, who, params in BACK["reopened"][:-1]:
        case = act(case, action, getattr(world, who), **params)
    case = act(case, "verify_pass", world.grid_worker)
    case = act(case, "callback", world.resident, resolved=False, satisfaction="unsatisfied")
    assert case.state == "reopened"
    assert case.dispatch_from is not None and case.dispatch_due is not None
    assert case.dispatch_due > case.dispatch_from


# -- Open cases from before the clocks: the backfill (cases 0015) -----------------------------


def test_open_cases_from_before_the_clocks_get_them_from_their_own_timestamps(
    world, django_capture_on_commit_callbacks
):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("gongzhi.cases.migrations.0015_redispatch_clocks")
    waiting = reported(world, is_urgent=True)
    accepted = act(reported(world, is_urgent=True), "accept", world.dispatcher)
    returned = reported(world, is_urgent=True)
    for action, who, params in BACK["returned"]:
        returned = act(returned, action, getattr(world, who), **params)
    handled = act(act(reported(world), "accept", world.dispatcher), "dispatch", world.dispatcher)
    done = act(reported(world), "reject", world.dispatcher, reason="不属于受理范围")
    # As they were before the clocks: no stage deadlines.
    Case.objects.update(accept_due=None, dispatch_due=None, dispatch_from=None)

    migration.backfill(apps, None)

    rows = {c.pk: c for c in Case.objects.all()}
    half_hour = timedelta(minutes=30)
    assert rows[waiting.pk].accept_due == waiting.created_at + half_hour
    assert rows[accepted.pk].dispatch_from == accepted.accepted_at
    assert rows[accepted.pk].dispatch_due == accepted.accepted_at + half_hour
    back = CaseEvent.objects.get(case=returned, action="return").at
    assert rows[returned.pk].dispatch_from == back
    assert rows[returned.pk].dispatch_due == back + half_hour
    # Cases not waiting on the command centre get none.
    assert rows[handled.pk].dispatch_due is None and rows[done.pk].accept_due is None
    assert rows[handled.pk].accept_due is None

    # The scan then marks each late one overdue once.
    later = back + timedelta(minutes=40)
    assert scan(later, django_capture_on_commit_callbacks)["overdue"] == 3
    assert scan(later, django_capture_on_commit_callbacks)["overdue"] == 0
    # Run twice, the backfill changes nothing more.
    before = list(Case.objects.order_by("pk").values_list("accept_due", "dispatch_due"))
    migration.backfill(apps, None)
    assert list(Case.objects.order_by("pk").values_list("accept_due", "dispatch_due")) == before
