"""After a settlement: once an obligation's date has passed, its mediator is asked to check
it, exactly once however often the watcher ticks; and the tick moves overdue disputes up."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.models import Role
from gongzhi.mediation import followup, levels, services
from gongzhi.mediation.models import DisputeType, Obligation
from gongzhi.notify.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def med(world):
    w = world
    w.mediator = UserFactory(organisation=w.community, role=Role.MEDIATOR)
    w.helper = UserFactory(organisation=w.community, role=Role.MEDIATOR)
    return w


def register(w):
    return services.do_register(
        data=services.DisputeIn(
            title="土地流转租金纠纷",
            type_id=DisputeType.objects.get(code="neighbour").pk,
            facts="承包方拖欠两年流转租金",
            source="walk_in",
            grid_id=w.grid.pk,
            parties=[
                services.PartyIn(side="applicant", name="马福贵"),
                services.PartyIn(side="respondent", name="韩成林"),
            ],
        ),
        actor=w.grid_worker,
    )


def settle(w, *due_on: dt.date):
    d = register(w)
    d = services.do_transition(dispute=d, action="accept", actor=w.mediator)
    d = services.do_transition(
        dispute=d, action="start", actor=w.mediator, lead=w.mediator.pk, helpers=[w.helper.pk]
    )
    return services.do_transition(
        dispute=d,
        action="settle",
        actor=w.mediator,
        disputed_matters="拖欠流转租金",
        obligations=[
            {"party": "韩成林", "what": f"支付第{n}期租金", "due_on": day.isoformat()}
            for n, day in enumerate(due_on, start=1)
        ],
    )


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def reminders(user):
    return Notification.objects.filter(recipient=user, kind="dispute.performance_due")


def test_a_due_obligation_reminds_its_mediator_exactly_once(med):
    due = timezone.localdate() + dt.timedelta(days=10)
    d = settle(med, due)
    # Not before its date has passed: the last minute of the day is still in time.
    assert followup.remind_due(now=at(due, 23, 59)) == 0
    assert not reminders(med.mediator).exists()
    assert followup.remind_due(now=at(due + dt.timedelta(days=1), 0, 5)) == 1
    assert followup.remind_due(now=at(due + dt.timedelta(days=2), 9)) == 0
    (notice,) = reminders(med.mediator)
    assert notice.link == reverse("mediation:detail", args=[d.number])
    assert d.number in notice.title and "支付第1期租金" in notice.body
    # The lead mediator is asked; the helper is not.
    assert not reminders(med.helper).exists()
    obligation = d.agreement.obligations.get()
    assert obligation.reminded_at == at(due + dt.timedelta(days=1), 0, 5)
    event = d.events.get(action="performance_due")
    assert not event.is_public and event.data["obligations"] == [obligation.pk]


def test_each_obligation_is_reminded_when_its_own_date_passes(med):
    first = timezone.localdate() + dt.timedelta(days=5)
    second = first + dt.timedelta(days=30)
    settle(med, first, second)
    assert followup.remind_due(now=at(first + dt.timedelta(days=1), 8)) == 1
    assert followup.remind_due(now=at(second + dt.timedelta(days=1), 8)) == 1
    assert reminders(med.mediator).count() == 2


def test_a_checked_obligation_is_not_reminded(med):
    due = timezone.localdate() + dt.timedelta(days=3)
    d = settle(med, due)
    d.agreement.obligations.update(status=Obligation.Status.PERFORMED)
    assert followup.remind_due(now=at(due + dt.timedelta(days=1), 8)) == 0
    assert not reminders(med.mediator).exists()


def test_tick_moves_an_overdue_dispute_up_once_and_reminds(med):
    due = timezone.localdate() + dt.timedelta(days=2)
    settle(med, due)
    stuck = register(med)  # registered at the lowest level that may hold it, and left there
    started = stuck.level
    later = timezone.now() + dt.timedelta(days=31)
    assert followup.tick(now=later) == {
        "escalated": 1,
        "performance_reminded": 1,
        "screening_reminded": 0,
    }
    assert followup.tick(now=later + dt.timedelta(hours=1)) == {
        "escalated": 0,
        "performance_reminded": 0,
        "screening_reminded": 0,
    }
    stuck.refresh_from_db()
    assert stuck.level == levels.levels_above(started)[0]
    assert stuck.events.filter(action="escalate").count() == 1
