"""Each deadline rule on the platform's calendar: 7 working days to decide across 国庆 and
春节 with their 调休 Saturdays and Sundays, the clock paused while documents are awaited, no
answer in time withdrawn, 5 working days for the 司法局, 3 for assigning a lawyer; the tick
warns a working day ahead and escalates once, flagging the application."""

import datetime as dt

import pytest

from gongzhi.core.errors import ServiceError
from gongzhi.core.workdays import LOCAL_TZ
from gongzhi.legal.aid import deadlines, services
from gongzhi.legal.aid.choices import State
from gongzhi.legal.models import Application
from gongzhi.notify.models import Notification

from .conftest import at, photo

pytestmark = pytest.mark.django_db


def end(y, m, d):
    return dt.datetime(y, m, d, 23, 59, 59, tzinfo=LOCAL_TZ)


def fresh(app):
    return Application.objects.get(pk=app.pk)


def told(user, kind):
    return Notification.objects.filter(recipient=user, kind=f"legal.aid.{kind}").count()


@pytest.mark.parametrize(
    "received, due",
    [
        # Fri before 国庆 2025: Sun 9/28 (调休) counts, 10/1–8 do not, Sat 10/11 (调休) counts
        (at(2025, 9, 26), end(2025, 10, 13)),
        # Tue 9/30: 10/9, 10/10, Sat 10/11, 10/13–16
        (at(2025, 9, 30, 17), end(2025, 10, 16)),
        # Thu before 春节 2026: Fri 2/13, Sat 2/14 (调休), 2/24–27, Sat 2/28 (调休)
        (at(2026, 2, 12), end(2026, 2, 28)),
        # received on a holiday: the count starts after it
        (at(2025, 10, 3), end(2025, 10, 16)),  # 10/9, 10/10, Sat 10/11, 10/13–16
        # an ordinary week
        (at(2026, 3, 2), end(2026, 3, 11)),
    ],
)
def test_the_decision_is_due_7_working_days_after_receipt(aid, received, due):
    app = aid.apply(now=received)
    assert app.decision_due == due


def test_time_awaiting_documents_does_not_count(aid):
    w = aid
    app = w.apply(now=at(2025, 9, 22))  # Mon: due Tue 9/30 (Sun 9/28 worked)
    assert app.decision_due == end(2025, 9, 30)
    app = w.act(app, "request_documents", w.reviewer, now=at(2025, 9, 24), items=["欠条"])
    services.do_upload(application=app, actor=w.resident, upload=photo(), now=at(2025, 10, 10, 9))
    app = w.act(fresh(app), "supply_documents", w.resident, now=at(2025, 10, 10, 9, 30))
    # paused 9/25, 9/26, 9/28, 9/29, 9/30, 10/9, 10/10: 7 working days; 9/30 + 7 → 10/16
    assert app.paused_working_days == 7
    assert app.decision_due == end(2025, 10, 16)
    # while paused the tick neither warns nor escalates the decision
    other = w.apply(now=at(2025, 9, 22))
    w.act(other, "request_documents", w.reviewer, now=at(2025, 9, 23), items=["身份证"])
    done = deadlines.tick(now=at(2025, 10, 1))
    assert done["escalated"] == 0 and not fresh(other).overdue


def test_no_answer_in_time_is_a_withdrawal(aid, django_capture_on_commit_callbacks):
    w = aid
    app = w.apply(now=at(2026, 3, 2))
    app = w.act(app, "request_documents", w.reviewer, now=at(2026, 3, 2, 15), items=["工资条"])
    assert app.supplement_due == end(2026, 3, 17)  # 15 days by default
    with django_capture_on_commit_callbacks(execute=True):
        assert deadlines.tick(now=at(2026, 3, 16, 9))["warned"] == 1
    assert told(w.resident, "deadline_warning") == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert deadlines.tick(now=at(2026, 3, 17, 23))["lapsed"] == 0
        assert deadlines.tick(now=at(2026, 3, 18, 0, 5))["lapsed"] == 1
    app = fresh(app)
    assert app.state == State.WITHDRAWN and app.events.last().action == "lapse"
    assert told(w.resident, "lapse") == 1 and told(w.reviewer, "lapse") == 1


def test_the_reviewer_may_give_other_time_to_supply(aid):
    w = aid
    app = w.apply(now=at(2026, 3, 2))
    with pytest.raises(ServiceError) as err:
        w.act(app, "request_documents", w.reviewer, items=["x证明"], days=0)
    assert err.value.field == "days"
    app = w.act(app, "request_documents", w.reviewer, now=at(2026, 3, 2), items=["x证明"], days=5)
    assert app.supplement_due == end(2026, 3, 7)


def test_the_bureau_decides_an_objection_within_5_working_days(aid):
    w = aid
    app = w.act(
        w.apply(now=at(2025, 9, 26)), "refuse", w.director, now=at(2025, 9, 29), reason="不符合条件"
    )
    assert app.objection_window_ends == end(2025, 10, 14)  # 15 days
    app = w.act(app, "object", w.resident, now=at(2025, 9, 30), reason="符合条件")
    assert app.objection_due == end(2025, 10, 14)  # 10/9, 10/10, Sat 10/11, 10/13, 10/14


def test_an_objection_after_its_time_is_refused(aid):
    w = aid
    app = w.act(
        w.apply(now=at(2026, 3, 2)), "refuse", w.director, now=at(2026, 3, 3), reason="不符合条件"
    )
    with pytest.raises(ServiceError) as err:
        w.act(app, "object", w.resident, now=at(2026, 3, 19), reason="迟到的异议")
    assert err.value.code == "too_late" and fresh(app).state == State.REFUSED


def test_a_lawyer_is_assigned_within_3_working_days(aid):
    w = aid
    app = w.act(w.apply(now=at(2026, 2, 11)), "grant", w.director, now=at(2026, 2, 13))
    assert app.assign_due == end(2026, 2, 25)  # Sat 2/14 (调休), 2/24, 2/25


def test_urgent_when_the_matter_deadline_is_under_7_days(aid):
    now = at(2026, 3, 2)
    assert deadlines.is_urgent_matter(dt.date(2026, 3, 8), now)
    assert not deadlines.is_urgent_matter(dt.date(2026, 3, 9), now)
    assert not deadlines.is_urgent_matter(None, now)


def test_the_tick_warns_a_working_day_ahead_then_escalates_once(
    aid, django_capture_on_commit_callbacks
):
    w = aid
    app = w.apply(now=at(2025, 9, 26))  # due Mon 10/13; the day before that is Sat 10/11 (调休)
    with django_capture_on_commit_callbacks(execute=True):
        assert deadlines.tick(now=at(2025, 10, 10, 18))["warned"] == 0
        assert deadlines.tick(now=at(2025, 10, 11, 9))["warned"] == 1
        assert deadlines.tick(now=at(2025, 10, 11, 15))["warned"] == 0
    assert told(w.reviewer, "deadline_warning") == 1 and told(w.director, "deadline_warning") == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert deadlines.tick(now=at(2025, 10, 14, 1))["escalated"] == 1
        assert deadlines.tick(now=at(2025, 10, 15, 1))["escalated"] == 0
    app = fresh(app)
    assert app.overdue
    assert (
        told(w.director, "deadline_overdue") == 1 and told(w.bureau_staff, "deadline_overdue") == 1
    )
    assert told(w.other_reviewer, "deadline_overdue") == 0
    app = w.act(app, "grant", w.director, now=at(2025, 10, 15))
    assert not app.overdue


def test_the_tick_escalates_a_late_assignment_and_a_late_objection(
    aid, django_capture_on_commit_callbacks
):
    w = aid
    granted = w.act(w.apply(now=at(2026, 3, 2)), "grant", w.director, now=at(2026, 3, 3))
    refused = w.act(
        w.apply(now=at(2026, 3, 2)), "refuse", w.director, now=at(2026, 3, 3), reason="不符合"
    )
    objected = w.act(refused, "object", w.resident, now=at(2026, 3, 4), reason="符合")
    assert granted.assign_due == end(2026, 3, 6) and objected.objection_due == end(2026, 3, 11)
    with django_capture_on_commit_callbacks(execute=True):
        done = deadlines.tick(now=at(2026, 3, 12, 8))
    assert done["escalated"] == 2
    assert fresh(granted).overdue and fresh(objected).overdue
    assert told(w.bureau_staff, "deadline_overdue") == 2
