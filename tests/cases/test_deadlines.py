"""The deadline scan under time control: ``scan(now=...)`` is told what time it is.

It must never miss a case (a case past due is found however many scans were skipped) and
never notify twice (a second scan, or a concurrent one, sends nothing new).
"""

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from gongzhi.cases.choices import State
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.tasks import scan_deadlines
from gongzhi.cases.workflow import deadlines
from gongzhi.core.errors import ServiceError
from gongzhi.notify.models import Notification
from tests.concurrency import race
from tests.factories import move as act
from tests.factories import report_case

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent scans need PostgreSQL (set DATABASE_URL); SQLite serialises writers",
)


def dispatched(w, **overrides) -> Case:
    overrides = {"title": "路面坑洼", "description": "西关路路面坑洼", **overrides}
    case = report_case(w, w.pothole, **overrides)
    act(case, "accept", w.dispatcher)
    return act(case, "dispatch", w.dispatcher)


def scan(now, capture) -> dict:
    with capture(execute=True):
        return deadlines.scan(now=now)


def notices(case, action) -> int:
    return CaseEvent.objects.filter(case=case, action=action).count()


def sent(kind) -> int:
    return Notification.objects.filter(kind=f"case.{kind}").count()


def test_a_case_past_due_is_found_even_when_every_earlier_scan_was_skipped(
    world, django_capture_on_commit_callbacks
):
    case = dispatched(world)
    long_after = case.resolve_due + timedelta(days=30)
    assert scan(long_after, django_capture_on_commit_callbacks) == {"warned": 0, "overdue": 1}
    case.refresh_from_db()
    assert case.is_overdue and case.overdue_notified_at == long_after
    assert notices(case, "overdue") == 1
    # The unit (handler and head) and the command centre hear of it.
    recipients = set(
        Notification.objects.filter(kind="case.overdue").values_list("recipient", flat=True)
    )
    assert recipients == {world.handler.pk, world.cgj_head.pk, world.dispatcher.pk}


def test_two_scans_send_one_warning_and_one_overdue_notice(
    world, django_capture_on_commit_callbacks
):
    case = act(dispatched(world), "sign_for", world.handler)
    window = max((case.resolve_due - case.dispatched_at) * deadlines.WARN_SHARE, deadlines.WARN_MIN)
    soon = case.resolve_due - window / 2
    assert scan(soon, django_capture_on_commit_callbacks) == {"warned": 1, "overdue": 0}
    assert scan(soon, django_capture_on_commit_callbacks) == {"warned": 0, "overdue": 0}
    late = case.resolve_due + timedelta(minutes=1)
    assert scan(late, django_capture_on_commit_callbacks) == {"warned": 0, "overdue": 1}
    assert scan(late + timedelta(hours=5), django_capture_on_commit_callbacks) == {
        "warned": 0,
        "overdue": 0,
    }
    assert (notices(case, "deadline_warning"), notices(case, "overdue")) == (1, 1)
    # One message per person per notice: handler and head are warned; the command centre
    # also hears of the overdue case.
    assert sent("deadline_warning") == 2
    assert sent("overdue") == 3


def test_warning_comes_first_then_overdue(world, django_capture_on_commit_callbacks):
    case = act(dispatched(world), "sign_for", world.handler)
    scan(case.resolve_due - timedelta(minutes=30), django_capture_on_commit_callbacks)
    scan(case.resolve_due + timedelta(minutes=30), django_capture_on_commit_callbacks)
    actions = list(
        case.events.filter(action__in=["deadline_warning", "overdue"]).values_list(
            "action", flat=True
        )
    )
    assert actions == ["deadline_warning", "overdue"]
    events = {e.action: e for e in case.events.filter(action__in=["deadline_warning", "overdue"])}
    assert not events["overdue"].is_public  # internal: the reporter's timeline stays calm


def test_an_extension_asked_in_time_and_approved_late_clears_overdue(
    world, django_capture_on_commit_callbacks
):
    w = world
    case = act(dispatched(w), "sign_for", w.handler)
    old_due = case.resolve_due
    new_due = old_due + timedelta(days=10)
    act(case, "request_extension", w.handler, new_due=new_due, reason="需协调供水部门")
    # The command centre decides only after the old deadline has passed.
    assert scan(old_due + timedelta(minutes=1), django_capture_on_commit_callbacks)["overdue"] == 1
    case = act(case, "decide_extension", w.dispatcher, approve=True)
    assert case.resolve_due == new_due
    assert not case.is_overdue and case.overdue_notified_at is None and case.warned_at is None
    # Past the old deadline but well before the new one: nothing to say.
    assert scan(old_due + timedelta(hours=1), django_capture_on_commit_callbacks) == {
        "warned": 0,
        "overdue": 0,
    }
    # Past the new deadline: overdue again, one new notice.
    assert scan(new_due + timedelta(minutes=1), django_capture_on_commit_callbacks)["overdue"] == 1
    assert notices(case, "overdue") == 2


def test_a_denied_extension_leaves_the_case_overdue(world, django_capture_on_commit_callbacks):
    w = world
    case = act(dispatched(w), "sign_for", w.handler)
    act(
        case,
        "request_extension",
        w.handler,
        new_due=case.resolve_due + timedelta(days=3),
        reason="配件未到",
    )
    scan(case.resolve_due + timedelta(minutes=1), django_capture_on_commit_callbacks)
    case = act(case, "decide_extension", w.dispatcher, approve=False)
    assert case.is_overdue


def test_lateness_cannot_be_undone_by_an_extension_asked_after_the_deadline(
    world, django_capture_on_commit_callbacks
):
    w = world
    case = act(dispatched(w), "sign_for", w.handler)
    scan(case.resolve_due + timedelta(minutes=1), django_capture_on_commit_callbacks)
    with pytest.raises(ServiceError) as refused:
        act(
            case,
            "request_extension",
            w.handler,
            new_due=case.resolve_due + timedelta(days=3),
            reason="来不及了",
        )
    assert refused.value.code == "overdue"
    case.refresh_from_db()
    assert case.is_overdue and not case.extension_requests.exists()


def test_an_extension_is_at_most_thirty_days(world, settings):
    w = world
    case = act(dispatched(w), "sign_for", w.handler)
    with pytest.raises(ServiceError) as refused:
        act(
            case,
            "request_extension",
            w.handler,
            new_due=case.resolve_due + timedelta(days=31),
            reason="工程量大",
        )
    assert refused.value.code == "too_far" and "30" in refused.value.message
    act(
        case,
        "request_extension",
        w.handler,
        new_due=case.resolve_due + timedelta(days=30),
        reason="工程量大",
    )
    assert case.extension_requests.count() == 1


def test_sign_for_overdue_is_separate_from_resolve_overdue(
    world, django_capture_on_commit_callbacks
):
    w = world
    case = dispatched(w)
    # Time control by data: the unit has let the sign-for deadline pass.
    Case.objects.filter(pk=case.pk).update(sign_for_due=timezone.now() - timedelta(minutes=5))
    assert scan(None, django_capture_on_commit_callbacks) == {"warned": 0, "overdue": 1}
    case = act(case, "sign_for", w.handler)
    assert case.sign_for_met is False  # missed, and recorded as missed
    # Signing for settles the sign-for notice; the resolve deadline is still ahead.
    assert not case.is_overdue and case.overdue_notified_at is None
    assert scan(None, django_capture_on_commit_callbacks) == {"warned": 0, "overdue": 0}
    # The resolve deadline gets a notice of its own.
    late = case.resolve_due + timedelta(minutes=1)
    assert scan(late, django_capture_on_commit_callbacks) == {"warned": 0, "overdue": 1}
    assert notices(case, "overdue") == 2


def test_a_case_signed_for_in_time_is_not_overdue_at_its_sign_for_deadline(
    world, django_capture_on_commit_callbacks
):
    case = act(dispatched(world), "sign_for", world.handler)
    assert case.sign_for_met
    after_sign_for_due = case.sign_for_due + timedelta(minutes=1)
    assert scan(after_sign_for_due, django_capture_on_commit_callbacks)["overdue"] == 0


def test_closed_and_resolved_cases_are_never_overdue(world, django_capture_on_commit_callbacks):
    w = world
    case = act(dispatched(w), "sign_for", w.handler)
    case = act(case, "resolve", w.handler, result="已修补")
    assert case.state == State.RESOLVED
    assert scan(case.resolve_due + timedelta(days=3), django_capture_on_commit_callbacks) == {
        "warned": 0,
        "overdue": 0,
    }


def test_supervision_reaches_the_units_leader(world, django_capture_on_commit_callbacks):
    w = world
    case = dispatched(w)
    with django_capture_on_commit_callbacks(execute=True):
        case = act(case, "supervise", w.dispatcher, note="请加快办理")
    assert case.supervision_count == 1
    to_head = Notification.objects.filter(recipient=w.cgj_head, kind="case.supervise")
    assert to_head.count() == 1
    assert case.number in to_head.get().title
    assert not Notification.objects.filter(recipient=w.other_handler).exists()


def test_tick_prints_the_counts_as_json(world):
    case = dispatched(world)
    Case.objects.filter(pk=case.pk).update(resolve_due=timezone.now() - timedelta(minutes=1))
    out = io.StringIO()
    call_command("cases", "tick", stdout=out)
    result = json.loads(out.getvalue())
    assert (result["warned"], result["overdue"]) == (0, 1)
    out = io.StringIO()
    call_command("cases", "tick", stdout=out)
    assert json.loads(out.getvalue())["overdue"] == 0


def test_watch_scans_on_a_timer_and_stops(world):
    case = dispatched(world)
    Case.objects.filter(pk=case.pk).update(resolve_due=timezone.now() - timedelta(minutes=1))
    out = io.StringIO()
    call_command("cases", "watch", "--every", "0.05", "--max-ticks", "3", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines() if line.startswith("{")]
    assert [line["overdue"] for line in lines] == [1]  # printed only when something happened
    assert notices(case, "overdue") == 1


def test_the_task_runs_one_scan(world):
    case = dispatched(world)
    Case.objects.filter(pk=case.pk).update(resolve_due=timezone.now() - timedelta(minutes=1))
    assert scan_deadlines.call() == {"warned": 0, "overdue": 1}
    assert scan_deadlines.call() == {"warned": 0, "overdue": 0}


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_scans_notify_once(shared_world):
    w = shared_world
    cases = [dispatched(w) for _ in range(5)]
    late = max(c.resolve_due for c in cases) + timedelta(minutes=1)
    results, errors = race(*[lambda: deadlines.scan(now=late)] * 4)
    assert errors == [None] * 4
    assert sum(r["overdue"] for r in results) == 5
    for case in cases:
        assert notices(case, "overdue") == 1
    # Each notice reached its three people once, whichever scan claimed it.
    assert sent("overdue") == 5 * 3
