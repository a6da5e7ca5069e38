"""海东 demo of the deliberation hall (百姓议事厅): in the demo township's villages (those
with households in the register), villagers with accounts, the committee's clerk and the
Party branch secretary (``people``), then a year of history made through the rooms' own
services, dated in the past (``history``): topics raised, supported, answered with a reason
or put on an agenda; meetings noticed, opened, signed in, voted and closed — one without a
quorum; a major matter through 四议两公开 to its implementation (one task late); an
ordinary decision from a topic carried out, its result published and rated.

Idempotent: the people are found by their user names and offices, and the history is made
only when the villages have no topics yet.
"""

from __future__ import annotations

import time


def load(*, stdout=None) -> dict:
    from . import history, people

    started = time.monotonic()
    cast = people.load(stdout=stdout)
    counts = {"villages": len(cast.villages), "accounts": cast.created}
    counts.update(history.load(cast, stdout=stdout))
    if stdout is not None:
        stdout.write(f"deliberation: {counts} in {time.monotonic() - started:.1f} s\n")
    return {"counts": counts, "logins": cast.logins}
