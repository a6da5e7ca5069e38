"""Readable numbers (YT-2026-00012 a topic, YH-… a meeting, YS-… a major matter), taken
from the year's sequence row under its lock: concurrent writers never share one."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import NumberSequence

PREFIX = {"topic": "YT", "meeting": "YH", "matter": "YS"}


def next_number(kind: str, *, now=None) -> str:
    year = timezone.localtime(now or timezone.now()).year
    with transaction.atomic():
        updated = NumberSequence.objects.filter(kind=kind, year=year).update(last=F("last") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    NumberSequence.objects.create(kind=kind, year=year, last=1)
            except IntegrityError:  # another writer created the row first
                NumberSequence.objects.filter(kind=kind, year=year).update(last=F("last") + 1)
        last = NumberSequence.objects.values_list("last", flat=True).get(kind=kind, year=year)
    return f"{PREFIX[kind]}-{year}-{last:05d}"
