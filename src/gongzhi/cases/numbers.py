"""Readable case numbers: PREFIX-YYYYMMDD-NNNNNN, counted per local day."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import CaseNumberSequence


def next_number(now=None) -> str:
    prefix = settings.GONGZHI.get("CASE_PREFIX", "HD")
    day = timezone.localdate(now or timezone.now())
    for _attempt in range(3):
        with transaction.atomic():
            # UPDATE takes the row lock, so two intakes never read the same value.
            if CaseNumberSequence.objects.filter(prefix=prefix, day=day).update(last=F("last") + 1):
                last = CaseNumberSequence.objects.get(prefix=prefix, day=day).last
                return f"{prefix}-{day:%Y%m%d}-{last:06d}"
            try:
                with transaction.atomic():
                    CaseNumberSequence.objects.create(prefix=prefix, day=day, last=1)
                return f"{prefix}-{day:%Y%m%d}-{1:06d}"
            except IntegrityError:
                continue  # another intake created today's row first: count on it
    raise RuntimeError("could not allocate a case number")
