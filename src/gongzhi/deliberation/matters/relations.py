"""How a person relates to a major matter: the second half of each rule of the table."""

from __future__ import annotations

from .. import members


def leads(actor, matter, scope) -> bool:
    """The village's Party branch secretary (the committee's leader): proposes, withdraws."""
    return members.covers(members.secretary_paths(scope), matter.region_path)


def serves(actor, matter, scope) -> bool:
    """The village's committee and its clerk: record the steps, publish, implement."""
    return members.covers(members.committee_paths(scope), matter.region_path)


PREDICATES = {f.__name__: f for f in (leads, serves)}
