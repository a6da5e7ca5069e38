"""行政区划 and 网格: the administrative tree and the grids under communities.

Geometry is stored as GeoJSON text in WGS84 (lon, lat) so that SQLite and PostgreSQL hold
the same thing without a spatial extension; shapely does the geometry in process and the
lookup index lives in ``regions.lookup``. Each row keeps its bounding box in plain columns
so that a database can pre-filter by box.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStampedModel
from gongzhi.core.scope import ScopedQuerySet


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County / district")
    TOWNSHIP = "township", _("Township / subdistrict")
    COMMUNITY = "community", _("Community / village")


LEVEL_ORDER = [c.value for c in RegionLevel]


class BoundaryMixin(models.Model):
    """A WGS84 boundary as GeoJSON text plus its bounding box and centre."""

    boundary = models.JSONField(_("boundary (GeoJSON, WGS84)"), null=True, blank=True)
    min_lng = models.FloatField(_("west bound"), null=True, blank=True, editable=False)
    min_lat = models.FloatField(_("south bound"), null=True, blank=True, editable=False)
    max_lng = models.FloatField(_("east bound"), null=True, blank=True, editable=False)
    max_lat = models.FloatField(_("north bound"), null=True, blank=True, editable=False)
    centre_lng = models.FloatField(_("centre longitude"), null=True, blank=True)
    centre_lat = models.FloatField(_("centre latitude"), null=True, blank=True)
    area_km2 = models.FloatField(_("area (km²)"), null=True, blank=True, editable=False)
    is_synthetic = models.BooleanField(
        _("synthetic"),
        default=False,
        help_text=_("Generated for the demo rather than taken from an official source."),
    )
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        from .geometry import boundary_stats

        if self.boundary:
            stats = boundary_stats(self.boundary)
            self.min_lng, self.min_lat, self.max_lng, self.max_lat = stats.bbox
            self.area_km2 = stats.area_km2
            if self.centre_lng is None or self.centre_lat is None:
                self.centre_lng, self.centre_lat = stats.centre
        super().save(*args, **kwargs)


class Region(BoundaryMixin, TimeStampedModel):
    """A node of the administrative tree, keyed by its national code (adcode).

    ``path`` is the chain of codes from the root, "/630000/630200/630202/", so a subtree is
    one ``path__startswith`` query.
    """

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=12, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=255, db_index=True, editable=False)

    scope_region_path = "path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and not {"parent", "code"} & set(update_fields):
            return super().save(*args, **kwargs)  # the path cannot have changed
        new_path = (self.parent.path if self.parent_id else "/") + f"{self.code}/"
        with transaction.atomic():
            old_path = self._stored_path() if self.pk else None
            if old_path and old_path != new_path and new_path.startswith(old_path):
                raise ValueError(f"region {self.code} cannot be moved under its own subtree")
            self.path = new_path
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "path"}
            super().save(*args, **kwargs)
            if old_path and old_path != new_path:
                move_subtree(old_path, new_path)

    def clean(self):
        super().clean()
        if self.parent_id is None:
            return
        parent = self.parent
        stored = self._stored_path() if self.pk else None
        if parent.pk == self.pk or (stored and parent.path.startswith(stored)):
            raise ValidationError({"parent": _("A region cannot be placed under itself.")})
        if LEVEL_ORDER.index(parent.level) >= LEVEL_ORDER.index(self.level):
            raise ValidationError({"parent": _("The parent must be at a higher level.")})

    def _stored_path(self) -> str | None:
        return Region.objects.filter(pk=self.pk).values_list("path", flat=True).first()

    def ancestors(self):
        codes = [c for c in self.path.strip("/").split("/") if c and c != self.code]
        return Region.objects.filter(code__in=codes).order_by("path")

    def descendants(self, include_self: bool = False):
        qs = Region.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

    @property
    def full_name(self) -> str:
        return (
            "".join(r.name for r in self.ancestors().exclude(level=RegionLevel.PROVINCE))
            + self.name
        )


def path_prefixes(path: str) -> list[str]:
    """The paths of a region path's chain, root first, the path itself last: the regions
    that hold a place ("/630000/630200/630202/" → its province's, city's, county's)."""
    codes = [c for c in (path or "").strip("/").split("/") if c]
    return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


def county_path(path: str) -> str:
    """The path of the county (or district) holding a place; "" when none does."""
    county = Region.objects.filter(path__in=path_prefixes(path), level=RegionLevel.COUNTY)
    return county.values_list("path", flat=True).first() or ""


def move_subtree(old_path: str, new_path: str) -> None:
    """Rewrite the materialised paths below a moved region and of the grids under it.

    One UPDATE per table (no signals fire), so callers run it inside their transaction.
    """
    now = timezone.now()
    tail = Substr("path", len(old_path) + 1)
    Region.objects.filter(path__startswith=old_path).exclude(path=old_path).update(
        path=Concat(models.Value(new_path), tail, output_field=models.CharField()),
        updated_at=now,
    )
    Grid.objects.filter(region_path__startswith=old_path).update(
        region_path=Concat(
            models.Value(new_path),
            Substr("region_path", len(old_path) + 1),
            output_field=models.CharField(),
        ),
        updated_at=now,
    )
    from .lookup import invalidate

    invalidate()  # the grids' region chains changed without a save() signal


class Grid(BoundaryMixin, TimeStampedModel):
    """网格: the smallest management area, under a community, with its grid workers."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    community = models.ForeignKey(
        Region,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="grids",
        limit_choices_to={"level": RegionLevel.COMMUNITY},
    )
    # Denormalised from the community so scoping and lookups need no join.
    region_path = models.CharField(_("region path"), max_length=255, db_index=True, editable=False)
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    workers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="GridAssignment",
        related_name="grids",
        verbose_name=_("grid workers"),
        blank=True,
    )

    scope_region_path = "region_path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs):
        self.region_path = self.community.path
        super().save(*args, **kwargs)


class GridAssignment(TimeStampedModel):
    class Duty(models.TextChoices):
        PRIMARY = "primary", _("Full-time grid worker")
        PART_TIME = "part_time", _("Part-time grid worker")
        SUPERVISOR = "supervisor", _("Grid supervisor")

    grid = models.ForeignKey(
        Grid, verbose_name=_("grid"), on_delete=models.CASCADE, related_name="assignments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("grid worker"),
        on_delete=models.CASCADE,
        related_name="grid_assignments",
    )
    duty = models.CharField(_("duty"), max_length=12, choices=Duty.choices, default=Duty.PRIMARY)
    since = models.DateField(_("since"), null=True, blank=True)

    scope_region_path = "grid__region_path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("grid assignment")
        verbose_name_plural = _("grid assignments")
        constraints = [
            models.UniqueConstraint(fields=["grid", "user"], name="unique_grid_worker"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.grid}"


class Street(TimeStampedModel):
    """A street of the gazetteer (街路巷), so that an address such as "西大街12号" can be put
    on the map: its name and other names, the township or community it lies in, and where
    it runs — a line (WGS84 GeoJSON LineString, drawn from house number ``number_from`` to
    ``number_to``) or, for a short lane, one point. ``regions.gazetteer`` reads it."""

    name = models.CharField(_("name"), max_length=60)
    aliases = models.CharField(
        _("other names"),
        max_length=300,
        blank=True,
        help_text=_("Other names of the street, separated by commas."),
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("township or community"),
        on_delete=models.CASCADE,
        related_name="streets",
        limit_choices_to={"level__in": [RegionLevel.TOWNSHIP, RegionLevel.COMMUNITY]},
    )
    geometry = models.JSONField(
        _("line or point (GeoJSON, WGS84)"),
        help_text=_("A LineString drawn in the order of the house numbers, or a Point."),
    )
    number_from = models.PositiveIntegerField(_("first house number"), null=True, blank=True)
    number_to = models.PositiveIntegerField(_("last house number"), null=True, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    is_synthetic = models.BooleanField(
        _("synthetic"),
        default=False,
        help_text=_("Generated for the demo rather than taken from an official source."),
    )
    source = models.CharField(_("source"), max_length=200, blank=True)

    scope_region_path = "region__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("street")
        verbose_name_plural = _("streets")
        ordering = ["region__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="unique_street_in_region"),
        ]

    def __str__(self) -> str:
        return self.name

    def names(self) -> list[str]:
        """The name and its other names, longest first."""
        others = [a.strip() for a in self.aliases.replace("，", ",").replace("、", ",").split(",")]
        return sorted({self.name, *filter(None, others)}, key=len, reverse=True)

    def clean(self):
        from .gazetteer import GeometryError, street_shape

        try:
            street_shape(self.geometry)
        except GeometryError as error:
            raise ValidationError({"geometry": str(error)}) from None
        if (self.number_from is None) != (self.number_to is None):
            raise ValidationError(
                {"number_to": _("Give both house numbers of the range, or neither.")}
            )
