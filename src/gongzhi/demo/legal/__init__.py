"""海东 demo of the public legal services: the county legal-aid centres, notary offices and
service points with their staff (``staff``), then each room's history made through its
own services: legal-aid applications in every state (``aid``), questions and answers
(``advice``), notary bookings (``notary``) and 普法 campaigns (``outreach``).

Idempotent: each part creates nothing when its records are already there.
"""

from __future__ import annotations

from . import staff


def load(*, stdout=None) -> dict:
    from . import advice, aid, notary, outreach

    people = staff.load(stdout=stdout)
    counts = {"staff": people["counts"]}
    for name, part in (
        ("aid", aid),
        ("advice", advice),
        ("notary", notary),
        ("outreach", outreach),
    ):
        loader = getattr(part, "load", None)
        if loader is not None:
            counts[name] = loader(stdout=stdout)
    return {"counts": counts, "logins": people["logins"]}
