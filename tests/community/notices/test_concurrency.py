"""Two at once (PostgreSQL: SQLite serialises its writers): two schedulers publish a
notice once, two members of a household read it (one reader) and answer it (one answer),
two clicks remind once."""

from __future__ import annotations

import pytest
from django.db import connection

from gongzhi.community.choices import AnswerKind
from gongzhi.community.jobs import tick
from gongzhi.community.models import NoticeDelivery
from gongzhi.community.notices import services
from gongzhi.notify.models import Notification
from tests.concurrency import race

from .conftest import later, write

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises its writers"),
]


def test_two_ticks_publish_a_scheduled_notice_once(nw):
    notice = write(nw, publish_at=later(minutes=5))
    at = later(minutes=6)
    results, errors = race(lambda: tick(now=at), lambda: tick(now=at))
    assert errors == [None, None]
    assert sorted(r["notices"]["published"] for r in results) == [0, 1]
    assert NoticeDelivery.objects.filter(notice=notice).count() == 12
    assert Notification.objects.filter(kind=services.KIND).count() == 14


def test_a_household_reads_and_answers_once_and_is_reminded_once(nw):
    notice = write(nw, answer_kind=AnswerKind.YES_NO)
    n = notice.number
    results, errors = race(
        lambda: services.do_read(actor=nw.villagers[0], number=n).read_by_id,
        lambda: services.do_read(actor=nw.spouse, number=n).read_by_id,
    )
    assert errors == [None, None] and results[0] == results[1]
    results, errors = race(
        lambda: services.do_answer(actor=nw.villagers[0], number=n, value="yes"),
        lambda: services.do_answer(actor=nw.spouse, number=n, value="no"),
    )
    assert sum(e is None for e in errors) == 1
    assert [e.code for e in errors if e] == ["already_answered"]
    results, errors = race(
        lambda: services.do_remind(actor=nw.clerk, notice=notice),
        lambda: services.do_remind(actor=nw.clerk, notice=notice),
    )
    assert sorted(r for r in results if r is not None) == [11]
    assert [e.code for e in errors if e] == ["already_reminded"]
