"""Topics' services (``check_*`` / ``do_*``, keyword-only)."""

from __future__ import annotations


def item_decided(item, *, now) -> None:
    """Called by the meetings room, in the transaction that closes a meeting, for each of
    its agenda items that is a topic: the topic takes the meeting's outcome (decided, or
    back to waiting when the meeting had no quorum). To be written by the topics room."""
