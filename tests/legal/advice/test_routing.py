"""Routing: the village's adviser, else the duty lawyer; the deadline on the working-day
calendar; the lawyer passing a question on; tick's reminders, rerouting and escalation."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.legal.advice import services
from gongzhi.legal.advice.choices import Route
from gongzhi.legal.models import DutyShift, Question, ResidentProfile
from gongzhi.notify.models import Notification

from .conftest import at

TEXT = "老板拖欠我三个月工资一直不给，我该怎么办？"


@pytest.fixture
def act(django_capture_on_commit_callbacks):
    """Call a service and run what it left for after the commit (its notices)."""

    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


def test_a_question_from_a_village_with_an_adviser_goes_to_the_adviser(advice, act):
    w = advice
    q = act(services.do_ask, user=w.resident, text=TEXT, region=w.regions.xiguan)
    assert (q.lawyer, q.route) == (w.adviser, Route.ADVISER)
    # the resident's village is remembered for next time
    assert ResidentProfile.objects.get(user=w.resident).region == w.regions.xiguan
    again = act(services.do_ask, user=w.resident, text=TEXT + "还有加班费")
    assert again.region == w.regions.xiguan and again.lawyer == w.adviser
    assert Notification.objects.filter(recipient=w.adviser, kind="legal.advice_asked").count() == 2


def test_without_an_adviser_the_lawyer_on_duty_today_answers(advice, act):
    w = advice
    q = act(services.do_ask, user=w.resident, text=TEXT, region=w.gaomiao_village)
    assert (q.lawyer, q.route) == (w.lawyer, Route.DUTY)


def test_with_nobody_on_duty_today_a_lawyer_of_the_roster_answers(advice, act):
    w = advice
    DutyShift.objects.filter(lawyer=w.lawyer).delete()
    q = act(services.do_ask, user=w.resident, text=TEXT, region=w.gaomiao_village)
    assert q.lawyer == w.other_lawyer


def test_a_place_no_lawyer_serves_is_refused_with_a_reason(advice, act):
    w = advice
    with pytest.raises(ServiceError) as caught:
        act(services.do_ask, user=w.resident, text=TEXT, region=w.dongcun)
    assert caught.value.code == "no_lawyer" and "12348" in caught.value.message
    assert not Question.objects.exists()


def test_bad_input_changes_nothing(advice, act):
    w = advice
    with pytest.raises(ServiceError) as caught:
        act(services.do_ask, user=w.resident, text="怎么办", region=w.regions.nianbo)
    assert {e.field for e in caught.value.all} == {"text", "region"}
    assert not Question.objects.exists()


def test_the_reply_deadline_is_two_working_days_across_national_day(advice, act):
    w = advice
    # 2025-09-30 (Tue): 10-01..10-08 are holidays; the 2nd working day after is 10-10.
    q = act(
        services.do_ask, user=w.resident, text=TEXT, region=w.regions.xiguan, now=at(2025, 9, 30)
    )
    assert q.due_at.astimezone(at(2025, 1, 1).tzinfo).date() == dt.date(2025, 10, 10)
    # 2025-09-26 (Fri): Sunday 09-28 is a make-up working day (调休), so 09-29 is the 2nd.
    q = act(
        services.do_ask, user=w.resident, text=TEXT, region=w.regions.xiguan, now=at(2025, 9, 26)
    )
    assert q.due_at.astimezone(at(2025, 1, 1).tzinfo).date() == dt.date(2025, 9, 29)


def test_the_lawyer_may_pass_a_question_to_the_duty_lawyer_and_nobody_else_may(advice, act):
    w = advice
    q = act(services.do_ask, user=w.resident, text=TEXT, region=w.regions.xiguan)
    with pytest.raises(NotAllowed):
        act(services.do_pass_to_duty, user=w.resident, question_id=q.pk)
    q = act(services.do_pass_to_duty, user=w.adviser, question_id=q.pk)
    assert (q.lawyer, q.route) == (w.lawyer, Route.PASSED)
    assert Notification.objects.filter(recipient=w.lawyer, kind="legal.advice_passed").exists()


def test_tick_reminds_then_reroutes_then_escalates(advice, act):
    w = advice
    asked = timezone.now() - dt.timedelta(days=30)
    q = act(services.do_ask, user=w.resident, text=TEXT, region=w.regions.xiguan, now=asked)
    # a day before the deadline: the adviser is reminded once
    before = q.due_at - dt.timedelta(hours=12)
    assert act(services.tick, now=before)["reminded"] == 1
    assert act(services.tick, now=before)["reminded"] == 0
    assert Notification.objects.filter(recipient=w.adviser, kind="legal.advice_due").count() == 1
    # overdue: rerouted to the lawyer on duty with a new deadline
    late = q.due_at + dt.timedelta(hours=1)
    assert act(services.tick, now=late)["rerouted"] == 1
    q.refresh_from_db()
    assert (q.lawyer, q.route) == (w.lawyer, Route.OVERDUE) and q.due_at > late
    assert Notification.objects.filter(recipient=w.lawyer, kind="legal.advice_rerouted").exists()
    assert Notification.objects.filter(recipient=w.adviser, kind="legal.advice_rerouted").exists()
    # overdue again: the legal-aid centre's head hears of it, once
    later = q.due_at + dt.timedelta(hours=1)
    assert act(services.tick, now=later)["escalated"] == 1
    assert act(services.tick, now=later)["escalated"] == 0
    assert Notification.objects.filter(recipient=w.director, kind="legal.advice_overdue").exists()


def test_an_answered_question_is_left_alone_by_tick(advice, act):
    w = advice
    q = act(services.do_ask, user=w.resident, text=TEXT, region=w.regions.xiguan)
    act(
        services.do_answer,
        user=w.adviser,
        question_id=q.pk,
        answer="可向劳动监察大队投诉或申请仲裁。",
    )
    assert act(services.tick, now=q.due_at + dt.timedelta(days=3)) == {
        "reminded": 0,
        "rerouted": 0,
        "escalated": 0,
    }
