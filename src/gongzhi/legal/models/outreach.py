"""普法 (law popularisation): articles written by 普法 staff (a 司法局 for its county, a
司法所 for its township), targeted to regions and audience groups, grouped in campaigns
with dates; a delivery row per person and article (the in-app notice sent once, and the
source of read counts); a short single-choice quiz per article, answered once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStampedModel
from gongzhi.regions.models import Region, path_prefixes

from .points import AudienceGroup

__all__ = [
    "Article",
    "ArticleImage",
    "Campaign",
    "Delivery",
    "QuizAnswer",
]


def _within(field: str, paths) -> Q:
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{field}__startswith": p})
    return q


def _staff_paths(user) -> tuple[str, ...]:
    from gongzhi.core.scope import scope_for

    from ..staff import outreach_paths

    return outreach_paths(scope_for(user))


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user):
        """普法 staff see the campaigns of their area (a 司法局 its 司法所s' too)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(_within("owner_path", _staff_paths(user)))


class Campaign(TimeStampedModel):
    """A 普法 campaign (宪法宣传周, 民法典宣传月, …): its articles are sent when it starts."""

    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    owner_path = models.CharField(_("area path"), max_length=255, db_index=True, editable=False)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("outreach campaign")
        verbose_name_plural = _("outreach campaigns")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="legal_campaign_dates"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.owner_path = self.region.path if self.region_id else ""
        super().save(*args, **kwargs)

    def status(self, today=None) -> str:
        today = today or timezone.localdate()
        if today < self.starts_on:
            return "scheduled"
        return "running" if today <= self.ends_on else "ended"


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)

    def live(self, now=None):
        """Published, and its campaign (if any) has begun: what residents may see."""
        now = now or timezone.now()
        return self.filter(published_at__lte=now).filter(
            Q(campaign__isnull=True) | Q(campaign__starts_on__lte=timezone.localdate(now))
        )

    def for_reader(self, user):
        """What a resident may read: the articles delivered to them, and the public published
        articles for their area (all public ones when they have not said where they live)."""
        from .points import ResidentProfile

        path = (
            ResidentProfile.objects.filter(user=user).values_list("region_path", flat=True).first()
        )
        public = Q(public=True)
        if path:
            public &= Q(regions__path__in=path_prefixes(path))
        ids = self.live().filter(public).values("pk")
        return self.published().filter(Q(pk__in=ids) | Q(deliveries__user=user)).distinct()

    def visible_to(self, user):
        """One door: 普法 staff see every article of their area (drafts too); everyone reads
        what is delivered to them and the public articles for their area."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        paths = _staff_paths(user)
        readable = self.for_reader(user).values("pk")
        if paths:
            return self.filter(Q(pk__in=readable) | _within("owner_path", paths))
        return self.filter(pk__in=readable)


class Article(TimeStampedModel):
    title = models.CharField(_("title"), max_length=120)
    summary = models.CharField(_("summary"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    cover = models.ImageField(_("cover image"), upload_to="legal/outreach/%Y/%m", blank=True)
    cover_thumb = models.ImageField(
        _("cover thumbnail"), upload_to="legal/outreach/%Y/%m", blank=True
    )
    video = models.FileField(_("video"), upload_to="legal/outreach/video/%Y/%m", blank=True)
    owner_path = models.CharField(
        _("area path"),
        max_length=255,
        db_index=True,
        help_text=_("The area of the staff who wrote it."),
    )
    regions = models.ManyToManyField(
        Region, verbose_name=_("regions targeted"), related_name="+", blank=True
    )
    groups = models.ManyToManyField(
        AudienceGroup,
        verbose_name=_("groups targeted"),
        related_name="articles",
        blank=True,
        help_text=_("No group: everyone in the regions."),
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    send = models.BooleanField(
        _("send to inbox"),
        default=True,
        help_text=_("Send it to the inbox of the people targeted (when its campaign starts)."),
    )
    public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_("Everyone in the regions may read it, not only the people it was sent to."),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    quiz = models.JSONField(
        _("quiz"),
        default=list,
        blank=True,
        help_text=_('[{"question": "…", "options": ["…", "…"], "answer": 0}, …]'),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("outreach article")
        verbose_name_plural = _("outreach articles")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title


class ArticleImage(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(_("image"), upload_to="legal/outreach/%Y/%m")
    thumb = models.ImageField(_("thumbnail"), upload_to="legal/outreach/%Y/%m")
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("article image")
        verbose_name_plural = _("article images")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.article_id}/{self.order}"


class Delivery(models.Model):
    """One person and one article: sent to their inbox (``sent_at``) and/or read
    (``read_at``). A person reading a public article that was not sent to them gets a row
    without ``sent_at``. The unique pair makes a delivery happen once."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="legal_deliveries"
    )
    region_path = models.CharField(_("region path"), max_length=255, blank=True, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # The run that sent it (which rows a run wrote, to notify only those people).
    batch = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        verbose_name = _("outreach delivery")
        verbose_name_plural = _("outreach deliveries")
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="legal_delivery_once")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} → {self.user_id}"


class QuizAnswer(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="answers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    region_path = models.CharField(_("region path"), max_length=255, blank=True)
    choices = models.JSONField(_("choices"), default=list)
    score = models.PositiveSmallIntegerField(_("score"))
    total = models.PositiveSmallIntegerField(_("questions"))
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)

    class Meta:
        verbose_name = _("quiz answer")
        verbose_name_plural = _("quiz answers")
        constraints = [models.UniqueConstraint(fields=["article", "user"], name="legal_quiz_once")]

    def __str__(self) -> str:
        return f"{self.article_id} · {self.user_id}: {self.score}/{self.total}"
