"""Cameras and sensors, what they report, and what they raise.

* ``CameraType`` (reference rows): 枪机, 球机, 半球, 全景 …
* ``DeviceType`` (reference rows): smart manhole cover, water level, smoke, gas, hydrant
  pressure: what each measures, its unit, which side of which threshold is an alarm, the
  readings that range can hold, how often it reports (its heartbeat), how many readings in
  a row raise or clear an alarm, whether its alarms are urgent and the case category they
  raise.
* ``Camera``: one video source with its national code (GB/T 28181, ``codes``), place, view
  (direction, field of view, range), type, owner unit, public or 社会面, stream and status.
* ``Device``: one IoT sensor with its own code, type, place, owner, latest reading, status
  and alarm state.
* ``Reading``: one value a device reported (kept downsampled by the ingester).
* ``Alarm``: a device's value past its threshold, from raised to cleared, and its case.
* ``Event``: what a camera's rule saw (a person in a forbidden zone, a crowd, …), with its
  snapshot and clip, until a duty officer confirms it (a case) or dismisses it.

Every model has ``objects.visible_to(user)``, the one rule in ``access``. Cameras and
devices carry their community, grid and region path (copied when placed) and their owner,
so that rule filters their own columns.

A camera's analysis settings (which detectors run, the frames per second it can sustain)
are fields on ``Camera``; its ``Rule``s (forbidden zone, crowd of N for T seconds,
loitering longer than T, left or removed object, motion) are drawn on its picture, each with
a dedup window. ``Event.rule`` is the rule that fired, ``Event.rule_code`` its code (kept
when a rule is deleted).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Organisation
from gongzhi.core.choices import ChoiceSet
from gongzhi.core.models import Reference, TimeStampedModel
from gongzhi.regions.models import Grid, Region

from .access import scope_q
from .choices import Comparison, DeviceState, EventState
from .codes import validate_camera_code

# -- reference rows ----------------------------------------------------------------------------


class CameraType(Reference):
    pans = models.BooleanField(
        _("pans and tilts (PTZ)"),
        default=False,
        help_text=_("A dome camera turns: its direction is where it points at rest."),
    )

    class Meta(Reference.Meta):
        verbose_name = _("camera type")
        verbose_name_plural = _("camera types")


class DeviceType(Reference):
    quantity = models.CharField(
        _("measures"), max_length=40, help_text=_("What a reading is, e.g. 倾角 (tilt).")
    )
    unit = models.CharField(_("unit"), max_length=12, blank=True)
    comparison = models.CharField(
        _("alarm when"), max_length=6, choices=Comparison.choices, default=Comparison.ABOVE
    )
    threshold = models.FloatField(_("threshold"))
    valid_min = models.FloatField(
        _("lowest possible reading"),
        null=True,
        blank=True,
        help_text=_("A reading outside the possible range is refused as faulty."),
    )
    valid_max = models.FloatField(_("highest possible reading"), null=True, blank=True)
    heartbeat_seconds = models.PositiveIntegerField(
        _("reports every (seconds)"),
        help_text=_("A device silent for longer than this (and a little grace) is offline."),
    )
    debounce = models.PositiveSmallIntegerField(
        _("readings in a row"),
        default=1,
        help_text=_(
            "An alarm is raised after this many readings past the threshold, and "
            "cleared after as many normal ones."
        ),
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    category_code = models.CharField(
        _("case category"),
        max_length=40,
        help_text=_("The code of the case category an alarm raises, e.g. G02.01."),
    )

    class Meta(Reference.Meta):
        verbose_name = _("device type")
        verbose_name_plural = _("device types")

    def is_alarm(self, value: float, threshold: float | None = None) -> bool:
        limit = self.threshold if threshold is None else threshold
        return value > limit if self.comparison == Comparison.ABOVE else value < limit

    def is_possible(self, value: float) -> bool:
        return (self.valid_min is None or value >= self.valid_min) and (
            self.valid_max is None or value <= self.valid_max
        )


# -- scoping -----------------------------------------------------------------------------------


class SensingQuerySet(models.QuerySet):
    """``visible_to(user)``: the rule in ``access``, on the model's own columns or on its
    camera's or device's (``scope_prefix``)."""

    def visible_to(self, user):
        return self.filter(scope_q(user, prefix=self.model.scope_prefix))


class PlacedQuerySet(SensingQuerySet):
    def online(self):
        """Enabled, heard from, and not marked offline since."""
        return self.filter(enabled=True, last_seen_at__isnull=False, offline_since__isnull=True)


class Placed(TimeStampedModel):
    """Where a camera or device is: its community or village, grid, point, the community's
    path (copied so that scoping needs no join) and the unit that owns it."""

    region = models.ForeignKey(
        Region, verbose_name=_("community or village"), on_delete=models.PROTECT, related_name="+"
    )
    grid = models.ForeignKey(
        Grid,
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    region_path = models.CharField(_("region path"), max_length=255, db_index=True)
    lng = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    owner = models.ForeignKey(
        Organisation, verbose_name=_("owner unit"), on_delete=models.PROTECT, related_name="+"
    )
    enabled = models.BooleanField(
        _("in service"),
        default=True,
        help_text=_("Out of service: not watched, and not counted in the working rate."),
    )
    # Status, from heartbeats: seen last, and offline since (empty while online).
    last_seen_at = models.DateTimeField(_("last heard from"), null=True, blank=True)
    offline_since = models.DateTimeField(_("offline since"), null=True, blank=True)

    scope_prefix = ""

    class Meta:
        abstract = True

    @property
    def is_online(self) -> bool:
        return self.enabled and self.last_seen_at is not None and self.offline_since is None


# -- cameras -----------------------------------------------------------------------------------


class Camera(Placed):
    code = models.CharField(
        _("national code"),
        max_length=20,
        unique=True,
        validators=[validate_camera_code],
        help_text=_("The 20-digit code of GB/T 28181."),
    )
    name = models.CharField(_("name"), max_length=100)
    type = models.ForeignKey(
        CameraType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="cameras"
    )
    direction = models.PositiveSmallIntegerField(
        _("direction (°)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(359)],
        help_text=_("Clockwise from north; empty for a camera that sees all round."),
    )
    field_of_view = models.PositiveSmallIntegerField(
        _("field of view (°)"), default=60, validators=[MaxValueValidator(360)]
    )
    range_m = models.PositiveIntegerField(_("range (m)"), default=50)
    social = models.BooleanField(
        _("social (社会面) camera"),
        default=False,
        help_text=_("Owned by a shop, an estate or a firm and joined in, not a public camera."),
    )
    # May hold credentials: shown to administrators only.
    stream_url = models.CharField(_("stream address"), max_length=500, blank=True)
    # Analysis: which detectors the watcher runs, and how many frames a second it analyses
    # (frames in between are skipped undecoded, so a busy machine falls behind nowhere).
    detect_people = models.BooleanField(_("detect people"), default=True)
    detect_motion = models.BooleanField(
        _("detect motion and objects"),
        default=True,
        help_text=_("Background subtraction: motion, and objects left or removed."),
    )
    analysis_fps = models.FloatField(
        _("frames analysed a second"),
        default=4.0,
        validators=[MinValueValidator(0.1), MaxValueValidator(30)],
    )

    objects = PlacedQuerySet.as_manager()

    class Meta:
        verbose_name = _("camera")
        verbose_name_plural = _("cameras")
        ordering = ["region_path", "code"]
        indexes = [
            models.Index(fields=["grid", "enabled"], name="sensing_camera_grid"),
            models.Index(fields=["owner", "enabled"], name="sensing_camera_owner"),
        ]

    def __str__(self) -> str:
        return self.name


class RuleKind(ChoiceSet):
    ZONE = "zone", _("Forbidden zone")
    CROWD = "crowd", _("Crowd (more than N people for T seconds)")
    LOITERING = "loitering", _("Loitering (longer than T seconds)")
    OBJECT = "object", _("Object left or removed")
    MOTION = "motion", _("Motion")


class Rule(TimeStampedModel):
    """What a camera watches for, in a zone drawn on its picture.

    ``zone`` is a polygon of ``[x, y]`` points, each 0..1 of the picture's width and height
    (so a rule survives a change of resolution); empty means the whole picture. A person is
    in the zone when the middle of the bottom of their box (their feet) is."""

    camera = models.ForeignKey(
        Camera, verbose_name=_("camera"), on_delete=models.CASCADE, related_name="rules"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=RuleKind.choices)
    zone = models.JSONField(_("zone"), default=list, blank=True)
    people = models.PositiveSmallIntegerField(
        _("people"), default=1, help_text=_("A crowd: more than this many people.")
    )
    seconds = models.PositiveIntegerField(
        _("seconds"),
        default=0,
        help_text=_("How long it must last: a crowd, loitering, an object left or removed."),
    )
    dedup_seconds = models.PositiveIntegerField(
        _("dedup window (seconds)"),
        default=60,
        help_text=_("Within this time after an event, the same rule raises no other."),
    )
    creates_case_directly = models.BooleanField(
        _("raises a case at once"),
        default=False,
        help_text=_("Without waiting for a duty officer to confirm the event."),
    )
    category_code = models.CharField(
        _("case category"),
        max_length=40,
        help_text=_("The code of the case category a confirmed event raises."),
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    enabled = models.BooleanField(_("enabled"), default=True)

    scope_prefix = "camera__"
    objects = SensingQuerySet.as_manager()

    class Meta:
        verbose_name = _("video rule")
        verbose_name_plural = _("video rules")
        ordering = ["camera", "code"]
        constraints = [models.UniqueConstraint(fields=["camera", "code"], name="sensing_rule_code")]

    def __str__(self) -> str:
        return f"{self.camera_id} · {self.code}"


class Event(models.Model):
    """What one of a camera's rules saw, once per episode (the watcher's dedup window)."""

    camera = models.ForeignKey(
        Camera, verbose_name=_("camera"), on_delete=models.PROTECT, related_name="events"
    )
    rule = models.ForeignKey(
        Rule,
        verbose_name=_("rule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    rule_code = models.CharField(_("rule"), max_length=40)
    at = models.DateTimeField(_("at"))
    details = models.JSONField(
        _("detections"), default=dict, blank=True, help_text=_("Boxes, counts and scores.")
    )
    snapshot = models.CharField(_("snapshot"), max_length=200, blank=True)
    clip = models.CharField(_("clip"), max_length=200, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=EventState.choices, default=EventState.NEW
    )
    dismiss_reason = models.CharField(_("why dismissed"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    case_number = models.CharField(_("case raised"), max_length=30, blank=True)

    scope_prefix = "camera__"
    objects = SensingQuerySet.as_manager()

    class Meta:
        verbose_name = _("video event")
        verbose_name_plural = _("video events")
        ordering = ["-at", "-id"]
        indexes = [
            # The console's list of new events, and the dedup window's question.
            models.Index(fields=["state", "at"], name="sensing_event_state"),
            models.Index(fields=["camera", "rule_code", "at"], name="sensing_event_rule"),
        ]

    def __str__(self) -> str:
        return f"{self.camera_id} · {self.rule_code} · {self.at:%Y-%m-%d %H:%M:%S}"


# -- devices -----------------------------------------------------------------------------------


class Device(Placed):
    code = models.CharField(
        _("device code"),
        max_length=64,
        unique=True,
        help_text=_("The code the device reports under (its MQTT client or IMEI)."),
    )
    name = models.CharField(_("name"), max_length=100)
    type = models.ForeignKey(
        DeviceType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="devices"
    )
    address = models.CharField(_("where"), max_length=200, blank=True)
    threshold = models.FloatField(
        _("own threshold"),
        null=True,
        blank=True,
        help_text=_("Empty: the type's. A deeper well or a higher bridge may need its own."),
    )
    last_value = models.FloatField(_("last reading"), null=True, blank=True)
    last_reading_at = models.DateTimeField(_("last reading at"), null=True, blank=True)
    state = models.CharField(
        _("alarm state"), max_length=6, choices=DeviceState.choices, default=DeviceState.NORMAL
    )
    # Readings in a row on the other side of the threshold from ``state`` (the debounce).
    streak = models.PositiveSmallIntegerField(_("readings in a row"), default=0)

    objects = PlacedQuerySet.as_manager()

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["region_path", "code"]
        indexes = [
            models.Index(fields=["grid", "enabled"], name="sensing_device_grid"),
            models.Index(fields=["owner", "enabled"], name="sensing_device_owner"),
            models.Index(fields=["type", "last_seen_at"], name="sensing_device_seen"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def limit(self) -> float:
        return self.type.threshold if self.threshold is None else self.threshold


class Reading(models.Model):
    device = models.ForeignKey(
        Device, verbose_name=_("device"), on_delete=models.CASCADE, related_name="readings"
    )
    at = models.DateTimeField(_("at"))
    value = models.FloatField(_("value"))

    scope_prefix = "device__"
    objects = SensingQuerySet.as_manager()

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")
        ordering = ["-at"]
        indexes = [
            # A device's history, newest first, and the downsampler's sweep by time.
            models.Index(fields=["device", "-at"], name="sensing_reading_history"),
            models.Index(fields=["at"], name="sensing_reading_at"),
        ]

    def __str__(self) -> str:
        return f"{self.device_id} · {self.at:%Y-%m-%d %H:%M:%S} · {self.value}"


class Alarm(models.Model):
    device = models.ForeignKey(
        Device, verbose_name=_("device"), on_delete=models.PROTECT, related_name="alarms"
    )
    raised_at = models.DateTimeField(_("raised at"))
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    value = models.FloatField(_("reading that raised it"))
    case_number = models.CharField(_("case raised"), max_length=30, blank=True)

    scope_prefix = "device__"
    objects = SensingQuerySet.as_manager()

    class Meta:
        verbose_name = _("alarm")
        verbose_name_plural = _("alarms")
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["raised_at"], name="sensing_alarm_raised")]
        constraints = [
            # However many ingesters run, a device has at most one alarm open.
            models.UniqueConstraint(
                fields=["device"],
                condition=Q(cleared_at__isnull=True),
                name="sensing_one_open_alarm",
            )
        ]

    def __str__(self) -> str:
        return f"{self.device_id} · {self.raised_at:%Y-%m-%d %H:%M:%S}"
