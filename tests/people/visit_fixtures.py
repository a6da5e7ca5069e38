"""The visits' test world: the people world (``ppl``) with the houses placed on the map, a
township leader to escalate to, and helpers to enrol a resident and record a visit. Each
test module declares its fixture from it (conftest.py is shared, so left alone):

    @pytest.fixture
    def vw(ppl):
        return visit_world(ppl)
"""

import datetime as dt

from django.utils import timezone

from gongzhi.accounts.models import Role
from gongzhi.people import visits
from gongzhi.people.models import Visit
from tests.factories import UserFactory
from tests.people.factories import CareMembershipFactory

TODAY = dt.date(2025, 3, 10)
# Noon in the project's time zone: ``timezone.localdate(NOW)`` is TODAY.
NOW = timezone.make_aware(dt.datetime(2025, 3, 10, 12, 0))


def at(day: dt.date, hour: int = 12):
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


def visit_world(ppl):
    w = ppl
    w.house.lng, w.house.lat = w.point
    w.house.save()
    w.house_b.lng, w.house_b.lat = 102.415, 36.47
    w.house_b.save()
    w.township_leader = UserFactory(
        username="zhen", display_name="马镇长", organisation=w.township, role=Role.LEADER
    )

    def enrol(resident=None, code="elderly_alone", since=TODAY - dt.timedelta(days=3), **kw):
        return CareMembershipFactory(
            resident=resident or w.resident, group=w.group(code), since=since, **kw
        )

    def due_visit(membership):
        return Visit.objects.get(membership=membership, state="due")

    def record(visit, actor=None, *, point=None, needs="", now=NOW, **kw):
        lng, lat = point or w.point
        return visits.do_record_visit(
            visit=visit,
            actor=actor or w.grid_worker,
            findings=kw.pop("findings", "老人身体尚可，家中整洁"),
            needs=needs,
            lng=lng,
            lat=lat,
            now=now,
            **kw,
        )

    w.enrol, w.due_visit, w.record = enrol, due_visit, record
    return w
