"""The community home, per role: a resident's household, a committee's desk, a property
company's repairs, the township's figures; and the menu entries."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _home(user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/community/")
    assert response.status_code == 200
    return response.content.decode()


def _menu(user) -> set[str]:
    from gongzhi.core.navigation import menu_for

    return {item.name for items in menu_for(user).values() for item in items}


def _number(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[html.index(">", start) + 1 : html.index("<", start)]


def test_an_urban_resident_sees_their_household(rows):
    w = rows.w
    html = _home(w.urban_residents[0])
    assert _number(html, "repairs-open") == "1"
    assert _number(html, "notices-unread") == "0"  # the first three households read it
    html = _home(w.urban_residents[3])
    assert _number(html, "notices-unread") == "1"
    assert "西关社区停水通知" in html
    assert 'href="/community/repairs/"' in html and 'href="/community/notices/"' in html
    assert 'data-testid="desk"' not in html and 'data-testid="figures-link"' not in html


def test_a_villager_sees_points_shifts_and_the_village_rules(rows):
    w = rows.w
    html = _home(w.villagers[0])
    assert _number(html, "points-balance") == "20"
    assert "义诊" in html  # the shift ahead
    assert 'data-testid="custom-rules"' in html and "20" in html and "200" in html
    assert 'href="/community/points/"' in html and 'href="/community/customs/"' in html
    # Another household of the village: its own balance, nobody's shift.
    html = _home(w.villagers[5])
    assert _number(html, "points-balance") == "0"
    assert "义诊" not in html


def test_the_committee_sees_its_desk(rows):
    w = rows.w
    html = _home(w.community_staff)
    assert _number(html, "desk-escalated") == "1"
    assert _number(html, "desk-pending") == "1"
    assert "西关社区停水通知" in html and "(3/4)" in html
    html = _home(w.clerk)
    assert _number(html, "desk-escalated") == "0"
    assert _number(html, "desk-ceremonies") == "2"
    assert _number(html, "desk-patrols-today") in {"0", "2"}  # today if it is the 1st
    assert "(6/12)" in html


def test_the_company_sees_its_repairs_and_score(rows):
    w = rows.w
    html = _home(w.company_staff)
    assert _number(html, "company-open") == "1"
    assert "88.5" in html
    assert 'data-testid="my-household"' not in html


def test_the_township_sees_the_month_and_the_figures(rows):
    w = rows.w
    html = _home(w.township_staff)
    assert 'data-testid="oversight"' in html
    assert 'data-testid="figures-link"' in html


def test_someone_with_no_place_is_told_so(rows):
    html = _home(rows.w.plain_user)
    assert 'data-testid="no-place"' in html


def test_the_menu(rows):
    w = rows.w
    for user in (w.urban_residents[0], w.villagers[0], w.clerk, w.company_staff):
        assert "community" in _menu(user), user
    assert "community_figures" not in _menu(w.villagers[0])
    assert "community_figures" not in _menu(w.company_staff)
    for user in (w.clerk, w.community_staff, w.township_staff, w.admin):
        assert {"community", "community_figures"} <= _menu(user), user
    assert "community" not in _menu(w.plain_user)


def test_signed_out_visitors_are_sent_to_sign_in(rows):
    response = Client().get("/community/")
    assert response.status_code == 302
