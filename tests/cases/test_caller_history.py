"""The caller's history on the hotline form (issue 23, item 3): as the operator types the
number, the caller's earlier cases show, newest first, for call takers only, and each
lookup is audited."""

import re

import pytest
from django.urls import reverse

from gongzhi.core.models import AuditLog
from tests.factories import call_case, case_in, report

pytestmark = pytest.mark.django_db

URL = reverse("cases:caller_history")


def _numbers(html: str) -> list[str]:
    return re.findall(r'data-testid="caller-case" data-number="([^"]+)"', html)


def test_the_callers_earlier_cases_show_newest_first(client, world):
    w = world
    first = call_case(w, w.manhole, title="井盖丢失", reporter_phone="13900002222")
    second = call_case(w, w.pothole, title="路面坑洼", reporter_phone="13900002222")
    call_case(w, w.manhole, title="别人的电话", reporter_phone="13900003333")
    client.force_login(w.operator)
    # As typed: spaces and a country code are the same number.
    response = client.post(URL, {"reporter_phone": "+86 139 0000 2222"})
    html = response.content.decode()
    assert response.status_code == 200
    assert _numbers(html) == [second.number, first.number]
    assert 'data-count="2"' in html
    assert "路面坑洼" in html and w.pothole.full_name in html and "别人的电话" not in html
    entry = AuditLog.objects.get(action="caller_history")
    assert (
        entry.actor == w.operator and "2222" in entry.reason and "13900002222" not in entry.reason
    )


def test_the_hotline_form_asks_for_the_history_as_the_number_is_typed(client, world):
    w = world
    client.force_login(w.operator)
    html = client.get(reverse("cases:hotline")).content.decode()
    field = re.search(r'<input id="id_reporter_phone"[^>]*>', html, re.S).group(0)
    assert f'hx-post="{URL}"' in field and 'hx-target="#caller-history"' in field
    assert 'id="caller-history"' in html


def test_at_most_ten_are_listed_with_the_count_of_all(client, world):
    w = world
    for i in range(12):
        call_case(w, w.manhole, title=f"第{i}次来电", reporter_phone="13900004444")
    client.force_login(w.dispatcher)
    html = client.post(URL, {"reporter_phone": "13900004444"}).content.decode()
    assert len(_numbers(html)) == 10
    assert 'data-count="12"' in html
    assert "第11次来电" in html and "第0次来电" not in html


def test_a_partial_number_looks_nothing_up(client, world):
    w = world
    call_case(w, w.manhole, reporter_phone="13900002222")
    client.force_login(w.operator)
    response = client.post(URL, {"reporter_phone": "1390000"})
    assert response.status_code == 200
    assert not _numbers(response.content.decode())
    assert not AuditLog.objects.filter(action="caller_history").exists()


def test_a_new_caller_is_said_to_have_no_history(client, world):
    client.force_login(world.operator)
    html = client.post(URL, {"reporter_phone": "13700000000"}).content.decode()
    assert 'data-testid="caller-history-none"' in html
    assert AuditLog.objects.filter(action="caller_history").count() == 1


def test_cases_reported_with_the_number_on_other_channels_count_too(client, world):
    w = world
    own = report(w, reporter_phone="13900005555", title="随手拍井盖")
    client.force_login(w.operator)
    assert _numbers(client.post(URL, {"reporter_phone": "13900005555"}).content.decode()) == [
        own.number
    ]


def test_only_cases_the_operator_may_see_are_listed(client, world):
    w = world
    mine = call_case(w, w.manhole, reporter_phone="13900006666")
    elsewhere = call_case(w, w.manhole, point=w.other_point, reporter_phone="13900006666")
    client.force_login(w.dispatcher)  # 乐都区's centre: not 平安区's cases
    numbers = _numbers(client.post(URL, {"reporter_phone": "13900006666"}).content.decode())
    assert numbers == [mine.number] and elsewhere.number not in numbers


@pytest.mark.parametrize("viewer", ["handler", "resident", "grid_worker", "leader"])
def test_others_are_refused(client, world, viewer):
    w = world
    call_case(w, w.manhole, reporter_phone="13900002222")
    case_in(w, "accepted")
    client.force_login(getattr(w, viewer))
    response = client.post(URL, {"reporter_phone": "13900002222"})
    assert response.status_code == 403
    assert not _numbers(response.content.decode())
    assert not AuditLog.objects.filter(action="caller_history").exists()


def test_a_visitor_must_log_in(client, world):
    response = client.post(URL, {"reporter_phone": "13900002222"})
    assert response.status_code == 302
