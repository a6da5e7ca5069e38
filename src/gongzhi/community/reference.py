"""The community app's reference rows (repair categories and promises, points rules, 移风易俗
caps): each room seeds its own; ``ensure_seeded`` runs them all (tests, the demo)."""

from __future__ import annotations


def ensure_seeded() -> None:
    from .customs import reference as customs
    from .points import reference as points
    from .repairs import reference as repairs

    for room in (repairs, points, customs):
        room.ensure_seeded()
