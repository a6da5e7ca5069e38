"""Intake's follow-up: triage and the notices of a report's automatic steps are done in
batches by the watcher, each case once, after the reporter's request has been answered."""

import json
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.cases.intake import follow_up
from gongzhi.cases.models import Case, ChannelPolicy
from gongzhi.notify import services as notify
from gongzhi.notify.models import Notification
from gongzhi.triage.models import Assessment
from tests.factories import report_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispatching(world):
    """Grid workers' reports are accepted and dispatched on arrival."""
    ChannelPolicy.objects.filter(channel="grid_worker").update(auto_accept=True, auto_dispatch=True)
    return world


def reports(w, n):
    return [
        report_case(
            w, w.manhole, channel="grid_worker", reporter=w.grid_worker, title=f"井盖缺失{i}"
        )
        for i in range(n)
    ]


def test_each_waiting_report_is_assessed_and_its_unit_told_once(dispatching):
    w = dispatching
    cases = reports(w, 3)
    assert follow_up.pending() == 3
    assert not Notification.objects.exists() and not Assessment.objects.exists()

    assert follow_up.run() == 3
    assert follow_up.pending() == 0 and follow_up.run() == 0
    assert set(Assessment.objects.values_list("case_ref", flat=True)) == {c.number for c in cases}
    told = Notification.objects.filter(recipient=w.handler, kind="case.dispatch")
    assert sorted(n.data["case"] for n in told) == sorted(c.number for c in cases)
    # The reporter dispatched nothing and hears nothing of the dispatch.
    assert not Notification.objects.filter(recipient=w.grid_worker).exists()


def test_a_batch_costs_the_same_few_statements_whatever_its_size(dispatching, settings):
    # The active model is looked up at most every TRIAGE_CHECK_SECONDS: once, in the first
    # batch, whatever the clock does while the test runs.
    settings.GONGZHI = {**settings.GONGZHI, "TRIAGE_CHECK_SECONDS": 3600}

    def statements(n):
        reports(dispatching, n)
        with CaptureQueriesContext(connection) as ctx:
            assert follow_up.run() == n
        return len(ctx.captured_queries)

    statements(1)
    assert statements(2) == statements(12)


def test_a_report_that_cannot_be_followed_up_does_not_hold_up_the_others(dispatching, monkeypatch):
    w = dispatching
    bad, *good = reports(w, 3)
    real = notify.notify_each

    def failing(items, **kwargs):
        if any(item.data["case"] == bad.number for item in items):
            raise ValueError("a broken notice")
        return real(items, **kwargs)

    monkeypatch.setattr(notify, "notify_each", failing)
    assert follow_up.run() == 3
    assert follow_up.pending() == 0  # the bad one is let go (and logged), not retried forever
    told = Notification.objects.filter(kind="case.dispatch", recipient=w.handler).values_list(
        "data", flat=True
    )
    assert sorted(d["case"] for d in told) == sorted(c.number for c in good)
    # Its whole transaction was undone: no assessment without its notice.
    assert not Assessment.objects.filter(case_ref=bad.number).exists()


def test_a_unit_that_took_the_case_since_is_not_told_again(dispatching):
    from gongzhi.cases.workflow import table as workflow

    w = dispatching
    (case,) = reports(w, 1)
    workflow.transition(case_id=case.pk, action="return", actor=w.handler, reason="不归我们管")
    workflow.transition(
        case_id=case.pk, action="dispatch", actor=w.dispatcher, organisation=w.community
    )
    follow_up.run()
    # The first unit let it go before the follow-up ran: no stale "dispatched to your unit".
    assert not Notification.objects.filter(recipient=w.handler, kind="case.dispatch").exists()
    assert Assessment.objects.filter(case_ref=case.number).exists()


def test_the_watcher_follows_up_new_reports(dispatching):
    (case,) = reports(dispatching, 1)
    out = StringIO()
    call_command("cases", "watch", "--every", "0.05", "--max-ticks", "2", stdout=out)
    assert not Case.objects.get(pk=case.pk).follow_up_pending
    assert Notification.objects.filter(recipient=dispatching.handler).count() == 1


def test_the_follow_up_command_prints_what_it_did(dispatching):
    reports(dispatching, 2)
    out = StringIO()
    call_command("cases", "follow-up", stdout=out)
    assert json.loads(out.getvalue())["followed_up"] == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="competing watchers need PostgreSQL (set DATABASE_URL): SQLite serialises writers",
)
@pytest.mark.django_db(transaction=True)
def test_two_watchers_at_once_follow_up_each_report_once(shared_world):
    w = shared_world
    ChannelPolicy.objects.filter(channel="grid_worker").update(auto_accept=True, auto_dispatch=True)
    cases = reports(w, 30)
    barrier = threading.Barrier(2)
    done = [0, 0]

    def watcher(i):
        try:
            barrier.wait()
            while n := follow_up.run(limit=5):
                done[i] += n
        finally:
            connection.close()

    threads = [threading.Thread(target=watcher, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sum(done) == 30 and follow_up.pending() == 0
    assert Assessment.objects.count() == 30
    told = Notification.objects.filter(recipient=w.handler, kind="case.dispatch")
    assert sorted(n.data["case"] for n in told) == sorted(c.number for c in cases)


def test_a_lost_database_connection_leaves_the_reports_waiting(dispatching, monkeypatch):
    from django.db import OperationalError

    reports(dispatching, 2)

    def away(items, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(notify, "notify_each", away)
    with pytest.raises(OperationalError):
        follow_up.run()
    assert follow_up.pending() == 2  # not the reports' fault: the next run takes them
    monkeypatch.undo()
    assert follow_up.run() == 2
