"""The pages with the Django client: a resident registers and sees the warnings, the clerk
takes the steps, sets the village's rules, and staff read the monthly figures."""

from __future__ import annotations

import pytest
from django.test import Client

from gongzhi.community.models import Ceremony, CustomRule

from .conftest import register

pytestmark = pytest.mark.django_db


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def test_a_resident_registers_and_sees_the_warnings(cw):
    me = client_for(cw.villagers[0])
    r = me.get("/community/customs/new/")
    assert r.status_code == 200 and 'data-testid="household"' in r.content.decode()
    r = me.post(
        "/community/customs/new/",
        {
            "kind": "wedding",
            "date": "2026-06-01",
            "days": "3",
            "guests": "150",
            "tables": "15",
            "gift": "600",
        },
        follow=True,
    )
    page = r.content.decode()
    assert r.status_code == 200 and 'data-testid="warnings"' in page
    c = Ceremony.objects.get()
    assert c.household_id == cw.household.pk and [w["field"] for w in c.warnings] == [
        "gift",
        "days",
    ]
    assert page.count('data-testid="warning"') == 2
    # Bad input: the form again with the message, nothing saved.
    r = me.post(
        "/community/customs/new/",
        {"kind": "wedding", "date": "1980-01-01", "guests": "1", "tables": "1"},
    )
    assert r.status_code == 400 and 'data-testid="error-date"' in r.content.decode()
    assert Ceremony.objects.count() == 1


def test_the_clerk_takes_the_steps_on_the_page_and_sees_names_masked(cw):
    c = register(cw.villagers[0], cw.household)
    clerk = client_for(cw.clerk)
    page = clerk.get(f"/community/customs/{c.pk}/").content.decode()
    assert 'data-testid="action-acknowledge"' in page
    assert cw.heads[0].name not in page  # masked for staff
    r = clerk.post(
        f"/community/customs/{c.pk}/step/",
        {"action": "acknowledge", "note": "已备案", "expected_state": "registered"},
    )
    assert r.status_code == 302
    assert Ceremony.objects.get(pk=c.pk).state == "acknowledged"
    assert client_for(cw.villagers[1]).get(f"/community/customs/{c.pk}/").status_code == 404
    mine = client_for(cw.villagers[0]).get("/community/customs/").content.decode()
    assert f'data-id="{c.pk}"' in mine


def test_the_clerk_sets_the_villages_rule(cw):
    clerk = client_for(cw.clerk)
    assert clerk.get("/community/customs/rules/").status_code == 200
    r = clerk.post(
        "/community/customs/rules/",
        {
            "region": cw.village.pk,
            "kind": "wedding",
            "max_tables": "10",
            "max_gift": "100",
            "enabled": "on",
        },
    )
    assert r.status_code == 302
    rule = CustomRule.objects.get(region=cw.village, kind="wedding")
    assert (rule.max_tables, rule.max_gift, rule.max_guests, rule.enabled) == (10, 100, None, True)
    page = clerk.get("/community/customs/rules/").content.decode()
    assert 'data-tables="10"' in page
    # A resident reads the rules of their village but has no form.
    page = client_for(cw.villagers[0]).get("/community/customs/rules/").content.decode()
    assert 'data-tables="10"' in page and 'data-testid="rule-form"' not in page


def test_the_figures_page(cw):
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    register(cw.villagers[0], cw.household, date=today, tables=30)
    r = client_for(cw.township_staff).get("/community/customs/figures/")
    page = r.content.decode()
    assert r.status_code == 200 and 'data-testid="chart"' in page
    assert (
        f'data-month="{today:%Y-%m}" data-region="大古城村" data-within="0" data-over="1"' in page
    )
    assert client_for(cw.villagers[0]).get("/community/customs/figures/").status_code == 404
    assert dt.date  # the month filter is tolerant of junk
    assert (
        client_for(cw.clerk).get("/community/customs/figures/?from=junk&to=2199-99").status_code
        == 200
    )
