"""Readable numbers: disputes MD-YYYYMMDD-NNNN, agreements 〔county〕人调字〔YEAR〕第N号."""

from django.db import connection
from django.utils import timezone

from .models import Agreement, DisputeNumberSequence


def next_number(now=None) -> str:
    day = timezone.localdate(now or timezone.now())
    q = connection.ops.quote_name
    table = q(DisputeNumberSequence._meta.db_table)
    with connection.cursor() as cursor:
        # One statement creates the day's row or adds one to it, under the row's lock.
        cursor.execute(
            f"INSERT INTO {table} ({q('day')}, {q('last')}) VALUES (%s, 1) "
            f"ON CONFLICT ({q('day')}) DO UPDATE SET {q('last')} = {table}.{q('last')} + 1 "
            f"RETURNING {q('last')}",
            [day],
        )
        (last,) = cursor.fetchone()
    return f"MD-{day:%Y%m%d}-{last:04d}"


def agreement_number(dispute, now) -> str:
    """人调字〔2026〕第12号, counted per year under the holder's name (its first part).

    Counted by the number's own prefix, not by holder: two committees may bear the same
    name (a 红崖村 in two counties), and their numbers must still differ."""
    year = timezone.localdate(now).year
    prefix = f"{dispute.holder.name if dispute.holder else ''}人调字〔{year}〕第"
    n = Agreement.objects.filter(number__startswith=prefix).count()
    return f"{prefix}{n + 1}号"
