"""The core workflow engine, through the case table declared on it: the next state comes
from the table, and a step's notices are sent exactly once even when the process that took
it dies between its commit and the sending."""

from datetime import timedelta

import pytest

from gongzhi.cases.choices import State
from gongzhi.cases.intake import follow_up
from gongzhi.cases.models import CaseEvent
from gongzhi.cases.workflow import table
from gongzhi.core.workflow import Outcome, Rule, rule
from gongzhi.notify.models import Notification
from tests.cases.test_permissions import case_in, move, report

pytestmark = pytest.mark.django_db


def told(user, kind):
    return Notification.objects.filter(recipient=user, kind=kind).count()


def test_a_step_whose_sender_died_is_sent_by_the_sweep_exactly_once(
    world, django_capture_on_commit_callbacks
):
    w = world
    case = report(w)
    follow_up.run()  # intake's follow-up sends the report's own steps
    with django_capture_on_commit_callbacks(execute=True):
        move(case, "accept", w.dispatcher)
    # The step commits, and the process dies before its after-commit work runs.
    with django_capture_on_commit_callbacks(execute=False) as lost:
        move(case, "dispatch", w.dispatcher)
    assert lost, "the step queued its notices for after the commit"
    event = CaseEvent.objects.get(case=case, action="dispatch")
    assert event.effects_pending
    assert told(w.handler, "case.dispatch") == 0

    # A young entry is left to the process that wrote it; an old one is swept.
    assert table.FLOW.sweep() == 0
    assert table.FLOW.sweep(older_than=timedelta(0)) == 1
    assert told(w.handler, "case.dispatch") == 1
    event.refresh_from_db()
    assert not event.effects_pending

    # Neither another sweep nor the late after-commit call sends it again.
    assert table.FLOW.sweep(older_than=timedelta(0)) == 0
    for call in lost:
        call()
    assert told(w.handler, "case.dispatch") == 1


def test_a_step_is_told_after_its_commit_and_marked_sent(world, django_capture_on_commit_callbacks):
    w = world
    case = case_in(w, "accepted")
    with django_capture_on_commit_callbacks(execute=True):
        move(case, "dispatch", w.dispatcher)
    assert told(w.handler, "case.dispatch") == 1
    assert not CaseEvent.objects.get(case=case, action="dispatch").effects_pending


@pytest.mark.parametrize(
    ("satisfaction", "reopen", "state"),
    [
        ("satisfied", None, State.CLOSED),
        ("unsatisfied", None, State.REOPENED),
        ("unsatisfied", False, State.CLOSED),  # the operator may keep it closed
    ],
)
def test_the_callbacks_next_state_is_the_tables(world, satisfaction, reopen, state):
    w = world
    assert table.RULES["callback"].target == {"kept": None, "reopen": State.REOPENED}
    case = case_in(w, "closed")
    params = {"resolved": satisfaction == "satisfied", "satisfaction": satisfaction}
    if reopen is not None:
        params["reopen"] = reopen
    case = move(case, "callback", w.resident, **params)
    assert case.state == state
    event = case.events.get(action="callback")
    assert (event.from_state, event.to_state) == (State.CLOSED, state)


def test_a_handler_cannot_choose_a_state_the_table_does_not_name():
    branching = rule("x", {"a"}, {"yes": "b", "no": None}, [], lambda **kw: Outcome())
    assert branching.next_state("yes", "a") == "b"
    assert branching.next_state("no", "a") == "a"
    with pytest.raises(RuntimeError):
        branching.next_state("maybe", "a")
    single = Rule("y", frozenset({"a"}), "b", (), lambda **kw: Outcome())
    with pytest.raises(RuntimeError):
        single.next_state("yes", "a")


def test_every_timeline_entry_comes_from_the_engine(world, django_capture_on_commit_callbacks):
    """A merge writes the target's entry, the deadline scan its warnings: both through the
    engine, so they are sent after the commit like every step."""
    from django.utils import timezone

    from gongzhi.cases.workflow import deadlines

    w = world
    first, second = report(w), report(w)
    with django_capture_on_commit_callbacks(execute=True):
        move(second, "merge", w.dispatcher, into=first)
    merged_in = CaseEvent.objects.get(case=first, action="merged_in")
    assert merged_in.data == {"case": second.number} and not merged_in.effects_pending

    case = case_in(w, "in_progress")
    with django_capture_on_commit_callbacks(execute=True):
        deadlines.scan(now=timezone.now() + timedelta(days=365))
    overdue = CaseEvent.objects.get(case=case, action="overdue")
    assert not overdue.effects_pending
    assert told(w.handler, "case.overdue") == 1
