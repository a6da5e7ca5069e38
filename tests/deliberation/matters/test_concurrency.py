"""Two people taking the same step of a matter at the same instant: one wins, the other is
refused, and the step is written once (PostgreSQL: SQLite serialises its writers)."""

import pytest
from django.db import connection

from gongzhi.core.errors import ServiceError
from gongzhi.deliberation.matters import services
from gongzhi.deliberation.models import Matter, MatterEvent, MatterStep

from .conftest import deliberate, held, propose

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency tests need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]


def test_two_deliberations_at_once_one_step(hall):
    from tests.concurrency import race

    w = hall
    matter = propose(w)
    results, errors = race(
        lambda: deliberate(w, matter, minutes="两委商议同意。"),
        lambda: services.do_step(
            actor=w.secretary,
            matter=matter,
            action="deliberate",
            outcome="rejected",
            participants="祁书记、韩文书",
            minutes="两委商议不同意。",
        ),
    )
    assert sum(e is None for e in errors) == 1
    assert all(isinstance(e, ServiceError) and e.status == 409 for e in errors if e is not None)
    assert MatterStep.objects.filter(matter=matter, kind="deliberate").count() == 1
    assert MatterEvent.objects.filter(matter=matter, action="deliberate").count() == 1
    assert Matter.objects.get(pk=matter.pk).state in {"deliberated", "failed"}


def test_two_meetings_recorded_at_once_review_it_once(hall):
    from tests.concurrency import race

    w = hall
    matter = deliberate(w, propose(w))
    first, second = held(w, "party", matter), held(w, "party", matter)
    results, errors = race(
        *[
            (
                lambda m=item.meeting: services.do_step(
                    actor=w.clerk, matter=matter, action="review", meeting=m
                )
            )
            for item in (first, second)
        ]
    )
    assert sum(e is None for e in errors) == 1
    assert MatterStep.objects.filter(matter=matter, kind="review").count() == 1
    assert Matter.objects.get(pk=matter.pk).state == "reviewed"


def test_proposals_at_once_get_their_own_numbers(hall):
    from tests.concurrency import race

    w = hall
    results, errors = race(*[(lambda n=n: propose(w, title=f"村务事项{n}")) for n in range(5)])
    assert errors == [None] * 5
    assert len({m.number for m in results}) == 5
