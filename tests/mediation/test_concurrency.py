"""Two schedulers moving overdue disputes up at the same moment: each dispute moves up
exactly once. Real threads, each with its own database connection, released together by
a barrier — on PostgreSQL, where row locks are what is being tested."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from gongzhi.accounts.models import OrganisationKind
from gongzhi.mediation import services
from gongzhi.mediation.choices import Level
from gongzhi.mediation.models import DisputeEvent, DisputeType
from tests.concurrency import race
from tests.factories import OrganisationFactory

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrency tests need PostgreSQL: set DATABASE_URL=postgres://… "
        "(SQLite serialises all writers, so there is no race to test)",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def shared_world(transactional_db):
    """The world committed for real, with the mediation reference rows a transactional
    test's flush removed put back, and a township justice office to move disputes up to."""
    from tests.world import build

    seed = importlib.import_module("gongzhi.mediation.migrations.0002_seed_reference").seed
    seed(apps, None)
    w = build()
    w.justice = OrganisationFactory(
        kind=OrganisationKind.JUSTICE_OFFICE, name="碾伯司法所", regions=[w.regions.nianbo]
    )
    return w


TYPES = ["neighbour", "marriage_family", "homestead", "consumer", "contract_debt", "traffic"]


def register(w, n):
    """A dispute in the village: its own type and parties, so no repeat (a repeat is
    serious, and would start above the village)."""
    return services.do_register(
        data=services.DisputeIn(
            title="邻里排水纠纷",
            type_id=DisputeType.objects.get(code=TYPES[n]).pk,
            facts="两家因院墙排水问题发生争执",
            source="screening",
            grid_id=w.grid.pk,
            parties=[
                services.PartyIn(side="applicant", name=f"马福贵{n}", phone=f"139000{n:05d}"),
                services.PartyIn(side="respondent", name=f"韩成林{n}"),
            ],
        ),
        actor=w.grid_worker,
    )


def test_two_schedulers_escalate_an_overdue_dispute_once(shared_world):
    w = shared_world
    d = register(w, 1)
    assert d.level == Level.VILLAGE
    later = timezone.now() + timedelta(days=31)
    for _round in range(3):  # whichever wins, the dispute moves up once
        results, errors = race(
            lambda: services.escalate_overdue(now=later),
            lambda: services.escalate_overdue(now=later),
        )
        assert errors == [None, None]
        if _round == 0:
            assert sorted(results) == [0, 1]
        else:
            assert results == [0, 0]  # already moved: its new deadline is 30 days on
    d.refresh_from_db()
    assert (d.level, d.holder) == (Level.TOWNSHIP, w.justice)
    assert DisputeEvent.objects.filter(dispute=d, action="escalate").count() == 1


def test_many_overdue_disputes_each_move_up_once(shared_world):
    w = shared_world
    village = [register(w, n) for n in range(len(TYPES))]
    assert {d.level for d in village} == {Level.VILLAGE}
    later = timezone.now() + timedelta(days=31)
    results, errors = race(*[lambda: services.escalate_overdue(now=later)] * 4)
    assert errors == [None] * 4
    assert sum(results) == len(village)
    for d in village:
        assert DisputeEvent.objects.filter(dispute=d, action="escalate").count() == 1
