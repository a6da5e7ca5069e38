"""What most community records share: their community or village, with its path copied (so
scoping needs no join)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.regions import areas as area
from gongzhi.regions.models import Region


class InPlaceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see their area's records (a community's staff their community, a township
        its communities and villages, a county or the city theirs); a resident sees their own
        community's. Rooms whose records are personal (a household's points) narrow this."""
        from gongzhi.people.members import visible_paths

        return area.within(self, *visible_paths(user))


class InPlace(models.Model):
    region = models.ForeignKey(
        Region,
        verbose_name=_("community or village"),
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
