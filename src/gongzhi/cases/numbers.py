"""Readable case numbers: PREFIX-YYYYMMDD-NNNNNN, counted per local day."""

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from .models import CaseNumberSequence


def next_number(now=None) -> str:
    prefix = settings.GONGZHI.get("CASE_PREFIX", "HD")
    day = timezone.localdate(now or timezone.now())
    for _attempt in range(3):
        with transaction.atomic():
            # UPDATE takes the row lock, so two intakes never read the same value.
            last = _increment(prefix, day)
            if last is not None:
                return f"{prefix}-{day:%Y%m%d}-{last:06d}"
            try:
                with transaction.atomic():
                    CaseNumberSequence.objects.create(prefix=prefix, day=day, last=1)
                return f"{prefix}-{day:%Y%m%d}-{1:06d}"
            except IntegrityError:
                continue  # another intake created today's row first: count on it
    raise RuntimeError("could not allocate a case number")


def _increment(prefix: str, day) -> int | None:
    """Add one to the day's counter and return it; None when the day has no row yet."""
    if connection.features.can_return_columns_from_insert:  # PostgreSQL, SQLite ≥ 3.35
        table = connection.ops.quote_name(CaseNumberSequence._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET last = last + 1 WHERE prefix = %s AND day = %s RETURNING last",
                [prefix, day],
            )
            row = cursor.fetchone()
        return row[0] if row else None
    if CaseNumberSequence.objects.filter(prefix=prefix, day=day).update(last=F("last") + 1):
        return CaseNumberSequence.objects.get(prefix=prefix, day=day).last
    return None
