"""The last place of a shift taken by several volunteers at the same instant: exactly one
sign-up, the rest a clear "full" (PostgreSQL: SQLite serialises its writers)."""

import pytest
from django.db import connection

from gongzhi.community.models import Shift, SignUp
from gongzhi.community.volunteers import services
from gongzhi.core.errors import Conflict
from tests.concurrency import race

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency tests need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]


def test_the_last_place_goes_to_one_volunteer(vol):
    w = vol.w
    people = [vol.approved(u).user for u in w.urban_residents]
    s = vol.shift(capacity=1)
    results, errors = race(*[lambda u=u: services.do_sign_up(user=u, shift=s) for u in people])
    assert sum(e is None for e in errors) == 1
    assert all(isinstance(e, Conflict) and e.code == "full" for e in errors if e is not None)
    assert SignUp.objects.filter(shift=s).count() == 1
    assert Shift.objects.get(pk=s.pk).taken == 1


def test_one_volunteer_twice_at_once_signs_up_once(vol):
    w = vol.w
    a = vol.approved(w.urban_residents[0]).user
    s = vol.shift(capacity=5)
    results, errors = race(*[lambda: services.do_sign_up(user=a, shift=s) for _ in range(3)])
    assert sum(e is None for e in errors) == 1
    assert all(isinstance(e, Conflict) for e in errors if e is not None)
    assert Shift.objects.get(pk=s.pk).taken == 1
