"""The points desk's households and the staff's entries API: names and phones masked; the
village's clerk reveals them (one audit row per head shown); the village's secretary (a
leader), staff elsewhere and residents cannot."""

from __future__ import annotations

import pytest
from django.test import Client

from gongzhi.accounts.masking import mask_mobile, mask_name
from gongzhi.core.models import AuditLog
from tests.api import conftest as api_fixtures

as_token = api_fixtures.as_token
pytestmark = pytest.mark.django_db


def _as(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_clerk_reveals_the_desks_households_each_audited(pw):
    url = f"/community/points/desk/{pw.village.pk}/"
    clerk = _as(pw.clerk)
    page = clerk.get(url).content.decode()
    assert 'data-testid="reveal"' in page
    assert pw.heads[3].name not in page and mask_name(pw.heads[3].name) in page
    assert mask_mobile(pw.heads[3].phone) in page and pw.heads[3].phone not in page
    assert not AuditLog.objects.filter(action="unmask").exists()

    r = clerk.get(url + "?reveal=1")
    page = r.content.decode()
    assert r.status_code == 200 and "no-store" in r.headers["Cache-Control"]
    for head in pw.heads:
        assert head.name in page and f'href="tel:{head.phone}"' in page
    rows = AuditLog.objects.filter(actor=pw.clerk, action="unmask")
    assert sorted(int(r.object_id) for r in rows) == sorted(h.pk for h in pw.heads)
    assert all(r.fields == ["name", "phone"] and "points desk" in r.reason for r in rows)


def test_the_secretary_staff_elsewhere_and_residents_cannot_reveal(pw):
    url = f"/community/points/desk/{pw.village.pk}/"
    secretary = _as(pw.secretary)
    assert 'data-testid="reveal"' not in secretary.get(url).content.decode()
    r = secretary.get(url + "?reveal=1")
    page = r.content.decode()
    assert r.status_code == 403 and 'data-testid="reveal-refused"' in page
    assert pw.heads[3].name not in page and mask_name(pw.heads[3].name) in page
    assert AuditLog.objects.filter(actor=pw.secretary, action="unmask_denied").count() == 1
    assert _as(pw.other_clerk).get(url + "?reveal=1").status_code == 404
    assert _as(pw.villagers[0]).get(url + "?reveal=1").status_code == 404
    assert not AuditLog.objects.filter(action="unmask").exists()


def test_the_entries_api_reveals_for_the_clerk_only(pw, as_token):
    pw.points.give(0, hours=2)
    pw.points.give(1, hours=1)
    path = f"/community/points/entries?region={pw.village.path}"
    rows = as_token(pw.clerk).get(path).json()
    assert {r["name"] for r in rows} == {mask_name(pw.heads[0].name), mask_name(pw.heads[1].name)}

    rows = as_token(pw.clerk).get(path + "&reveal=true").json()
    assert {(r["name"], r["phone"]) for r in rows} == {
        (pw.heads[n].name, pw.heads[n].phone) for n in (0, 1)
    }
    assert AuditLog.objects.filter(actor=pw.clerk, action="unmask").count() == 2

    r = as_token(pw.secretary).get(path + "&reveal=true")
    assert r.status_code == 403 and r.json()["error"] == "not_permitted"
    r = as_token(pw.other_clerk).get(path + "&reveal=true")
    assert r.status_code == 200 and r.json() == []  # nobody of theirs here
    # A resident: only their own household's entries, and never a reveal.
    mine = as_token(pw.villagers[0]).get("/community/points/entries")
    assert {r["household"] for r in mine.json()} == {pw.households[0].pk}
    assert as_token(pw.villagers[0]).get("/community/points/entries?reveal=true").status_code == 403
    assert AuditLog.objects.filter(action="unmask").count() == 2
