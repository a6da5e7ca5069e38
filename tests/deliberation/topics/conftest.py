"""The topics room's test helpers, on the hall's world (``tests/deliberation/conftest.py``):
a village rule of 3 households (12 households × 5 % would make one enough), raising a topic
as a villager, a meeting of the village to put it on, and a photo."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gongzhi.deliberation.choices import MeetingKind, MeetingState
from gongzhi.deliberation.models import Meeting, MeetingRule, TopicRule
from gongzhi.deliberation.topics import services

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at(*args) -> dt.datetime:
    """A moment in Beijing time."""
    return dt.datetime(*args, tzinfo=SHANGHAI)


def a_photo(name="lamp.jpg", colour=(90, 90, 100)) -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def tw(hall, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    w = hall
    w.rule = TopicRule.objects.create(
        code="dagucheng",
        name="大古城村：3户联名",
        region=w.village,
        households=3,
        percent=Decimal("50"),
        answer_days=5,
    )

    def raise_topic(actor=None, *, title="村口路灯坏了", now=None, **extra):
        fields = {"body": "村口的三盏路灯坏了一个月，晚上出行不安全。", **extra}
        return services.do_raise(actor=actor or w.villagers[0], title=title, now=now, **fields)

    def meeting(*, state=MeetingState.SCHEDULED, region=None, starts=None):
        rule = MeetingRule.objects.get(code="village-reps")
        return Meeting.objects.create(
            number=f"YH-T-{secrets.token_hex(3)}",
            kind=MeetingKind.VILLAGE_REPRESENTATIVES,
            rule=rule,
            title="村民代表会议",
            place="村委会议室",
            starts_at=starts or timezone.now() + dt.timedelta(days=7),
            state=state,
            region=region or w.village,
            sign_in_token=secrets.token_urlsafe(16),
        )

    def support(topic, *people):
        for person in people:
            topic = services.do_support(actor=person, topic=topic)
        return topic

    w.raise_topic, w.meeting, w.support = raise_topic, meeting, support
    return w
