"""What every record of the deliberation hall shares: its village or community, copied
path (so scoping needs no join) and a readable number."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.regions import areas as area
from gongzhi.regions.models import Region


class InVillageQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see their area's records (a village's committee its village, a township
        all its villages, a county or the city theirs); a resident sees their own
        village's. The one scoping method for every list a signed-in user sees; the public
        page reads ``public()`` instead."""
        from ..members import visible_paths

        return area.within(self, *visible_paths(user))


class InVillage(models.Model):
    region = models.ForeignKey(
        Region,
        verbose_name=_("village or community"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    region_path = models.CharField(_("region path"), max_length=255, db_index=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.region_id and not self.region_path:
            self.region_path = Region.objects.values_list("path", flat=True).get(pk=self.region_id)
        super().save(*args, **kwargs)
