"""The platform's working-day calendar: holidays entered as data (in the admin or from a CSV
file) count in every deadline, also for a year chinese-calendar does not know yet."""

import datetime as dt
import io
import json
import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from gongzhi.cases.intake import services
from gongzhi.cases.workflow import reference
from gongzhi.cases.workflow import table as workflow
from gongzhi.core import holidays, workdays
from gongzhi.core.models import CalendarDay

UNKNOWN_YEAR = 2031  # chinese-calendar 1.11 knows up to 2026


@pytest.fixture(autouse=True)
def _package_calendar_only():
    workdays.use_calendar({})
    yield
    workdays.use_calendar({})


# -- the arithmetic, with rows installed ------------------------------------------------------


def test_a_row_wins_over_the_package():
    friday = dt.date(2026, 10, 9)  # worked, between National Day and the Saturday make-up day
    assert workdays.nth_working_day_after(dt.date(2026, 10, 8), 1) == friday
    workdays.use_calendar({friday: False})
    assert workdays.nth_working_day_after(dt.date(2026, 10, 8), 1) == dt.date(2026, 10, 10)


def test_a_year_the_package_does_not_know_is_counted_from_the_rows(caplog):
    new_year = dt.date(UNKNOWN_YEAR, 1, 1)  # a Wednesday
    workdays.use_calendar({new_year: False, dt.date(UNKNOWN_YEAR, 1, 4): True})  # a Saturday
    assert workdays.calendar_source(UNKNOWN_YEAR) == "platform"
    with caplog.at_level(logging.WARNING, logger="gongzhi.core.workdays"):
        assert workdays.nth_working_day_after(dt.date(UNKNOWN_YEAR - 1, 12, 31), 1) == dt.date(
            UNKNOWN_YEAR, 1, 2
        )
        assert workdays.nth_working_day_after(dt.date(UNKNOWN_YEAR, 1, 3), 1) == dt.date(
            UNKNOWN_YEAR, 1, 4
        )
    assert not [r for r in caplog.records if str(UNKNOWN_YEAR) in r.getMessage()]


def test_without_rows_an_unknown_year_falls_back_to_weekdays():
    assert workdays.calendar_source(UNKNOWN_YEAR) == "weekdays"
    assert workdays.calendar_source(2026) == "package"
    assert workdays.is_workday(dt.date(UNKNOWN_YEAR, 1, 1))  # a Wednesday, as far as we know


# -- through the admin, the workflow and the command line ----------------------------------------


def dispatched(w):
    case, _ = services.do_report(
        report=services.Report(
            channel="quick_report",
            title="路面坑洼",
            category_id=w.pothole.pk,
            lng=w.point[0],
            lat=w.point[1],
        ),
        reporter=w.resident,
    )
    workflow.transition(case_id=case.pk, action="accept", actor=w.dispatcher)
    return workflow.transition(case_id=case.pk, action="dispatch", actor=w.dispatcher)


@pytest.mark.django_db
def test_a_holiday_entered_in_the_admin_moves_the_next_deadline(world, client):
    before = dispatched(world)
    next_working_day = workdays.nth_working_day_after(timezone.localdate(), 1)
    client.force_login(world.admin)
    response = client.post(
        "/admin/core/calendarday/add/",
        {"date": next_working_day.isoformat(), "name": "临时放假"},  # "working day" unticked
    )
    assert response.status_code == 302
    after = dispatched(world)
    # One working day fewer before the old deadline: the new one is a working day later.
    assert after.resolve_due == workdays.add_working_days(before.resolve_due, 1)
    listed = client.get("/admin/core/calendarday/").content.decode()
    assert "临时放假" in listed


@pytest.mark.django_db
def test_a_row_added_by_another_process_counts_at_the_next_check(world, monkeypatch):
    before = dispatched(world)
    # bulk_create fires no signal, like a row saved by another process.
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=workdays.nth_working_day_after(timezone.localdate(), 1))]
    )
    monkeypatch.setattr(reference, "CHECK_EVERY", 0.0)
    after = dispatched(world)
    assert after.resolve_due == workdays.add_working_days(before.resolve_due, 1)


@pytest.mark.django_db
def test_import_a_year_from_a_csv_file_and_show_it(tmp_path):
    path = tmp_path / "holidays.csv"
    path.write_text(
        "\ufeffdate,kind,name\n"  # as Excel saves it
        f"{UNKNOWN_YEAR}-01-31..{UNKNOWN_YEAR}-02-06,holiday,春节\n"
        f"{UNKNOWN_YEAR}-01-26,workday,春节调休\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("calendar", "import", str(path), stdout=out)
    assert json.loads(out.getvalue()) == {"created": 8, "updated": 0, "years": [UNKNOWN_YEAR]}
    assert CalendarDay.objects.filter(is_workday=False, name="春节").count() == 7
    call_command("calendar", "import", str(path), stdout=io.StringIO())  # again: replaced
    assert CalendarDay.objects.count() == 8

    out = io.StringIO()
    call_command("calendar", "show", str(UNKNOWN_YEAR), stdout=out)
    lines = out.getvalue().splitlines()
    assert "platform" in lines[0] or "平台" in lines[0]
    assert str(UNKNOWN_YEAR) in lines[1] and ("incomplete" in lines[1] or "未录全" in lines[1])
    assert any(line.startswith(f"{UNKNOWN_YEAR}-01-26") and "春节调休" in line for line in lines)
    assert sum("春节" in line for line in lines) == 8


@pytest.mark.django_db
@pytest.mark.parametrize(
    "rows, says",
    [
        ("date,kind,name\n2031-02-30,holiday,春节\n", "Line 2"),
        ("date,kind,name\n2031-02-01,holiday,春节\n2031-02-02,off,春节\n", "Line 3"),
        ("date,kind,name\n2031-02-09..2031-02-01,holiday,春节\n", "Line 2"),
        ("date,kind,name\n2031-02-01,holiday,a\n2031-02-01,workday,b\n", "Line 3"),
        ("day,type\n2031-02-01,holiday\n", "header"),
    ],
)
def test_a_bad_file_changes_nothing_and_says_where(tmp_path, rows, says):
    path = tmp_path / "holidays.csv"
    path.write_text(rows, encoding="utf-8")
    with translation.override("en"), pytest.raises(CommandError, match=says):
        call_command("calendar", "import", str(path), stdout=io.StringIO())
    assert not CalendarDay.objects.exists()


@pytest.mark.django_db
def test_the_years_still_to_enter():
    assert holidays.missing_years(dt.date(2090, 3, 1)) == [2090]
    assert holidays.missing_years(dt.date(2090, 10, 5)) == [2090, 2091]  # the notice is out
    CalendarDay.objects.create(date=dt.date(2091, 1, 1), name="元旦")
    assert holidays.missing_years(dt.date(2090, 10, 5)) == [2090]
    assert holidays.missing_years(dt.date(2026, 3, 1)) == []  # the package knows 2026
    # One holiday entered is not a year entered: 2091 is still named, as partly entered.
    assert holidays.notice_years(dt.date(2090, 10, 5)) == [(2090, False), (2091, True)]
    for start, length, name in [
        ((1, 26), 8, "春节"),
        ((4, 5), 1, "清明节"),
        ((5, 1), 5, "劳动节"),
        ((10, 1), 7, "国庆节"),
    ]:
        for i in range(length):
            day = dt.date(2091, *start) + dt.timedelta(days=i)
            CalendarDay.objects.get_or_create(date=day, defaults={"name": name})
    assert holidays.notice_years(dt.date(2090, 10, 5)) == [(2090, False)]


@pytest.mark.django_db
def test_the_admin_index_says_which_years_to_enter(world, client, monkeypatch):
    from gongzhi.core.templatetags import gongzhi_core

    monkeypatch.setattr(gongzhi_core.timezone, "localdate", lambda: dt.date(2090, 10, 5))
    client.force_login(world.admin)
    html = client.get("/admin/").content.decode()
    assert "2090 年的节假日安排尚未录入" in html and "2091 年的节假日安排尚未录入" in html
    assert 'href="/admin/core/calendarday/import/"' in html
    CalendarDay.objects.create(date=dt.date(2091, 1, 1), name="元旦")  # a start, no more
    html = client.get("/admin/").content.decode()
    assert 'data-testid="calendar-partly" data-year="2091"' in html
    # A staff member who cannot enter them is not told to.
    world.dispatcher.is_staff = True
    world.dispatcher.save()
    client.force_login(world.dispatcher)
    assert "calendarday" not in client.get("/admin/").content.decode()


@pytest.mark.django_db
def test_an_administrator_imports_a_year_in_the_admin(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gongzhi.core.models import AuditLog

    client.force_login(world.admin)
    listing = client.get("/admin/core/calendarday/").content.decode()
    assert 'data-testid="calendar-import"' in listing
    rows = f"date,kind,name\n{UNKNOWN_YEAR}-01-31..{UNKNOWN_YEAR}-02-06,holiday,春节\n"

    # Excel on a Chinese Windows saves CSV as GB18030: read as such. A bad row: nothing.
    bad = (rows + f"{UNKNOWN_YEAR}-02-30,workday,春节调休\n").encode("gb18030")
    response = client.post(
        "/admin/core/calendarday/import/", {"file": SimpleUploadedFile("2031.csv", bad)}
    )
    assert response.status_code == 200 and "第 3 行" in response.content.decode()
    assert not CalendarDay.objects.exists()

    good = (rows + f"{UNKNOWN_YEAR}-01-26,workday,春节调休\n").encode("gb18030")
    response = client.post(
        "/admin/core/calendarday/import/", {"file": SimpleUploadedFile("2031.csv", good)}
    )
    assert response.status_code == 302
    assert CalendarDay.objects.filter(name="春节", is_workday=False).count() == 7
    assert CalendarDay.objects.get(date=dt.date(UNKNOWN_YEAR, 1, 26)).is_workday
    assert AuditLog.objects.filter(action="calendar_import", actor=world.admin).exists()
    # The next deadline counts on them at once (this process cleared its table on save).
    assert workdays.calendar_source(UNKNOWN_YEAR) == "platform"


@pytest.mark.django_db
def test_staff_who_may_not_change_the_calendar_cannot_import(world, client):
    world.dispatcher.is_staff = True
    world.dispatcher.save()
    client.force_login(world.dispatcher)
    assert client.get("/admin/core/calendarday/import/").status_code == 403
