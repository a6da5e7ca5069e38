"""移风易俗 registrations: the heads' names masked for staff; the village's clerk reveals
them with their phones (one audit row per head shown), on the page and in the API; the
village's secretary (a leader) and residents cannot, and a resident never sees another
household's name."""

from __future__ import annotations

import pytest
from django.test import Client

from gongzhi.accounts.masking import mask_name
from gongzhi.core.models import AuditLog
from tests.api import conftest as api_fixtures

from .conftest import register

as_token = api_fixtures.as_token
pytestmark = pytest.mark.django_db


def _as(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def two(cw):
    register(cw.villagers[0], cw.households[0])
    register(cw.villagers[1], cw.households[1], kind="funeral", tables=8, guests=80)
    return cw


def test_the_clerk_reveals_the_registrations_households(two, as_token):
    heads = two.heads[:2]
    clerk = _as(two.clerk)
    page = clerk.get("/community/customs/").content.decode()
    assert 'data-testid="reveal"' in page
    assert all(h.name not in page and mask_name(h.name) in page for h in heads)
    page = clerk.get("/community/customs/?reveal=1").content.decode()
    assert all(h.name in page and h.phone in page for h in heads)
    rows = AuditLog.objects.filter(actor=two.clerk, action="unmask")
    assert sorted(int(r.object_id) for r in rows) == sorted(h.pk for h in heads)
    assert all(r.fields == ["name", "phone"] for r in rows)

    got = as_token(two.clerk).get("/community/customs/ceremonies?reveal=true").json()
    assert all(any(h.name in c["household_name"] for h in heads) for c in got)
    assert AuditLog.objects.filter(actor=two.clerk, action="unmask").count() == 4


def test_a_leader_and_residents_cannot_reveal(two, as_token):
    head = two.heads[1]
    r = _as(two.secretary).get("/community/customs/?reveal=1")
    page = r.content.decode()
    assert r.status_code == 403 and 'data-testid="reveal-refused"' in page
    assert head.name not in page and mask_name(head.name) in page
    r = as_token(two.secretary).get("/community/customs/ceremonies?reveal=true")
    assert r.status_code == 403 and r.json()["error"] == "not_permitted"

    # A resident sees their own registration only, and cannot reveal.
    me = _as(two.villagers[0])
    page = me.get("/community/customs/").content.decode()
    assert head.name not in page and mask_name(head.name) not in page
    r = me.get("/community/customs/?reveal=1")
    assert r.status_code == 403 and head.name not in r.content.decode()
    r = as_token(two.villagers[0]).get("/community/customs/ceremonies?reveal=true")
    assert r.status_code == 403
    # Another village's clerk has nobody here to see.
    r = as_token(two.other_clerk).get("/community/customs/ceremonies?reveal=true")
    assert r.status_code == 200 and r.json() == []
    assert not AuditLog.objects.filter(action="unmask").exists()
    assert AuditLog.objects.filter(action="unmask_denied").count() == 4
