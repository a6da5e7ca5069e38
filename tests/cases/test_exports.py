"""Excel exports: the queue as filtered and the rates as sorted, exactly what the viewer sees
on the page, nothing personal, each download in the audit log."""

import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.cases import exports
from gongzhi.cases.models import Case
from gongzhi.core.models import AuditLog
from tests.factories import call_case, case_in

from .test_console_views import ROW, numbers

pytestmark = pytest.mark.django_db


def sheet_rows(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"] == exports.CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    # The queue's export streams from a temporary file; the rates' is a small body.
    body = b"".join(response.streaming_content) if response.streaming else response.content
    book = load_workbook(io.BytesIO(body), read_only=True)
    return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def all_pages(client, params) -> set[str]:
    found, page = set(), 1
    while True:
        response = client.get(reverse("cases:queue"), {**params, "page": page})
        found |= numbers(response)
        if f"page={page + 1}" not in response.content.decode():
            return found
        page += 1


@pytest.mark.parametrize("viewer", ["dispatcher", "other_dispatcher", "city_dispatcher"])
@pytest.mark.parametrize("params", [{}, {"state": "reported"}, {"q": "路灯"}])
def test_the_queue_export_holds_exactly_the_filtered_visible_cases(
    client, world, spread, viewer, params
):
    client.force_login(getattr(world, viewer))
    rows = sheet_rows(client.get(reverse("cases:queue_export"), params))
    header, body = rows[0], rows[1:]
    assert header[0] in ("事件编号", "Case number")
    assert {row[0] for row in body} == all_pages(client, params)
    entry = AuditLog.objects.get(action="export")
    assert entry.actor == getattr(world, viewer) and entry.reason.startswith(f"queue ({len(body)})")


def test_the_queue_export_keeps_the_pages_order_and_leaves_out_personal_data(client, world):
    w = world
    hotline = call_case(w, w.pothole, title="路面坑洼", address="西关街 18 号")
    doing = case_in(w, "in_progress")
    # Deadlines set apart, whatever the time of day (two working hours from 15:50 run into
    # the next working day, past the unit's own deadline).
    now = timezone.now()
    Case.objects.filter(pk=hotline.pk).update(dispatch_due=now + timedelta(hours=1))
    Case.objects.filter(pk=doing.pk).update(resolve_due=now + timedelta(days=5))
    doing.refresh_from_db()
    client.force_login(w.dispatcher)
    rows = sheet_rows(client.get(reverse("cases:queue_export"), {"sort": "deadline"}))
    page = client.get(reverse("cases:queue"), {"sort": "deadline"}).content.decode()
    # The call waits to be dispatched before the unit's case is due.
    assert [row[0] for row in rows[1:]] == ROW.findall(page) == [hotline.number, doing.number]
    cells = " ".join(str(v) for row in rows for v in row if v is not None)
    assert "马秀兰" not in cells and "13900001111" not in cells and "西关街 18 号" not in cells
    by_number = {row[0]: row for row in rows[1:]}
    # Resolve-by as an Excel date and time, in the local time the pages show.
    local_due = timezone.localtime(doing.resolve_due).replace(tzinfo=None)
    assert abs(by_number[doing.number][10] - local_due) < timedelta(seconds=1)


def test_a_queue_too_large_to_export_is_refused_with_a_message(client, world, spread, monkeypatch):
    monkeypatch.setattr(exports, "MAX_ROWS", 2)
    client.force_login(world.dispatcher)
    response = client.get(reverse("cases:queue_export"), {"category": ""}, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("cases:queue"))
    assert re.search(r"3 (件|cases)", response.content.decode())
    assert not AuditLog.objects.filter(action="export").exists()


@pytest.mark.parametrize("viewer", ["handler", "grid_worker", "resident"])
def test_only_desks_that_see_the_queue_export_it(client, world, spread, viewer):
    client.force_login(getattr(world, viewer))
    response = client.get(reverse("cases:queue_export"))
    assert response.status_code == 302 and not response.content
    assert not AuditLog.objects.filter(action="export").exists()


def test_the_rates_export_matches_the_sorted_table(client, world, rated):
    client.force_login(world.city_dispatcher)
    params = {"group_by": "unit", "sort": "resolution"}
    page = client.get(reverse("cases:rates"), params)
    shown = [label for _row, label in page.context["table"]]
    rates = [row["resolution_rate"] for row, _label in page.context["table"]]
    # Lowest first, units without a rated case last.
    known = [r for r in rates if r is not None]
    assert known == sorted(known) and rates == known + [None] * (len(rates) - len(known))
    assert 'data-testid="sorted-by" data-key="resolution"' in page.content.decode()

    rows = sheet_rows(client.get(reverse("cases:rates_export"), params))
    assert [row[0] for row in rows[2:]] == shown
    assert [row[5] for row in rows[2:]] == rates  # the rate itself, formatted as a percentage
    assert AuditLog.objects.get(action="export").reason.startswith(f"rates ({len(shown)})")


def test_the_rates_sort_largest_first_for_counts(client, world, rated):
    client.force_login(world.city_dispatcher)
    table = client.get(reverse("cases:rates"), {"sort": "total"}).context["table"]
    totals = [row["total"] for row, _label in table]
    assert totals == sorted(totals, reverse=True)
    client.force_login(world.resident)
    assert client.get(reverse("cases:rates_export")).status_code == 302
