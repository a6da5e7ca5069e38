"""Signals the accounts app sends for apps above it to act on (it imports none of them)."""

from django.dispatch import Signal

# A person asked to reveal personal data more often than the limit allows: sent once a
# period with ``viewer``, ``rate`` and ``kind``; the notify app alerts the administrators.
reveal_limit_reached = Signal()
