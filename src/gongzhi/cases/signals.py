"""What the cases app tells the apps above it (which it does not import).

``cases_changed`` (``ids``): cases were changed by a bulk ``update()``, which sends no
save signal (the deadline scan's overdue flag); the command centre's rollups recount them.

``case_merged`` (``case``, ``actor``): a person merged ``case`` into ``case.merged_into``
(``workflow.services.do_transition``), inside the merge's transaction; triage keeps the pair
as a verdict.
"""

from django.dispatch import Signal

cases_changed = Signal()
case_merged = Signal()
