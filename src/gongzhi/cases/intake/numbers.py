"""Readable case numbers: PREFIX-YYYYMMDD-NNNNNN, counted per local day."""

from django.conf import settings
from django.db import connection
from django.utils import timezone

from gongzhi.cases.models import CaseNumberSequence


def next_number(now=None) -> str:
    prefix = settings.GONGZHI.get("CASE_PREFIX", "HD")
    day = timezone.localdate(now or timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(), [prefix, day])
        (last,) = cursor.fetchone()
    return f"{prefix}-{day:%Y%m%d}-{last:06d}"


def _upsert_sql() -> str:
    # One statement creates the day's row or adds one to it, under the row's lock, so two
    # intakes never read the same value. Outside a transaction it is a transaction of its
    # own: on PostgreSQL one round trip instead of BEGIN, UPDATE, COMMIT.
    q = connection.ops.quote_name
    table = q(CaseNumberSequence._meta.db_table)
    prefix, day, last = (q(n) for n in ("prefix", "day", "last"))
    return (
        f"INSERT INTO {table} ({prefix}, {day}, {last}) VALUES (%s, %s, 1) "
        f"ON CONFLICT ({prefix}, {day}) DO UPDATE SET {last} = {table}.{last} + 1 "
        f"RETURNING {last}"
    )
