"""Late visits: the community is told on the first day late, the township once a visit is
late by the limit; each exactly once, however many times and from however many watchers
the job runs."""

import datetime as dt

import pytest
from django.db import connection

from gongzhi.core import periodic
from gongzhi.notify.models import Notification
from gongzhi.people import visits
from gongzhi.people.models import Visit
from tests.people.visit_fixtures import TODAY, at, visit_world

D = dt.timedelta


@pytest.fixture
def vw(ppl):
    return visit_world(ppl)


def told(user, kind):
    return Notification.objects.filter(recipient=user, kind=kind)


@pytest.mark.django_db
def test_the_community_hears_on_the_first_day_late_once(vw):
    care = vw.enrol(since=TODAY - D(days=7))  # weekly: due today
    visits.plan(now=at(TODAY))
    assert visits.notify_late(now=at(TODAY))["late_noticed"] == 0  # due today is not late
    assert visits.notify_late(now=at(TODAY + D(days=1)))["late_noticed"] == 1
    assert visits.notify_late(now=at(TODAY + D(days=1), 18))["late_noticed"] == 0
    visit = vw.due_visit(care)
    assert visit.late_noticed_at == at(TODAY + D(days=1)) and visit.escalated_at is None
    notice = told(vw.community_officer, "visit.late").get()
    assert "韩*" in notice.body and vw.resident.name not in notice.body
    assert told(vw.grid_worker, "visit.late").count() == 1  # the worker is reminded too
    assert not told(vw.township_leader, "visit.late").exists()


@pytest.mark.django_db
def test_the_township_hears_once_the_visit_is_late_by_the_limit(vw, settings):
    settings.GONGZHI = {**settings.GONGZHI, "PEOPLE_VISIT_ESCALATE_DAYS": 5}
    care = vw.enrol(since=TODAY - D(days=7))
    visits.plan(now=at(TODAY))
    assert visits.notify_late(now=at(TODAY + D(days=5)))["escalated"] == 0
    assert visits.notify_late(now=at(TODAY + D(days=6)))["escalated"] == 1
    assert visits.notify_late(now=at(TODAY + D(days=9)))["escalated"] == 0
    assert vw.due_visit(care).escalated_at == at(TODAY + D(days=6))
    assert told(vw.township_leader, "visit.escalated").count() == 1
    assert told(vw.community_officer, "visit.late").count() == 1


@pytest.mark.django_db
def test_a_visit_made_is_never_late(vw):
    care = vw.enrol(since=TODAY - D(days=7))
    visits.plan(now=at(TODAY))
    done = vw.record(vw.due_visit(care), now=at(TODAY))
    assert visits.notify_late(now=at(TODAY + D(days=7))) == {"late_noticed": 0, "escalated": 0}
    assert not Notification.objects.filter(kind__startswith="visit.").exists()
    # Only the next visit, due a week after this one, can be late.
    assert visits.notify_late(now=at(TODAY + D(days=30))) == {"late_noticed": 1, "escalated": 1}
    done.refresh_from_db()
    assert done.late_noticed_at is None and done.escalated_at is None


@pytest.mark.django_db
def test_a_late_restricted_visit_is_told_to_the_units_that_may_see_it(vw):
    vw.enrol(resident=vw.resident_b, code="community_correction", since=TODAY - D(days=30))
    visits.plan(now=at(TODAY))
    visits.notify_late(now=at(TODAY + D(days=30)))
    assert told(vw.justice_officer, "visit.late").count() == 1
    assert told(vw.police_officer, "visit.late").count() == 1
    for user in (vw.community_officer, vw.grid_worker, vw.grid_b_worker, vw.township_leader):
        assert not Notification.objects.filter(recipient=user).exists()


@pytest.mark.django_db
def test_the_job_runs_with_the_watchers_periodic_jobs(vw):
    # The lead wires visits.tick into periodic in people/apps.py; registered here as it is.
    periodic.register("people.visits", visits.tick)
    care = vw.enrol(since=TODAY - D(days=30))
    done = periodic.run_all(now=at(TODAY))["people.visits"]
    assert done["planned"] == 1 and done["late_noticed"] == 1 and done["escalated"] == 1
    assert vw.due_visit(care).escalated_at is not None
    assert periodic.run_all(now=at(TODAY))["people.visits"]["late_noticed"] == 0


# --- two watchers at once (PostgreSQL) -----------------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrency tests need PostgreSQL (SQLite serialises all writers)",
)
@pytest.mark.django_db(transaction=True)
def test_two_watchers_at_once_tell_and_plan_once(transactional_db):
    from tests.mediation.test_concurrency import race
    from tests.people.conftest import seeded_reference
    from tests.people.factories import CareMembershipFactory, HouseFactory, ResidentFactory
    from tests.world import build

    seeded_reference()
    w = build()
    from gongzhi.people.models import CareGroup

    group = CareGroup.objects.get(code="elderly_alone")
    cares = [
        CareMembershipFactory(
            resident=ResidentFactory(household__house=HouseFactory(grid=w.grid)),
            group=group,
            since=TODAY - D(days=30),
        )
        for _ in range(20)
    ]
    results, errors = race(lambda: visits.plan(now=at(TODAY)), lambda: visits.plan(now=at(TODAY)))
    assert errors == [None, None]
    assert Visit.objects.filter(state="due").count() == len(cares)
    results, errors = race(
        lambda: visits.notify_late(now=at(TODAY)), lambda: visits.notify_late(now=at(TODAY))
    )
    assert errors == [None, None]
    assert sum(r["late_noticed"] for r in results) == len(cares)
    assert sum(r["escalated"] for r in results) == len(cares)
    notices = Notification.objects.filter(recipient=w.grid_worker, kind="visit.late")
    assert sum(len(n.data["visits"]) for n in notices) == len(cares)
