"""The tick: the committee is reminded once when a notice is due, and told once when a
voting window has ended; votes after it are refused."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.errors import Conflict
from gongzhi.deliberation.meetings import jobs, services
from gongzhi.deliberation.models import MeetingEvent
from gongzhi.notify.models import Notification

pytestmark = pytest.mark.django_db


def test_notice_reminder_once_on_its_day(hall, django_capture_on_commit_callbacks):
    now = timezone.now()
    meeting = services.do_schedule(
        actor=hall.clerk,
        region=hall.village,
        kind="village_assembly",
        title="村规民约",
        place="村委会",
        starts_at=now + dt.timedelta(days=20),
        now=now,
    )
    assert jobs.tick(now=now)["notice_due"] == 0  # ten days early: not yet
    day = now + dt.timedelta(days=9, hours=12)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.tick(now=day)["notice_due"] == 1
    assert jobs.tick(now=day)["notice_due"] == 0
    assert MeetingEvent.objects.filter(meeting=meeting, action="notice_due").count() == 1
    assert (
        Notification.objects.filter(
            recipient=hall.secretary, kind="deliberation.meeting_notice_due"
        ).count()
        == 1
    )


def test_voting_window_end_told_once_and_votes_refused(
    meet, hall, django_capture_on_commit_callbacks
):
    meeting = meet.voting()
    item = meeting.items.get()
    after = meeting.voting_closes_at + dt.timedelta(minutes=1)
    assert jobs.tick(now=meeting.voting_closes_at - dt.timedelta(minutes=1))["voting_ended"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.tick(now=after)["voting_ended"] == 1
    assert jobs.tick(now=after)["voting_ended"] == 0
    with pytest.raises(Conflict):
        services.do_vote(actor=hall.villagers[0], item=item, choice="for", now=after)
    assert Notification.objects.filter(
        recipient=hall.secretary, kind="deliberation.meeting_voting_ended"
    ).exists()
