"""What the rollups hear: cases, callbacks and timeline entries changing (connected when the
app is ready, ``apps.py``).

A case remembers, as it is loaded, the values that place it in the rollups (``post_init``:
no query), so a save marks both the keys it left and the keys it joined. Bulk
``update()``s send no save signal: the cases app sends ``cases_changed`` with their ids
instead (the deadline scan's overdue flag).

A return is counted on its own day (``ReturnDay``), under its case's township and grid: the
return marks that key, and a case that changes place or grid marks its returns' keys where
it was and where it is.
"""

from django.db.models.signals import post_delete, post_init, post_save, pre_delete
from django.dispatch import receiver
from django.utils import timezone

from gongzhi.cases.models import Callback, Case, CaseEvent
from gongzhi.cases.signals import cases_changed

from . import rollups

# The fields a figure depends on: a save that changes none of them changes no figure.
COUNTED = (
    "created_at",
    "region_path",
    "closed_at",
    "state",
    "category_id",
    "owner_id",
    "channel",
    "grid_id",
    "is_overdue",
    "sign_for_due",
    "signed_at",
    "sign_for_met",
    "dispatched_at",
    "resolved_at",
)
NAMES = frozenset(f.removesuffix("_id") for f in COUNTED)
MISSING = object()


def _snapshot(case) -> tuple:
    # From __dict__: a deferred field is not loaded for this (MISSING instead).
    return tuple(case.__dict__.get(name, MISSING) for name in COUNTED)


def _keys(snapshot: tuple) -> set:
    created_at, region_path, closed_at = snapshot[:3]
    if MISSING in (created_at, region_path, closed_at):
        return set()
    return rollups.keys_of(created_at, region_path, closed_at)


PLACE = (COUNTED.index("region_path"), COUNTED.index("grid_id"))


def _placed(snapshot: tuple) -> tuple:
    return tuple(snapshot[i] for i in PLACE)


def _return_keys(case, was: tuple) -> set:
    keys = rollups.return_keys([case.pk])
    old_path = was[PLACE[0]]
    if old_path is not MISSING:
        keys |= rollups.return_keys([case.pk], region_path=old_path)
    return keys


@receiver(post_init, sender=Case, dispatch_uid="command_rollups_case_loaded")
def _case_loaded(sender, instance, **kwargs):
    instance._rollup_was = _snapshot(instance)


@receiver(post_save, sender=Case, dispatch_uid="command_rollups_case_saved")
def _case_saved(sender, instance, created, update_fields=None, **kwargs):
    if update_fields is not None and not {f.removesuffix("_id") for f in update_fields} & NAMES:
        return
    now = _snapshot(instance)
    was = getattr(instance, "_rollup_was", None)
    if not created and was == now:
        return
    keys = _keys(now)
    if was is not None and not created:
        keys |= _keys(was)
        if _placed(was) != _placed(now):  # its returns' rows move with it
            keys |= _return_keys(instance, was)
    rollups.mark(keys)
    instance._rollup_was = now


@receiver(pre_delete, sender=Case, dispatch_uid="command_rollups_case_deleting")
def _case_deleting(sender, instance, **kwargs):
    # Before the cascade takes its timeline: the days of its returns.
    rollups.mark(rollups.return_keys([instance.pk]))


@receiver(post_delete, sender=Case, dispatch_uid="command_rollups_case_deleted")
def _case_deleted(sender, instance, **kwargs):
    rollups.mark(_keys(_snapshot(instance)))


def _case_of(row):
    """The row's case, if it is already loaded; else its keys are read by id."""
    case = row._state.fields_cache.get("case")
    if case is not None:
        rollups.mark(_keys(_snapshot(case)))
    elif row.case_id is not None:
        rollups.mark_cases([row.case_id])


@receiver(post_save, sender=Callback, dispatch_uid="command_rollups_callback_saved")
@receiver(post_delete, sender=Callback, dispatch_uid="command_rollups_callback_deleted")
def _callback_changed(sender, instance, **kwargs):
    _case_of(instance)


# Timeline entries that change a figure without the case changing with them: a return
# (counted as "returned") and the deadline scan's overdue notice.
EVENTS = frozenset({"return", "overdue"})


@receiver(post_save, sender=CaseEvent, dispatch_uid="command_rollups_event_saved")
def _event_saved(sender, instance, created, **kwargs):
    if instance.action in EVENTS:
        _case_of(instance)
    if instance.action == "return" and instance.at is not None:
        case = instance._state.fields_cache.get("case")
        path = case.region_path if case is not None else None
        if path is None:
            path = (
                Case.objects.filter(pk=instance.case_id)
                .values_list("region_path", flat=True)
                .first()
            )
        rollups.mark({(timezone.localdate(instance.at), rollups.township_of(path))})


@receiver(cases_changed, dispatch_uid="command_rollups_cases_changed")
def _cases_changed(sender, ids, **kwargs):
    rollups.mark_cases(ids)
