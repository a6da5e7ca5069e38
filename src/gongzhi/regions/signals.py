"""Keep this process's point → grid index in step with the grids and the region tree."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import lookup
from .models import Grid, Region


@receiver([post_save, post_delete], sender=Grid, dispatch_uid="regions.grid_changed")
@receiver([post_save, post_delete], sender=Region, dispatch_uid="regions.region_changed")
def _grids_changed(**kwargs) -> None:
    lookup.invalidate_on_commit()
