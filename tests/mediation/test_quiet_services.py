"""What the platform does by itself, replayed as history (the demo's year): the watcher's
moves up and performance reminders and a new screening round, dated when they happened
and telling nobody, through the same services the scheduler and the pages use."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from gongzhi.mediation import campaigns, followup, services
from gongzhi.mediation.models import Dispute
from gongzhi.notify.models import Notification

from .conftest import register

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_silent_escalation_is_dated_and_tells_nobody(
    villages, django_capture_on_commit_callbacks
):
    w = villages
    quiet = register(w)
    loud = register(w, region=w.dongguan, actor=w.dongguan_mediator, phone="13900002222")
    later = quiet.level_due + dt.timedelta(minutes=7)
    told = Notification.objects.filter(kind="dispute.escalate", recipient=w.township_mediator)
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.escalate_overdue(
            now=later, tell=False, disputes=Dispute.objects.filter(pk=quiet.pk)
        )
    assert moved == 1 and not told.exists()
    event = Dispute.objects.get(pk=quiet.pk).events.get(action="escalate")
    assert event.at == later and event.data["why"] == "time"
    assert Dispute.objects.get(pk=loud.pk).level == loud.level  # outside the scan
    # The scheduler's own call: every overdue dispute, and the new holder hears of it.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.escalate_overdue(now=later) == 1
    assert told.exists()


def settled(w, due: dt.date):
    m = w.village_mediator
    d = register(w)
    d = services.do_transition(dispute=d, action="accept", actor=m)
    d = services.do_transition(dispute=d, action="start", actor=m, lead=m.pk)
    return services.do_transition(
        dispute=d,
        action="settle",
        actor=m,
        disputed_matters="排水",
        obligations=[{"party": "韩成林", "what": "改建排水沟", "due_on": due.isoformat()}],
    )


def test_a_silent_reminder_claims_the_obligation_and_tells_nobody(villages):
    w = villages
    due = timezone.localdate() + dt.timedelta(days=5)
    d = settled(w, due)
    moment = dt.datetime(due.year, due.month, due.day, 8, tzinfo=SHANGHAI) + dt.timedelta(days=1)
    assert followup.remind_due(now=moment, tell=False, disputes=Dispute.objects.none()) == 0
    assert followup.remind_due(now=moment, tell=False) == 1
    assert d.agreement.obligations.get().reminded_at == moment
    event = d.events.get(action="performance_due")
    assert event.at == moment and not event.effects_pending
    assert not Notification.objects.filter(kind="dispute.performance_due").exists()


def test_a_round_set_silently_tells_no_grid_worker(villages):
    w = villages
    set_at = timezone.now() - dt.timedelta(days=3)
    args = {
        "actor": w.township_leader,
        "region": w.regions.nianbo,
        "starts_on": timezone.localdate(set_at),
        "due_at": set_at + dt.timedelta(days=2),  # already past: valid as of when it was set
    }
    quiet = campaigns.do_create_campaign(title="上月排查", now=set_at, tell=False, **args)
    assert quiet.pk and not Notification.objects.filter(kind="campaign.new").exists()
    loud = campaigns.do_create_campaign(
        title="本月排查", **{**args, "due_at": timezone.now() + dt.timedelta(days=2)}
    )
    told = Notification.objects.filter(kind="campaign.new")
    assert told.exists() and {n.data["campaign"] for n in told} == {loud.pk}
