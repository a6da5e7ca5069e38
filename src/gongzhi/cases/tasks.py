"""Background work of the cases app.

``scan_deadlines`` runs one deadline scan (``cases.deadlines.scan``). It is safe to queue it
any number of times and from any number of places: every notice is claimed with a
conditional UPDATE, so overlapping runs never notify twice and a skipped run is caught up by
the next one. ``gongzhi cases watch`` runs the same scan on a timer in the foreground.
"""

from django_tasks import task

from gongzhi.cases.workflow import deadlines


@task()
def scan_deadlines() -> dict:
    """Warn before cases are due and mark the overdue ones; returns the counts."""
    return deadlines.scan()
