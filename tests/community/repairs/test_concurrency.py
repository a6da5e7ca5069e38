"""Two ticks at once escalate an overdue repair once (PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from gongzhi.cases.models import Case
from gongzhi.community.repairs import services
from tests.concurrency import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency tests need PostgreSQL"
    ),
]


def test_two_ticks_escalate_once(repairs):
    w = repairs
    repair = services.do_request(
        user=w.resident_a, category_id=w.water.pk, description="水管漏水了"
    )
    late = repair.case.sign_for_due + dt.timedelta(minutes=5)
    results, errors = race(
        lambda: services.escalate_overdue(now=late), lambda: services.escalate_overdue(now=late)
    )
    assert errors == [None, None]
    assert sorted(results) == [0, 1]
    case = Case.objects.get(pk=repair.case_id)
    assert case.events.filter(action="escalate").count() == 1
    assert case.events.filter(action="dispatch").count() == 2  # the company's, the community's
    assert case.owner == w.community
