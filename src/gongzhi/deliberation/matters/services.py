"""Major matters' services (``check_*`` / ``do_*``, keyword-only)."""

from __future__ import annotations


def item_decided(item, *, now) -> None:
    """Called by the meetings room, in the transaction that closes a meeting, for each of
    its agenda items that is a major matter: the step the meeting took (党员大会审议 or
    村民(代表)会议决议) is recorded from the meeting (who took part, the votes, the
    minutes) and the matter moves on, or fails. To be written by the matters room."""
