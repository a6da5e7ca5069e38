"""Selectors for the openness pages and the matter page's panel."""

from __future__ import annotations


def matter_panel(matter, user) -> dict:
    """What the matter page shows of its publications, objections, implementations,
    progress and ratings, and what this user may do there (the template
    ``deliberation/openness/_matter_panel.html`` reads it as ``openness``)."""
    return {}
