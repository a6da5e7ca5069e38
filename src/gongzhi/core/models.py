from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Reference(TimeStampedModel):
    """A reference row (a dispute type, a care group, …): kept as data that administrators
    edit, each with a stable code, an order in lists and a colour on boards."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    enabled = models.BooleanField(_("enabled"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    colour = models.CharField(_("colour"), max_length=9, default="#6b7280")

    class Meta:
        abstract = True
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class AuditLog(models.Model):
    """Append-only record of sensitive reads and writes (who, what, when, from where).

    Unmasked views of personal data land here too (action ``unmask``), as the
    architecture requires.

    Tamper-evident: rows are numbered without gaps (``seq``) and each carries an HMAC of its
    content and of the previous row's (``core.audit.chain``), so ``gongzhi audit verify``
    finds a changed, removed or inserted row. On PostgreSQL a trigger refuses UPDATE,
    DELETE and TRUNCATE on the table. Nothing purges the log: rows are kept for good.
    """

    seq = models.BigIntegerField(_("sequence number"), unique=True)
    at = models.DateTimeField(_("at"), default=timezone.now, editable=False, db_index=True)
    # Not a database constraint, and never emptied: deleting a user must not touch the
    # append-only rows. ``actor_name``/``actor_ref`` say who acted after the account is gone.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="audit_entries",
    )
    actor_name = models.CharField(_("actor's user name"), max_length=150, blank=True)
    actor_ref = models.CharField(_("actor's id"), max_length=64, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=40, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    fields = models.JSONField(_("fields"), default=list, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    prev_hash = models.CharField(_("previous row's hash"), max_length=64, blank=True)
    row_hash = models.CharField(_("row hash"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        who = self.actor_name or "-"
        return f"{self.at:%Y-%m-%d %H:%M} {who} {self.action} {self.object_repr}"


class RateCounter(models.Model):
    """One fixed window of a rate limit: how many hits ``key`` made in ``scope`` since
    ``window_start`` (epoch seconds). Written only by ``gongzhi.core.ratelimit``."""

    scope = models.CharField(_("scope"), max_length=40)
    key = models.CharField(_("key"), max_length=128)
    window_start = models.BigIntegerField(_("window start"))
    expires = models.BigIntegerField(_("expires"), db_index=True)
    hits = models.PositiveIntegerField(_("hits"), default=0)

    class Meta:
        verbose_name = _("rate counter")
        verbose_name_plural = _("rate counters")
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key", "window_start"], name="core_ratecounter_window"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key} @{self.window_start}: {self.hits}"


class CalendarDay(TimeStampedModel):
    """A day the year's holiday notice sets apart from the usual week: a holiday (放假) or a
    make-up working day (调休上班). These rows win over the ``chinese-calendar`` package, so
    a year the package does not know yet, or a correction, is entered as data and counted
    in every deadline from then on (``workdays.use_calendar``)."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(
        _("working day"),
        default=False,
        help_text=_("Ticked: a make-up working day (调休上班). Not ticked: a holiday (放假)."),
    )
    name = models.CharField(_("name"), max_length=50, blank=True, help_text=_("For example 春节."))

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("holidays and make-up working days")
        ordering = ["date"]

    def __str__(self) -> str:
        kind = _("working day") if self.is_workday else _("holiday")
        return f"{self.date} · {kind}" + (f" · {self.name}" if self.name else "")


class PushMessage(models.Model):
    """One live message (``gongzhi.core.push``): written when the step that made it commits,
    read by every open stream of its topic whose viewer's scope covers ``region_path``
    (empty: everyone signed in), and pruned after a day. A table rather than a broker, so
    it works the same on SQLite and PostgreSQL and across processes."""

    id = models.BigAutoField(_("number"), primary_key=True)  # a stream resumes after it
    topic = models.CharField(_("topic"), max_length=40)
    kind = models.CharField(_("kind"), max_length=40)
    data = models.JSONField(_("data"), default=dict, blank=True)
    region_path = models.CharField(_("region path"), max_length=255, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("live message")
        verbose_name_plural = _("live messages")
        ordering = ["id"]
        # A stream's question: this topic's messages after the last one it sent.
        indexes = [models.Index(fields=["topic", "id"], name="core_push_topic")]

    def __str__(self) -> str:
        return f"{self.pk} {self.topic}/{self.kind}"
