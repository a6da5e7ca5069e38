"""Two people acting on the same case at the same moment: exactly one outcome, and a
timeline that says so. Real threads, each with its own database connection, released
together by a barrier — on PostgreSQL, where row locks are what is being tested."""

import pytest
from django.db import connection

from gongzhi.cases.choices import State
from gongzhi.cases.intake import services
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.workflow import table as workflow
from gongzhi.core.errors import NotAllowed, ServiceError
from tests.concurrency import race
from tests.factories import report_case

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrency tests need PostgreSQL: set DATABASE_URL=postgres://… "
        "(SQLite serialises all writers, so there is no race to test)",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def world(shared_world):
    return shared_world


def report(w, **extra):
    return report_case(w, w.manhole, title="井盖丢失", **extra)


def act(case, action, actor, **params):
    return lambda: workflow.transition(case_id=case.pk, action=action, actor=actor, **params)


def test_two_handlers_sign_for_at_once_one_wins(world):
    w = world
    case = report(w)
    workflow.transition(case_id=case.pk, action="accept", actor=w.dispatcher)
    workflow.transition(case_id=case.pk, action="dispatch", actor=w.dispatcher)
    events_before = CaseEvent.objects.filter(case=case).count()
    # A handler and the bureau's head: both may sign for the bureau's cases.
    results, errors = race(act(case, "sign_for", w.handler), act(case, "sign_for", w.cgj_head))
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    (loser,) = [e for e in errors if e is not None]
    assert isinstance(loser, NotAllowed) and loser.code == "not_allowed_in_state"
    case.refresh_from_db()
    assert case.state == State.IN_PROGRESS
    signs = CaseEvent.objects.filter(case=case, action="sign_for")
    assert signs.count() == 1
    assert CaseEvent.objects.filter(case=case).count() == events_before + 1
    assert signs.get().actor_id == winners[0].last_event.actor_id


def test_dispatch_racing_reject_leaves_exactly_one_outcome(world):
    w = world
    for _round in range(3):  # either may win; whoever does, the record is consistent
        case = report(w)
        workflow.transition(case_id=case.pk, action="accept", actor=w.dispatcher)
        results, errors = race(
            act(case, "dispatch", w.dispatcher),
            act(case, "reject", w.city_dispatcher, reason="不属于受理范围"),
        )
        assert sum(r is not None for r in results) == 1
        assert sum(isinstance(e, NotAllowed) for e in errors) == 1
        case.refresh_from_db()
        new = list(
            CaseEvent.objects.filter(case=case, action__in=["dispatch", "reject"]).values_list(
                "action", "to_state"
            )
        )
        assert len(new) == 1
        assert new[0][1] == case.state
        if case.state == State.REJECTED:
            assert case.owner_id is None and case.closed_at is not None
        else:
            assert case.state == State.DISPATCHED and case.owner == w.cgj
            assert case.closed_at is None


def test_a_stale_page_gets_a_conflict_not_a_silent_overwrite(world):
    w = world
    case = report(w)
    workflow.transition(case_id=case.pk, action="accept", actor=w.dispatcher)
    results, errors = race(
        lambda: workflow.transition(
            case_id=case.pk, action="dispatch", actor=w.dispatcher, expected_state="accepted"
        ),
        lambda: workflow.transition(
            case_id=case.pk,
            action="reject",
            actor=w.city_dispatcher,
            expected_state="accepted",
            reason="重复",
        ),
    )
    assert sum(r is not None for r in results) == 1
    (error,) = [e for e in errors if e is not None]
    assert isinstance(error, ServiceError) and error.code == "state_changed"


def test_eight_retries_with_one_key_make_one_case(world):
    w = world

    def submit():
        return services.do_report(
            report=services.Report(
                channel="quick_report",
                title="井盖丢失",
                category_id=w.manhole.pk,
                lng=w.point[0],
                lat=w.point[1],
                idempotency_key="retry-storm-0001",
            ),
            reporter=w.resident,
        )

    results, errors = race(*[submit] * 8)
    assert errors == [None] * 8
    assert len({case.pk for case, _created in results}) == 1
    assert sum(created for _case, created in results) == 1
    assert Case.objects.filter(idempotency_key="retry-storm-0001").count() == 1
    assert CaseEvent.objects.filter(action="report").count() == 1
