"""Open311 GeoReport v2: the clients that may post, and what a post left behind.

A client's API key is shown once, when an administrator issues it; only its SHA-256 is
kept, so a database dump gives nobody a working key.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.cases.models import Case, CaseEvent
from gongzhi.core import ratelimit
from gongzhi.core.models import TimeStampedModel
from gongzhi.regions.models import Region, RegionLevel

KEY_PREFIX_LENGTH = 8
JURISDICTION_LEVELS = (RegionLevel.CITY, RegionLevel.COUNTY)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _token() -> str:
    return secrets.token_urlsafe(16)


class Open311Client(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100)
    contact = models.CharField(
        _("contact"),
        max_length=200,
        blank=True,
        help_text=_("Who runs the client, and how to reach them."),
    )
    key_prefix = models.CharField(_("key prefix"), max_length=KEY_PREFIX_LENGTH, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    jurisdictions = models.ManyToManyField(
        Region,
        verbose_name=_("jurisdictions"),
        blank=True,
        related_name="+",
        limit_choices_to={"level__in": JURISDICTION_LEVELS},
        help_text=_("The cities or counties it may post to. Empty: all of them."),
    )
    rate = models.CharField(
        _("rate limit"),
        max_length=20,
        default="60/m",
        help_text=_("Requests it may post, e.g. “60/m” (per minute) or “1000/h”."),
    )
    answer_with_token = models.BooleanField(
        _("answer with a token"),
        default=False,
        help_text=_("Answer a new request with a token to look up, for clients built that way."),
    )
    may_post_updates = models.BooleanField(_("may post updates"), default=False)
    update_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posts updates as"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "Updates are workflow actions taken as this user, within this user's scope and roles."
        ),
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        try:
            ratelimit.parse(self.rate)
        except ValueError:
            raise ValidationError({"rate": _("Write a rate such as “60/m” or “1000/h”.")}) from None

    def issue_key(self) -> str:
        """A new key (replacing any old one); the caller shows it once and saves the row."""
        key = secrets.token_urlsafe(30)
        self.key_prefix, self.key_hash = key[:KEY_PREFIX_LENGTH], hash_key(key)
        return key


class Open311Request(models.Model):
    """What an Open311 post brought beside the case itself."""

    case = models.OneToOneField(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="open311"
    )
    client = models.ForeignKey(
        Open311Client,
        verbose_name=_("Open311 client"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requests",
    )
    token = models.CharField(_("token"), max_length=32, unique=True, default=_token)
    device_id = models.CharField(_("device"), max_length=100, blank=True)
    account_id = models.CharField(_("account"), max_length=100, blank=True)
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")

    def __str__(self) -> str:
        return self.token


class Open311Update(models.Model):
    """A client's update, by its own ``update_id``: a retried post finds the first result."""

    client = models.ForeignKey(
        Open311Client, verbose_name=_("Open311 client"), on_delete=models.CASCADE, related_name="+"
    )
    update_id = models.CharField(_("client's update id"), max_length=100)
    event = models.ForeignKey(
        CaseEvent, verbose_name=_("timeline entry"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 update")
        verbose_name_plural = _("Open311 updates")
        constraints = [
            models.UniqueConstraint(fields=["client", "update_id"], name="unique_open311_update")
        ]

    def __str__(self) -> str:
        return self.update_id
