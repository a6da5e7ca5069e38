"""What the cases app tells the apps above it (which it does not import).

``cases_changed`` (``ids``): cases were changed by a bulk ``update()``, which sends no
save signal (the deadline scan's overdue flag); the command centre's rollups recount them.
"""

from django.dispatch import Signal

cases_changed = Signal()
