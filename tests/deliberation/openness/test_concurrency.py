"""Two requests at the same instant (PostgreSQL; SQLite serialises its writers): one
objection per person, one rating per person, budgets never exceeded, a late task noticed
once by two ticks."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from gongzhi.core.errors import ServiceError
from gongzhi.deliberation.choices import MatterState, PublicationKind
from gongzhi.deliberation.models import Implementation, Objection, Rating
from gongzhi.deliberation.openness import jobs, services
from gongzhi.notify.models import Notification
from tests.concurrency import race

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency tests need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]


def test_two_objections_at_once_one_is_kept(transactional_db, hall, matter):
    pub = services.create_publication(
        matter=matter,
        kind=PublicationKind.RESOLUTION,
        params={"text": "同意硬化道路。"},
        actor=hall.clerk,
        now=timezone.now(),
    )
    _, errors = race(
        *[
            (
                lambda: services.do_object(
                    actor=hall.villagers[1], publication=pub, body="我反对这个。"
                )
            )
            for _ in range(3)
        ]
    )
    assert sum(e is None for e in errors) == 1
    assert all(isinstance(e, ServiceError) for e in errors if e is not None)
    assert Objection.objects.count() == 1


def test_two_ratings_at_once_one_is_kept(transactional_db, hall, make_matter):
    done = make_matter(state=MatterState.DONE)
    _, errors = race(
        *[
            (lambda: services.do_rate(actor=hall.villagers[2], matter=done, stars=5))
            for _ in range(3)
        ]
    )
    assert sum(e is None for e in errors) == 1
    assert Rating.objects.count() == 1


def test_budgets_at_once_never_exceed_the_matters(transactional_db, hall, make_matter):
    matter = make_matter(state=MatterState.IMPLEMENTING)
    due = timezone.localdate() + dt.timedelta(days=9)
    _, errors = race(
        *[
            (
                lambda n=n: services.do_add_implementation(
                    actor=hall.clerk,
                    matter=matter,
                    title=f"任务{n}",
                    owner_name="村委会",
                    due_on=due,
                    budget="30000",
                )
            )
            for n in range(3)
        ]
    )
    assert sum(e is None for e in errors) == 1
    assert Implementation.objects.count() == 1


def test_two_ticks_notice_a_late_task_once(transactional_db, hall, make_matter):
    matter = make_matter(state=MatterState.IMPLEMENTING)
    Implementation.objects.create(
        matter=matter,
        region=matter.region,
        title="路面",
        owner_name="村委会",
        due_on=timezone.localdate() - dt.timedelta(days=1),
    )
    now = timezone.now()
    results, errors = race(lambda: jobs.tick(now=now), lambda: jobs.tick(now=now))
    assert errors == [None, None]
    assert sorted(r["late_noticed"] for r in results) == [0, 1]
    told = Notification.objects.filter(kind="deliberation.implementation_late")
    assert told.count() == len(set(told.values_list("recipient_id", flat=True))) == 3
