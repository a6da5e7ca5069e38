"""海东 demo of the community app (智慧社区/智慧乡村) in 乐都区: estates with their property
companies, 2,000 volunteers in teams, patrol routes, three villages' points shops
(``cast``); then a year of history through the rooms' own services, dated in the past
(``history``): repairs answered, late, escalated and rated, with the companies' monthly
scores; notices read and answered; shifts signed up for and attended; a month of patrols
with misses; points awarded, reversed and redeemed; 移风易俗 registrations.

Idempotent: the cast is found by codes, names and user names, and each part of the
history is made only when its records are not there yet.
"""

from __future__ import annotations

import time


def load(*, stdout=None) -> dict:
    from . import cast as cast_module
    from . import history

    started = time.monotonic()
    cast = cast_module.load()
    counts = dict(cast.created)
    counts.update(history.load(cast))
    if stdout is not None:
        stdout.write(f"community: {counts} in {time.monotonic() - started:.1f} s\n")
    return {"counts": counts, "logins": cast.logins}
