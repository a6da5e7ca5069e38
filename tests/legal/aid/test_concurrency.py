"""Two people (or two ticks) acting on one application at the same instant: one wins, the
other is refused and nothing is done twice (PostgreSQL: SQLite serialises its writers)."""

import pytest
from django.db import connection

from gongzhi.core.errors import ServiceError
from gongzhi.legal.aid import deadlines, services
from gongzhi.legal.models import Application, ApplicationEvent
from tests.concurrency import race

from .conftest import at, id_number

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency tests need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]


def test_a_grant_and_a_refusal_at_once_one_wins(transactional_db, aid):
    w = aid
    app = w.apply()
    results, errors = race(
        lambda: services.do_transition(application=app, action="grant", actor=w.director),
        lambda: services.do_transition(
            application=app, action="refuse", actor=w.director, reason="不符合条件"
        ),
    )
    assert sum(e is None for e in errors) == 1
    assert all(isinstance(e, ServiceError) for e in errors if e is not None)
    app = Application.objects.get(pk=app.pk)
    assert app.state in {"granted", "refused"}
    assert (
        ApplicationEvent.objects.filter(application=app, action__in=["grant", "refuse"]).count()
        == 1
    )


def test_two_ticks_lapse_and_warn_once(transactional_db, aid):
    w = aid
    app = w.apply(now=at(2026, 3, 2))
    w.act(app, "request_documents", w.reviewer, now=at(2026, 3, 2), items=["工资条"])
    warned = w.apply(now=at(2026, 3, 2), id_number=id_number(seq="222"))
    results, errors = race(
        lambda: deadlines.tick(now=at(2026, 3, 18, 1)),
        lambda: deadlines.tick(now=at(2026, 3, 18, 1)),
    )
    assert errors == [None, None]
    assert Application.objects.get(pk=app.pk).state == "withdrawn"
    assert ApplicationEvent.objects.filter(application=app, action="lapse").count() == 1
    overdue = ApplicationEvent.objects.filter(application=warned, action="deadline_overdue")
    assert overdue.count() == 1


def test_numbers_stay_unique_when_many_apply_at_once(transactional_db, aid):
    w = aid
    results, errors = race(
        *[(lambda n=n: w.apply(id_number=id_number(seq=f"3{n:02d}"))) for n in range(6)]
    )
    assert errors == [None] * 6
    numbers = [a.number for a in results]
    assert len(set(numbers)) == 6
