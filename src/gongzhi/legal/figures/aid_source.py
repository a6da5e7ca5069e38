"""The legal-aid applications the figures count, one light record each (one query).

The first decision counts: refused when the director refused it (a reason written), granted
otherwise; an objection that later ordered aid leaves the first decision a refusal."""

from __future__ import annotations

from ..models.aid import Application
from .sources import AidRecord

FIELDS = (
    "region_path",
    "matter_type__code",
    "matter_type__name",
    "received_at",
    "decision_due",
    "decided_at",
    "refusal_reason",
    "assigned_at",
    "rating",
)


def records(*, paths_q, first, last) -> list[AidRecord]:
    rows = Application.objects.filter(paths_q, received_at__gte=first, received_at__lt=last)
    out = []
    for r in rows.order_by().values_list(*FIELDS).iterator(chunk_size=2000):
        path, code, name, received, due, decided, refusal, assigned, rating = r
        out.append(
            AidRecord(
                region_path=path,
                type_key=code or "-",
                type_name=name or "—",
                received_at=received,
                decision_due=due,
                decided_at=decided,
                granted=decided is not None and not refusal,
                refused=decided is not None and bool(refusal),
                assigned_at=assigned,
                rating=rating,
            )
        )
    return out
