"""Two clerks marking the same wedding held at once: one step is taken, the other is
refused, and the household's points are awarded once (PostgreSQL: SQLite serialises its
writers)."""

from __future__ import annotations

import pytest
from django.db import connection

from gongzhi.community.customs import services
from gongzhi.community.models import Ceremony, CeremonyEvent
from gongzhi.core.errors import Conflict
from tests.concurrency import race

from .conftest import register

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_clerks_mark_it_held_at_once(cw, awards):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL; SQLite has one writer")
    c = register(cw.villagers[0], cw.household)

    def hold(actor):
        return lambda: services.do_step(actor=actor, pk=c.pk, action="hold")

    results, errors = race(hold(cw.clerk), hold(cw.secretary))
    assert sum(r is not None for r in results) == 1
    assert [type(e) for e in errors if e is not None] == [Conflict]
    assert Ceremony.objects.get(pk=c.pk).state == "held"
    assert CeremonyEvent.objects.filter(ceremony=c, action="hold").count() == 1
    assert len(awards) == 1
