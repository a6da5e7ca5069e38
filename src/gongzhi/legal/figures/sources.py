"""What the figures read from the rooms: one light record per legal-aid application and per
question, fetched in one query each (``values()``), for an area (region paths) and a period.

The advice room is read only if its models are there (``legal.models.Question``); without
it the question figures are left out (``questions`` returns None)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q

from .. import models as legal_models


@dataclass(frozen=True)
class AidRecord:
    region_path: str
    type_key: str
    type_name: str
    received_at: dt.datetime
    decision_due: dt.datetime | None
    decided_at: dt.datetime | None
    granted: bool
    refused: bool
    assigned_at: dt.datetime | None
    rating: int | None


@dataclass(frozen=True)
class QuestionRecord:
    region_path: str
    asked_at: dt.datetime
    due_at: dt.datetime | None
    answered_at: dt.datetime | None
    rating: int | None


QUESTION_RATINGS = hasattr(getattr(legal_models, "Question", None), "rating")


def _paths_q(paths: tuple[str, ...] | None) -> Q:
    if paths is None:
        return Q()
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(region_path__startswith=p) for p in paths))


def applications(*, paths, first: dt.datetime, last: dt.datetime) -> list[AidRecord]:
    from . import aid_source

    return aid_source.records(paths_q=_paths_q(paths), first=first, last=last)


def questions(*, paths, first: dt.datetime, last: dt.datetime) -> list[QuestionRecord] | None:
    Question = getattr(legal_models, "Question", None)
    if Question is None:
        return None
    fields = ["region_path", "asked_at", "due_at", "answered_at"]
    if QUESTION_RATINGS:
        fields.append("rating")
    rows = Question.objects.filter(_paths_q(paths), asked_at__gte=first, asked_at__lt=last)
    return [
        QuestionRecord(
            region_path=r["region_path"],
            asked_at=r["asked_at"],
            due_at=r["due_at"],
            answered_at=r["answered_at"],
            rating=r.get("rating"),
        )
        for r in rows.values(*fields)
    ]
