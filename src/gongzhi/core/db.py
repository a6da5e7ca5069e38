"""Database helpers for long-running commands (deadline watcher, simulator)."""

from django.db import close_old_connections, connection


def refresh_connection() -> None:
    """Drop a dead or expired connection before the next unit of work.

    Inside an atomic block (a caller's transaction, as in tests) closing would break that
    transaction, so the connection is left alone there.
    """
    if not connection.in_atomic_block:
        close_old_connections()


# Primary keys fit a signed 32-bit integer; a bigger number is refused at the edge rather
# than reaching PostgreSQL as an out-of-range parameter.
MAX_ID = 2_147_483_647
