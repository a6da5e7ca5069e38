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
    """人调字〔2026〕第12号, counted per holder and year (the holder's name first)."""
    year = timezone.localdate(now).year
    prefix = dispute.holder.name if dispute.holder else ""
    n = Agreement.objects.filter(
        dispute__holder=dispute.holder, number__contains=f"〔{year}〕"
    ).count()
    return f"{prefix}人调字〔{year}〕第{n + 1}号"
