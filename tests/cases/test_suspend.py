"""挂起 (issue 23, item 3): the handling unit asks to suspend a case in hand, the command
centre approves or refuses; while it is suspended its clocks stand still (the scan neither
warns nor marks it overdue), and on resuming — by the unit, the dispatcher or the watcher's
tick on the expected date — its deadlines move on by exactly the time it was suspended."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from gongzhi.cases.choices import State
from gongzhi.cases.models import Case, Suspension
from gongzhi.cases.workflow import deadlines, inputs, routing
from gongzhi.core.workdays import LOCAL_TZ
from gongzhi.notify.models import Notification
from tests.factories import case_in, move, report

pytestmark = pytest.mark.django_db


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message)


def _titles(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def _local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LOCAL_TZ)


def _in_hand_at(w, start: dt.datetime, *, unit: str, value: int) -> Case:
    """A manhole case dispatched and signed for at ``start``, its category's resolve deadline
    ``value`` ``unit`` (the sign-for clock in hours)."""
    case = report(w)
    policy = routing.sla_for(case)
    policy.resolve_unit, policy.resolve_value = unit, value
    policy.sign_for_unit, policy.sign_for_value = "hours", 4
    policy.save()
    move(case, "accept", w.dispatcher, now=start)
    move(case, "dispatch", w.dispatcher, now=start)
    return move(case, "sign_for", w.handler, now=start)


def _suspend(w, case, asked: dt.datetime, approved: dt.datetime, days: int = 10) -> Case:
    resume_on = asked.astimezone(LOCAL_TZ).date() + dt.timedelta(days=days)
    move(
        case, "request_suspension", w.handler, now=asked, reason="等待井盖到货", resume_on=resume_on
    )
    return move(case, "decide_suspension", w.dispatcher, now=approved, approve=True)


# -- the desk: ask, approve, resume -----------------------------------------------------------


def test_the_unit_asks_the_command_centre_approves_and_the_unit_resumes(
    client, world, django_capture_on_commit_callbacks
):
    w = world
    case = case_in(w, "in_progress")
    due = case.resolve_due
    resume_on = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    client.force_login(w.handler)
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert 'data-testid="action-request_suspension"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("cases:act", args=[case.number, "request_suspension"]),
            {"reason": "等待井盖到货", "resume_on": resume_on, "expected_state": "in_progress"},
        )
    assert response.status_code == 302
    (asked,) = Suspension.objects.filter(case=case)
    assert asked.status == "pending" and asked.resume_on.isoformat() == resume_on
    assert Case.objects.get(pk=case.pk).state == State.IN_PROGRESS  # not until approved
    assert any(t.startswith(zh("Suspension requested")) for t in _titles(w.dispatcher))
    # One request at a time: the form is not offered again while it waits.
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert 'data-testid="action-request_suspension"' not in page

    client.force_login(w.dispatcher)
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert 'data-testid="pending-suspension"' in page and "等待井盖到货" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("cases:act", args=[case.number, "decide_suspension"]),
            {"approve": "1", "expected_state": "in_progress"},
        )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.SUSPENDED
    assert any(
        t.startswith(zh("Suspension approved: the case's clocks are stopped"))
        for t in _titles(w.handler)
    )
    # The badge 挂起 on the case page and in the unit's inbox.
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert 'data-testid="suspended"' in page and 'data-state="suspended"' in page
    client.force_login(w.handler)
    inbox = client.get(reverse("cases:inbox")).content.decode()
    assert case.number in inbox and 'data-state="suspended"' in inbox
    # While suspended there is no resolving, only resuming (and commenting).
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert 'data-testid="action-resume"' in page and 'data-testid="action-resolve"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("cases:act", args=[case.number, "resume"]), {"expected_state": "suspended"}
        )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.IN_PROGRESS and case.resolve_due >= due
    assert Suspension.objects.get(pk=asked.pk).status == "ended"
    assert any(t.startswith(zh("Suspended case resumed")) for t in _titles(w.dispatcher))
    steps = list(case.events.values_list("action", flat=True))
    assert steps[-3:] == ["request_suspension", "decide_suspension", "resume"]


def test_a_refused_suspension_leaves_the_case_in_hand(client, world):
    w = world
    case = case_in(w, "pending_suspension")
    client.force_login(w.dispatcher)
    response = client.post(
        reverse("cases:act", args=[case.number, "decide_suspension"]),
        {"approve": "0", "note": "请继续处理"},
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).state == State.IN_PROGRESS
    assert Suspension.objects.get(case=case).status == "refused"


@pytest.mark.parametrize(
    "step, params",
    [
        ("resolve", {"result": "井盖已更换"}),
        ("return", {"reason": "不属于本单位职责"}),
    ],
)
def test_a_request_nobody_decided_lapses_when_the_case_leaves_the_unit(world, step, params):
    w = world
    case = case_in(w, "pending_suspension")
    move(case, step, w.handler, **params)
    assert Suspension.objects.get(case=case).status == "lapsed"
    case.refresh_from_db()

    assert "decide_suspension" not in inputs.offered(case, w.dispatcher)


def test_a_transferred_case_leaves_its_request_lapsed(world):
    w = world
    case = case_in(w, "pending_suspension")
    move(case, "transfer", w.dispatcher, organisation=w.zjj.pk, reason="属于住建局")
    assert Suspension.objects.get(case=case).status == "lapsed"


def test_the_api_asks_decides_and_resumes(client, world):
    w = world
    case = case_in(w, "dispatched")
    url = f"/api/v1/cases/{case.number}/transitions"
    day = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    client.force_login(w.handler)
    response = client.post(
        url,
        {"action": "request_suspension", "params": {"reason": "雨天无法施工", "resume_on": day}},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    client.force_login(w.dispatcher)
    response = client.post(
        url,
        {"action": "decide_suspension", "params": {"approve": True}},
        content_type="application/json",
    )
    assert response.json()["state"] == "suspended"
    response = client.post(url, {"action": "resume", "params": {}}, content_type="application/json")
    # Back to where it was: dispatched, still to be signed for.
    assert response.status_code == 200 and response.json()["state"] == "dispatched"


BAD = [
    ("no reason", {"reason": " ", "resume_on": "+3"}, "required"),
    ("no date", {"reason": "等待材料"}, "required"),
    ("impossible date", {"reason": "等待材料", "resume_on": "2026-02-30"}, "required"),
    ("not a date", {"reason": "等待材料", "resume_on": "next week"}, "required"),
    ("today", {"reason": "等待材料", "resume_on": "+0"}, "not_later"),
    ("too far", {"reason": "等待材料", "resume_on": "+61"}, "too_far"),
]


def _dated(params: dict) -> dict:
    value = params.get("resume_on", "")
    if value.startswith("+"):
        value = (timezone.localdate() + dt.timedelta(days=int(value[1:]))).isoformat()
        params = {**params, "resume_on": value}
    return params


@pytest.mark.parametrize(("what", "params", "code"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_request_is_refused_and_changes_nothing(client, world, what, params, code):
    w = world
    case = case_in(w, "in_progress")
    client.force_login(w.handler)
    response = client.post(
        f"/api/v1/cases/{case.number}/transitions",
        {"action": "request_suspension", "params": _dated(params)},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["error"] == code
    with translation.override("zh-hans"):
        response = client.post(
            reverse("cases:act", args=[case.number, "request_suspension"]), _dated(params)
        )
    assert response.status_code == 400
    assert f'data-code="{code}"' in response.content.decode()
    assert not Suspension.objects.filter(case=case).exists()
    assert Case.objects.get(pk=case.pk).events.count() == case.events.count()


def test_an_overdue_case_cannot_be_suspended(world):
    w = world
    start = timezone.now() - dt.timedelta(days=30)
    case = _in_hand_at(w, start, unit="hours", value=24)
    from gongzhi.core.errors import ServiceError

    with pytest.raises(ServiceError) as refused:
        move(
            case,
            "request_suspension",
            w.handler,
            reason="等待",
            resume_on=timezone.localdate() + dt.timedelta(days=2),
        )
    assert refused.value.code == "overdue"
    assert not Suspension.objects.filter(case=case).exists()


# -- the clocks -------------------------------------------------------------------------------


def test_a_round_the_clock_deadline_moves_by_exactly_the_time_suspended(world):
    w = world
    start = _local(2026, 12, 7, 10, 0)
    case = _in_hand_at(w, start, unit="hours", value=48)
    assert case.resolve_due == start + dt.timedelta(hours=48)
    _suspend(w, case, start + dt.timedelta(hours=2), start + dt.timedelta(hours=3))
    resumed = move(case, "resume", w.handler, now=start + dt.timedelta(hours=33, minutes=20))
    assert resumed.state == State.IN_PROGRESS
    assert resumed.resolve_due == start + dt.timedelta(hours=48 + 30, minutes=20)


def test_a_working_day_deadline_moves_by_the_working_days_suspended(world):
    w = world
    monday = _local(2026, 12, 7, 10, 0)
    case = _in_hand_at(w, monday, unit="workdays", value=5)
    assert case.resolve_due == _local(2026, 12, 14, 23, 59, 59)  # the 5th working day after
    # Suspended from Friday to Monday: the weekend is not working time, Monday is one day.
    friday = _local(2026, 12, 11, 10, 0)
    _suspend(w, case, friday - dt.timedelta(hours=1), friday)
    resumed = move(case, "resume", w.handler, now=_local(2026, 12, 14, 10, 0))
    assert resumed.resolve_due == _local(2026, 12, 15, 23, 59, 59)
    # Suspended again Tuesday to Friday: three working days more.
    _suspend(w, case, _local(2026, 12, 15, 9, 0), _local(2026, 12, 15, 10, 0))
    resumed = move(case, "resume", w.dispatcher, now=_local(2026, 12, 18, 10, 0))
    assert resumed.resolve_due == _local(2026, 12, 18, 23, 59, 59)


def test_an_office_hours_deadline_moves_by_the_office_time_suspended(world):
    w = world
    monday = _local(2026, 12, 7, 9, 0)
    case = _in_hand_at(w, monday, unit="workhours", value=8)
    assert case.resolve_due == _local(2026, 12, 8, 9, 30)  # 7 h on Monday, 1 h on Tuesday
    # Suspended Monday 16:00 to Tuesday 09:30: 1.5 h of Monday's office time and 1 h Tuesday's.
    _suspend(w, case, _local(2026, 12, 7, 15, 0), _local(2026, 12, 7, 16, 0))
    resumed = move(case, "resume", w.handler, now=_local(2026, 12, 8, 9, 30))
    assert resumed.resolve_due == _local(2026, 12, 8, 12, 0)


def test_the_scan_never_warns_or_marks_overdue_a_suspended_case(
    world, django_capture_on_commit_callbacks
):
    w = world
    start = _local(2026, 12, 7, 10, 0)
    case = _in_hand_at(w, start, unit="hours", value=10)
    _suspend(w, case, start + dt.timedelta(hours=1), start + dt.timedelta(hours=2))
    for later in (9, 11, 200):  # due soon, past due, long past due: all while suspended
        with django_capture_on_commit_callbacks(execute=True):
            counts = deadlines.scan(now=start + dt.timedelta(hours=later))
        assert counts == {"warned": 0, "overdue": 0}
    case.refresh_from_db()
    assert case.state == State.SUSPENDED and not case.is_overdue and case.warned_at is None
    assert not case.events.filter(action__in=["deadline_warning", "overdue"]).exists()
    # Resumed 200 h later, it has the 8 h it had left when it was suspended.
    resumed = move(case, "resume", w.handler, now=start + dt.timedelta(hours=202))
    assert resumed.resolve_due == start + dt.timedelta(hours=210)
    with django_capture_on_commit_callbacks(execute=True):
        assert deadlines.scan(now=start + dt.timedelta(hours=203))["overdue"] == 0
        assert deadlines.scan(now=start + dt.timedelta(hours=211))["overdue"] == 1


def test_the_tick_resumes_a_case_on_its_expected_date(world):
    w = world
    case = case_in(w, "suspended")
    held = Suspension.objects.get(case=case, status="active")
    # Its expected day has come (set back: a request must name a day after today).
    Suspension.objects.filter(pk=held.pk).update(resume_on=timezone.localdate())
    out = io.StringIO()
    call_command("cases", "tick", stdout=out)
    assert json.loads(out.getvalue())["case_suspensions"] == {"resumed": 1}
    case.refresh_from_db()
    assert case.state == State.IN_PROGRESS
    (step,) = case.events.filter(action="resume")
    assert step.actor is None and step.data["automatic"] is True
    # A second tick finds nothing to do.
    out = io.StringIO()
    call_command("cases", "tick", stdout=out)
    assert json.loads(out.getvalue())["case_suspensions"] == {"resumed": 0}


def test_a_case_not_yet_due_to_resume_stays_suspended(world):
    w = world
    case = case_in(w, "suspended")
    out = io.StringIO()
    call_command("cases", "tick", stdout=out)
    assert json.loads(out.getvalue())["case_suspensions"] == {"resumed": 0}
    assert Case.objects.get(pk=case.pk).state == State.SUSPENDED
