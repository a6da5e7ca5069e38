"""The big screen's community panel: repairs overdue now and escalated this month, patrol
completion and notices read this month, for those who oversee communities and villages."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _screen(user, **params):
    client = Client()
    client.force_login(user)
    response = client.get("/api/v1/command/screen", params)
    assert response.status_code == 200
    return response.json()["community"]


def test_the_panel_counts_the_area_of_those_who_oversee_it(rows):
    w = rows.w
    panel = _screen(w.admin, region="630202100")
    assert panel == {
        "repairs_overdue": 1,
        "repairs_escalated": 1,
        "patrol_completion": 0.8,
        "notices_read": 0.5625,  # 9 of 16 households
    }
    # 高庙镇, in the same county, has none of it.
    assert _screen(w.admin, region="630202101") == {
        "repairs_overdue": 0,
        "repairs_escalated": 0,
        "patrol_completion": None,
        "notices_read": None,
    }
    # The county's command centre oversees its communities; the next county's sees none.
    assert _screen(w.dispatcher)["repairs_overdue"] == 1
    other = _screen(w.other_dispatcher)
    assert other["repairs_overdue"] == 0 and other["notices_read"] is None


def test_the_panel_is_left_out_for_those_who_oversee_no_community(rows):
    from gongzhi.cases.models import Case

    w = rows.w
    Case.objects.filter(pk=w.late_case.pk).update(state="closed")
    assert _screen(w.admin, region="630202100")["repairs_overdue"] == 0
    client = Client()
    client.force_login(w.handler)  # a department's handler: no screen panel of ours
    response = client.get("/api/v1/command/screen")
    if response.status_code == 200:
        assert response.json()["community"] is None


def test_the_screen_page_labels_the_panel(rows):
    client = Client()
    client.force_login(rows.w.admin)
    html = client.get("/command/screen/").content.decode()
    for key in ("repairs_overdue", "repairs_escalated", "patrol_completion", "notices_read"):
        assert f'data-k="{key}"' in html
