"""Working days on the Chinese statutory calendar, checked on real holiday weeks."""

import datetime as dt
import logging
from zoneinfo import ZoneInfo

import pytest

from gongzhi.core import workdays

SH = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC


def at(y, m, d, hh=10, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


# -- 2025 National Day + Mid-Autumn: Oct 1–8 off; Sun Sep 28 and Sat Oct 11 are worked ----


def test_national_day_2025_calendar():
    assert workdays.is_workday(dt.date(2025, 9, 28))  # a Sunday, worked (调休)
    assert not workdays.is_workday(dt.date(2025, 9, 27))  # an ordinary Saturday
    assert all(not workdays.is_workday(dt.date(2025, 10, d)) for d in range(1, 9))
    assert workdays.is_workday(dt.date(2025, 10, 11))  # a Saturday, worked
    assert not workdays.is_workday(dt.date(2025, 10, 12))


def test_national_day_2025_add_working_days():
    # Reported Tuesday 30 Sep 10:00: the next working day is Thursday 9 Oct.
    assert workdays.add_working_days(at(2025, 9, 30), 1) == at(2025, 10, 9)
    assert workdays.add_working_days(at(2025, 9, 30), 2) == at(2025, 10, 10)
    assert workdays.add_working_days(at(2025, 9, 30), 3) == at(2025, 10, 11)  # the worked Saturday
    assert workdays.add_working_days(at(2025, 9, 30), 4) == at(2025, 10, 13)
    # Reported on Saturday 27 Sep: Sunday 28 Sep is a working day.
    assert workdays.add_working_days(at(2025, 9, 27), 1) == at(2025, 9, 28)
    # Reported during the holiday.
    assert workdays.add_working_days(at(2025, 10, 3, 22, 30), 1) == at(2025, 10, 9, 22, 30)


def test_national_day_2025_deadline_in_working_days():
    # 5 working days from Friday 26 Sep: 28, 29, 30 Sep, 9, 10 Oct → end of Friday 10 Oct.
    due = workdays.deadline(at(2025, 9, 26, 16, 45), 5, "workdays")
    assert due == dt.datetime(2025, 10, 10, 23, 59, 59, tzinfo=SH)
    # Stored as UTC it is 15:59:59 the same day.
    assert due.astimezone(UTC) == dt.datetime(2025, 10, 10, 15, 59, 59, tzinfo=UTC)
    # 15 working days from 30 Sep: 9,10,11,13,14,15,16,17,20,21,22,23,24,27,28 Oct.
    assert workdays.deadline(at(2025, 9, 30), 15, "workdays").date() == dt.date(2025, 10, 28)


def test_working_days_between_national_day_2025():
    assert workdays.working_days_between(at(2025, 9, 30), at(2025, 10, 8)) == 0
    assert workdays.working_days_between(at(2025, 9, 26), at(2025, 10, 12)) == 6
    assert workdays.working_days_between(at(2025, 10, 12), at(2025, 9, 26)) == -6
    assert workdays.working_days_between(at(2025, 9, 30, 8), at(2025, 9, 30, 20)) == 0


# -- 2026 Spring Festival: Feb 15–23 off; Sat Feb 14 and Sat Feb 28 are worked ---------------


def test_spring_festival_2026():
    assert workdays.is_workday(dt.date(2026, 2, 14))
    assert all(not workdays.is_workday(dt.date(2026, 2, d)) for d in range(15, 24))
    assert workdays.is_workday(dt.date(2026, 2, 28))
    # Friday 13 Feb: Sat 14 (worked), then Tue 24 Feb.
    assert workdays.add_working_days(at(2026, 2, 13), 1) == at(2026, 2, 14)
    assert workdays.add_working_days(at(2026, 2, 13), 2) == at(2026, 2, 24)
    # 1 working day for a consultation made on New Year's Eve (Mon 16 Feb).
    assert workdays.deadline(at(2026, 2, 16, 9), 1, "workdays") == dt.datetime(
        2026, 2, 24, 23, 59, 59, tzinfo=SH
    )
    # 5 working days from Mon 23 Feb: 24, 25, 26, 27, 28 (worked Saturday).
    assert workdays.deadline(at(2026, 2, 23), 5, "workdays").date() == dt.date(2026, 2, 28)


# -- 2024 Labour Day: May 1–5 off; Sun Apr 28 and Sat May 11 are worked ----------------------


def test_labour_day_2024():
    assert workdays.add_working_days(at(2024, 4, 27), 1) == at(2024, 4, 28)
    assert workdays.add_working_days(at(2024, 4, 30), 1) == at(2024, 5, 6)
    # 5 working days from Tue 30 Apr: 6, 7, 8, 9, 10 May.
    assert workdays.deadline(at(2024, 4, 30, 17), 5, "workdays").date() == dt.date(2024, 5, 10)
    # 6 working days: Saturday 11 May is worked.
    assert workdays.deadline(at(2024, 4, 30, 17), 6, "workdays").date() == dt.date(2024, 5, 11)
    assert workdays.working_days_between(at(2024, 4, 26), at(2024, 5, 12)) == 9
    # Backwards over the holiday.
    assert workdays.add_working_days(at(2024, 5, 6), -1) == at(2024, 4, 30)


def test_round_trip_between_and_add():
    start = at(2025, 9, 25, 13, 30)
    for n in range(0, 25):
        assert workdays.working_days_between(start, workdays.add_working_days(start, n)) == n


def test_hours_and_minutes_run_round_the_clock():
    # An urgent case on National Day itself: 20 minutes to sign for, 2 hours to resolve.
    start = at(2025, 10, 1, 23, 50)
    assert workdays.deadline(start, 20, "minutes") == at(2025, 10, 2, 0, 10)
    assert workdays.deadline(start, 2, "hours") == at(2025, 10, 2, 1, 50)
    assert workdays.add_hours(start, 0.5) == at(2025, 10, 2, 0, 20)


def test_any_time_zone_in_same_instant_out():
    utc_start = dt.datetime(2025, 9, 30, 17, 0, tzinfo=UTC)  # 01:00 on 1 Oct in Shanghai
    assert workdays.add_working_days(utc_start, 1) == at(2025, 10, 9, 1, 0)
    assert workdays.deadline(utc_start, 1, "workdays").date() == dt.date(2025, 10, 9)


def test_zero_working_days_is_the_end_of_the_same_day():
    assert workdays.deadline(at(2025, 10, 9, 8), 0, "workdays") == dt.datetime(
        2025, 10, 9, 23, 59, 59, tzinfo=SH
    )


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        workdays.add_working_days(dt.datetime(2025, 10, 9, 8), 1)  # naive
    with pytest.raises(ValueError):
        workdays.deadline(at(2025, 10, 9), 3, "fortnights")
    with pytest.raises(ValueError):
        workdays.deadline(at(2025, 10, 9), -1, "hours")


def test_unknown_year_falls_back_to_weekdays_and_warns_once(caplog, monkeypatch):
    monkeypatch.setattr(workdays, "_warned_years", set())
    far = 2099
    with caplog.at_level(logging.WARNING, logger="gongzhi.core.workdays"):
        # Fri 2 Jan 2099 → Mon 5 Jan 2099 (weekdays only).
        assert workdays.add_working_days(at(far, 1, 2), 1) == at(far, 1, 5)
        assert workdays.add_working_days(at(far, 1, 2), 2) == at(far, 1, 6)
    warnings = [r for r in caplog.records if str(far) in r.getMessage()]
    assert len(warnings) == 1
