"""Supports at the same instant (PostgreSQL: SQLite serialises its writers): one support per
person however many taps arrive at once, and the threshold fires once when the last two
households needed support together."""

from __future__ import annotations

import pytest
from django.db import connection

from gongzhi.core.errors import Conflict
from gongzhi.deliberation.choices import TopicState
from gongzhi.deliberation.models import Support, Topic, TopicEvent
from gongzhi.deliberation.topics import services
from tests.concurrency import race

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency tests need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]


def test_six_taps_at_once_make_one_support(tw):
    topic = tw.raise_topic()
    person = tw.villagers[1]
    results, errors = race(
        *[(lambda: services.do_support(actor=person, topic=topic)) for _ in range(6)]
    )
    assert sum(e is None for e in errors) == 1
    assert all(isinstance(e, Conflict) for e in errors if e is not None)
    topic.refresh_from_db()
    assert Support.objects.filter(topic=topic).count() == 1
    assert (topic.supports_count, topic.households_count) == (1, 1)


def test_the_last_two_households_at_once_fire_the_threshold_once(tw):
    tw.rule.households = 2
    tw.rule.save()
    topic = tw.raise_topic()
    tw.support(topic, tw.villagers[1])
    # Threshold 2: one more is enough; three supporters arrive together.
    results, errors = race(
        *[
            (lambda p=p: services.do_support(actor=p, topic=topic))
            for p in (tw.villagers[2], tw.villagers[3], tw.villagers[4])
        ]
    )
    assert errors == [None, None, None]
    topic = Topic.objects.get(pk=topic.pk)
    assert topic.state == TopicState.DUE and topic.households_count == 4
    assert TopicEvent.objects.filter(topic=topic, action="threshold").count() == 1
