"""The reference rows are edited in the admin; applications are read there, masked, and
never changed there (every step goes through the workflow)."""

from decimal import Decimal

import pytest
from django.test import Client

from gongzhi.legal import jobs
from gongzhi.legal.models import IncomeStandard

from .conftest import at

pytestmark = pytest.mark.django_db


def test_reference_rows_are_edited_and_applications_only_read(aid):
    w = aid
    app = w.apply()
    client = Client()
    client.force_login(w.admin)
    for url in (
        "/admin/legal/aidmattertype/",
        "/admin/legal/exemptionrule/",
        "/admin/legal/incomestandard/",
        "/admin/legal/incomestandard/add/",
        "/admin/legal/application/",
        f"/admin/legal/application/{app.pk}/change/",
    ):
        r = client.get(url)
        assert r.status_code == 200, url
    listing = client.get("/admin/legal/application/").content.decode()
    assert app.number in listing and "马秀兰" not in listing
    r = client.post(
        f"/admin/legal/incomestandard/{w.standard.pk}/change/",
        {"region": w.regions.ledu.pk, "yuan_per_person_month": "1500", "note": "2026年标准"},
    )
    assert r.status_code == 302
    assert IncomeStandard.objects.get().yuan_per_person_month == Decimal("1500")
    assert client.get("/admin/legal/application/add/").status_code == 403


def test_the_legal_tick_runs_the_aid_deadlines(aid):
    w = aid
    w.apply(now=at(2026, 3, 2))
    done = jobs.tick(now=at(2026, 3, 12, 1))
    assert done["aid"] == {"warned": 0, "escalated": 1, "lapsed": 0}
