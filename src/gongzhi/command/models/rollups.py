"""The rollups: the case figures counted once per day and township, so the screen and the
analytics read a few thousand rows instead of scanning millions of cases.

Tables by what they are read for: ``TownDay`` (township, lead unit: totals, units,
places, days), ``CaseDay`` (… category, channel: those breakdowns), ``GridDay`` (… grid),
``DurationDay`` (histograms), ``ReturnDay`` (returns, by the unit that returned), each with a ``…Month`` twin summed from its days, so a long
period reads its whole months from the month table and only its odd days from the day one.

Each row counts, under its key, the cases *reported* that day (``reported`` and every
measure of those cases as they are now: open, overdue, returned, the three rates' counts,
the command centre's acceptance and dispatch in time, the calls answered directly)
and the cases *closed* that day (``closed``). Readers always SUM rows.

A key is (day, township path, …): a case's ``region_path`` cut to its township (shorter
paths are kept whole, "" for a case not located). ``unit`` is the lead unit's id (0: none),
``category`` the first-level category's id, ``grid`` the grid's id (0: none). Ids, not
foreign keys: a rollup row never holds up deleting a unit, and is recounted anyway.

The rows of one (day, township) are recounted together from the records (``rollups.py``)
whenever a case there changes; ``StaleDay`` is the durable mark of those still to recount.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "TownDay",
    "TownMonth",
    "CaseDay",
    "CaseMonth",
    "GridDay",
    "GridMonth",
    "DurationDay",
    "DurationMonth",
    "ReturnDay",
    "ReturnMonth",
    "StaleDay",
    "RollupClock",
]

MEASURES = (
    "reported",
    "closed",
    "open",
    "overdue",
    "returned",
    "response_base",
    "responded",
    "rated",
    "solved",
    "satisfied",
    # The command centre's own steps (cases.stats' 按时受理率/按时派遣率), and the calls
    # answered on the phone (直接答复), counted apart from the rates.
    "accept_base",
    "accepted_in_time",
    "dispatch_base",
    "dispatched_in_time",
    "answered",
)

MEASURE_LABELS = {
    "reported": _("reported"),
    "closed": _("closed"),
    "open": _("still open"),
    "overdue": _("overdue"),
    "returned": _("returned by a unit"),
    "response_base": _("sign-for deadlines decided"),
    "responded": _("signed for in time"),
    "rated": _("rated in a callback"),
    "solved": _("said solved"),
    "satisfied": _("satisfied"),
    "accept_base": _("acceptance deadlines decided"),
    "accepted_in_time": _("accepted in time"),
    "dispatch_base": _("dispatch deadlines decided"),
    "dispatched_in_time": _("dispatched in time"),
    "answered": _("answered directly"),
}


def _measure(name):
    # db_default: INSERT … SELECT lists only the measures a pass counts.
    return models.PositiveIntegerField(MEASURE_LABELS[name], default=0, db_default=0)


class _Measures(models.Model):
    day = models.DateField(_("day"))
    region_path = models.CharField(_("township path"), max_length=64, blank=True)
    unit = models.IntegerField(_("lead unit id"), default=0)
    reported = _measure("reported")
    closed = _measure("closed")
    open = _measure("open")
    overdue = _measure("overdue")
    returned = _measure("returned")
    response_base = _measure("response_base")
    responded = _measure("responded")
    rated = _measure("rated")
    solved = _measure("solved")
    satisfied = _measure("satisfied")
    accept_base = _measure("accept_base")
    accepted_in_time = _measure("accepted_in_time")
    dispatch_base = _measure("dispatch_base")
    dispatched_in_time = _measure("dispatched_in_time")
    answered = _measure("answered")

    class Meta:
        abstract = True


class TownDay(_Measures):
    """Cases per day, township and lead unit: the narrow table most figures read (totals,
    units, places, days), a few thousand rows a month for a whole city."""

    class Meta:
        verbose_name = _("daily township figures")
        verbose_name_plural = _("daily township figures")
        indexes = [models.Index(fields=["day", "region_path"], name="command_townday_day_path")]

    def __str__(self) -> str:
        return f"{self.day} {self.region_path} unit {self.unit}"


class TownMonth(_Measures):
    """The same per month (``day``: the month's first)."""

    class Meta:
        verbose_name = _("monthly township figures")
        verbose_name_plural = _("monthly township figures")
        indexes = [models.Index(fields=["day", "region_path"], name="command_townmonth_day_path")]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m} {self.region_path} unit {self.unit}"


class _CaseRow(_Measures):
    category = models.IntegerField(_("first-level category id"))
    channel = models.CharField(_("channel"), max_length=20)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day} {self.region_path} {self.category}/{self.channel}"


class CaseDay(_CaseRow):
    """Cases per day, township, lead unit, first-level category and channel (the
    breakdowns by category and by channel)."""

    class Meta:
        verbose_name = _("daily case figures")
        verbose_name_plural = _("daily case figures")
        indexes = [models.Index(fields=["day", "region_path"], name="command_caseday_day_path")]


class CaseMonth(_CaseRow):
    """The same per month (``day``: the month's first), summed from the days: a long
    period reads its whole months here and only its odd days from ``CaseDay``."""

    class Meta:
        verbose_name = _("monthly case figures")
        verbose_name_plural = _("monthly case figures")
        indexes = [models.Index(fields=["day", "region_path"], name="command_casemonth_day_path")]


class _GridRow(_Measures):
    grid = models.IntegerField(_("grid id"), default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day} grid {self.grid}"


class GridDay(_GridRow):
    """Cases per day, township, grid and lead unit (the grid map, a township's grids)."""

    class Meta:
        verbose_name = _("daily grid figures")
        verbose_name_plural = _("daily grid figures")
        indexes = [models.Index(fields=["day", "region_path"], name="command_gridday_day_path")]


class GridMonth(_GridRow):
    """The same per month (``day``: the month's first)."""

    class Meta:
        verbose_name = _("monthly grid figures")
        verbose_name_plural = _("monthly grid figures")
        indexes = [models.Index(fields=["day", "region_path"], name="command_gridmonth_day_path")]


class Kind(models.TextChoices):
    SIGN = "sign", _("Time to sign for")
    RESOLVE = "resolve", _("Time to resolve")


class _DurationRow(models.Model):
    """How long the cases reported on a day took, as histograms (``rollups.EDGES``):
    ``sign`` dispatched → signed for, ``resolve`` reported → resolved."""

    Kind = Kind

    day = models.DateField(_("day reported"))
    region_path = models.CharField(_("township path"), max_length=64, blank=True)
    unit = models.IntegerField(_("lead unit id"), default=0)
    category = models.IntegerField(_("first-level category id"))
    channel = models.CharField(_("channel"), max_length=20)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    bucket = models.PositiveSmallIntegerField(_("bucket"))
    count = models.PositiveIntegerField(_("cases"), default=0, db_default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day} {self.kind} #{self.bucket}: {self.count}"


class DurationDay(_DurationRow):
    class Meta:
        verbose_name = _("daily durations")
        verbose_name_plural = _("daily durations")
        indexes = [models.Index(fields=["day", "region_path"], name="command_durationday_day_path")]


class DurationMonth(_DurationRow):
    """The same per month (``day``: the month's first)."""

    class Meta:
        verbose_name = _("monthly durations")
        verbose_name_plural = _("monthly durations")
        indexes = [
            models.Index(fields=["day", "region_path"], name="command_durationmonth_day_path")
        ]


class _ReturnRow(models.Model):
    """The returns (退回) made on a day, by the unit that sent the case back (the return's
    ``actor_organisation``, 0: none), keyed by the case's township and grid: the unit that
    returned a case carries it in its assessment, whoever leads the case later. Unlike the
    other tables, ``day`` is the return's day, not the case's reporting day."""

    day = models.DateField(_("day returned"))
    region_path = models.CharField(_("township path"), max_length=64, blank=True)
    unit = models.IntegerField(_("returning unit id"), default=0)
    grid = models.IntegerField(_("grid id"), default=0)
    returned = models.PositiveIntegerField(_("returns"), default=0, db_default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day} {self.region_path} unit {self.unit}: {self.returned}"


class ReturnDay(_ReturnRow):
    class Meta:
        verbose_name = _("daily returns")
        verbose_name_plural = _("daily returns")
        indexes = [models.Index(fields=["day", "region_path"], name="command_returnday_day_path")]


class ReturnMonth(_ReturnRow):
    """The same per month (``day``: the month's first)."""

    class Meta:
        verbose_name = _("monthly returns")
        verbose_name_plural = _("monthly returns")
        indexes = [models.Index(fields=["day", "region_path"], name="command_returnmonth_day_path")]


class StaleDay(models.Model):
    """A (day, township) whose rows must be recounted: written in the transaction that
    changed a case there, so a process that dies before recounting loses nothing."""

    day = models.DateField(_("day"))
    region_path = models.CharField(_("township path"), max_length=64, blank=True)
    marked_at = models.DateTimeField(_("marked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("day to recount")
        verbose_name_plural = _("days to recount")
        constraints = [
            models.UniqueConstraint(fields=["day", "region_path"], name="command_staleday_key")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.region_path}"


class RollupClock(models.Model):
    """When a periodic pass last ran (the sign-for deadlines that passed since then turn
    into the response rate's base without any write to their case)."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("rollup clock")
        verbose_name_plural = _("rollup clocks")

    def __str__(self) -> str:
        return f"{self.name} {self.at:%Y-%m-%d %H:%M}"
