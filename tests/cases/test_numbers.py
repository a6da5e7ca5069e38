"""Readable case numbers: HD-YYYYMMDD-NNNNNN, sequential per Asia/Shanghai day, unique
under concurrent intake."""

import datetime as dt
import threading

import pytest
from django.db import connection

from gongzhi.cases.intake.numbers import next_number
from gongzhi.cases.models import Case, CaseNumberSequence
from tests.factories import report_case

UTC = dt.UTC


def report(w, n=0):
    return report_case(w, w.pothole, title=f"路灯不亮{n}")


@pytest.mark.django_db
def test_numbers_are_sequential_within_a_day(world):
    numbers = [report(world, i).number for i in range(4)]
    day = numbers[0][3:11]
    assert numbers == [f"HD-{day}-{i:06d}" for i in range(1, 5)]
    assert CaseNumberSequence.objects.get(prefix="HD").last == 4


@pytest.mark.django_db
def test_numbers_restart_at_midnight_in_shanghai_not_utc():
    # 15:59 UTC is 23:59 in 海东; 16:01 UTC is already the next day there.
    before = dt.datetime(2026, 3, 1, 15, 59, tzinfo=UTC)
    after = dt.datetime(2026, 3, 1, 16, 1, tzinfo=UTC)
    assert next_number(before) == "HD-20260301-000001"
    assert next_number(before) == "HD-20260301-000002"
    assert next_number(after) == "HD-20260302-000001"
    assert next_number(before) == "HD-20260301-000003"  # each day keeps its own counter


@pytest.mark.django_db
def test_the_prefix_comes_from_the_settings(settings):
    settings.GONGZHI = {**settings.GONGZHI, "CASE_PREFIX": "XN"}
    assert next_number(dt.datetime(2026, 7, 1, 4, 0, tzinfo=UTC)) == "XN-20260701-000001"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent intake needs PostgreSQL: set DATABASE_URL=postgres://…",
)
@pytest.mark.django_db(transaction=True)
def test_numbers_stay_unique_and_gapless_under_concurrent_intake(shared_world):
    threads_n, per_thread = 8, 3
    barrier = threading.Barrier(threads_n)
    numbers, errors = [], []

    def run(t):
        try:
            barrier.wait()
            for i in range(per_thread):
                numbers.append(report(shared_world, t * 10 + i).number)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    total = threads_n * per_thread
    assert len(set(numbers)) == total == Case.objects.count()
    # Sequential: the day's counter hands out 1..N with no gap and no repeat.
    assert sorted(int(n[-6:]) for n in numbers) == list(range(1, total + 1))
