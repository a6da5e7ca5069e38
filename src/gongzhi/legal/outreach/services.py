"""普法's actions, keyword-only ``check_*``/``do_*``: staff write articles (images through
``core.media``, an optional video checked by type and size) targeted within their own area,
and set campaigns; ``deliver`` sends an article to the inbox of the people it is for, once
per person even when run twice or concurrently; ``tick`` sends what is due; residents read
(marked read) and answer the quiz once."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongzhi.core import media
from gongzhi.core.errors import Conflict, NotFound, ServiceError
from gongzhi.notify.services import notify

from ..models import Article, ArticleImage, Campaign, Delivery, QuizAnswer, ResidentProfile
from ..staff import covers
from . import quiz as quizzes
from . import targeting

KIND = "legal.outreach"
# An article outside a campaign is sent to people whose profile appears within this window.
LOOSE_WINDOW = dt.timedelta(days=30)
MAX_IMAGES = 6
NOTIFY_CHUNK = 500
MAX_VIDEO_BYTES = 100 * 1024 * 1024
VIDEO_TYPES = {"mp4": "video/mp4", "webm": "video/webm"}


# --- articles -------------------------------------------------------------------------------


def check_video(upload) -> str:
    """The video's kind (mp4 or webm), read from its first bytes, within the size limit."""
    if upload.size > MAX_VIDEO_BYTES:
        raise ServiceError("video_too_large", _("A video may be at most 100 MB."), "video")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head[4:8] == b"ftyp":
        return "mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    raise ServiceError("video_type", _("Only MP4 and WebM videos are accepted."), "video")


def check_article(
    *, user, title, body, regions, quiz_text="", campaign=None, images=(), cover=None, video=None
):
    """Everything an article needs, checked at once: returns (owner path, quiz, images)."""
    paths = targeting.require_staff(user)
    errors, owner, quiz, pictures = [], "", [], {}
    if not (title or "").strip():
        errors.append(ServiceError("title_required", _("Give the article a title."), "title"))
    if not (body or "").strip():
        errors.append(ServiceError("body_required", _("Write the article's text."), "body"))
    try:
        owner = targeting.owner_path(paths, regions)
    except ServiceError as exc:
        errors.append(exc)
    try:
        quiz = quizzes.parse(quiz_text) if isinstance(quiz_text, str) else quizzes.check(quiz_text)
    except ServiceError as exc:
        errors.append(exc)
    if campaign is not None and not covers(paths, campaign.owner_path):
        errors.append(
            ServiceError("campaign_outside_area", _("Choose one of your campaigns."), "campaign")
        )
    images = [i for i in images or [] if i]
    if len(images) > MAX_IMAGES:
        errors.append(
            ServiceError(
                "too_many_images", _("At most %(n)d images.") % {"n": MAX_IMAGES}, "images"
            )
        )
    else:
        try:
            pictures["images"] = [media.check_photo(i) for i in images]
        except ServiceError as exc:
            exc.field = "images"
            errors.append(exc)
    if cover:
        try:
            pictures["cover"] = media.check_photo(cover)
        except ServiceError as exc:
            exc.field = "cover"
            errors.append(exc)
    if video:
        try:
            check_video(video)
        except ServiceError as exc:
            errors.append(exc)
    if errors:
        raise ServiceError.first_of(errors)
    return owner, quiz, pictures


def do_write_article(
    *,
    user,
    title: str,
    body: str,
    regions,
    groups=(),
    summary: str = "",
    campaign: Campaign | None = None,
    send: bool = True,
    public: bool = True,
    publish: bool = True,
    quiz_text="",
    cover=None,
    images=(),
    video=None,
    now=None,
) -> Article:
    regions = list(regions)
    owner, quiz, pictures = check_article(
        user=user,
        title=title,
        body=body,
        regions=regions,
        quiz_text=quiz_text,
        campaign=campaign,
        images=images,
        cover=cover,
        video=video,
    )
    now = now or timezone.now()
    with transaction.atomic():
        article = Article(
            title=title.strip(),
            summary=(summary or "").strip(),
            body=body.strip(),
            owner_path=owner,
            campaign=campaign,
            send=send,
            public=public,
            published_at=now if publish else None,
            quiz=quiz,
            author=user,
        )
        stem = f"pf-{uuid.uuid4().hex[:12]}"
        if "cover" in pictures:
            full, thumb = media.prepared(pictures["cover"], stem)
            article.cover.save(full.name, full, save=False)
            article.cover_thumb.save(thumb.name, thumb, save=False)
        if video:
            kind = check_video(video)
            video.name = f"{stem}.{kind}"
            article.video = video
        article.save()
        article.regions.set(regions)
        article.groups.set(list(groups or []))
        for n, image in enumerate(pictures.get("images", [])):
            full, thumb = media.prepared(image, f"{stem}-{n + 1}")
            ArticleImage.objects.create(article=article, image=full, thumb=thumb, order=n)
    if publish and is_due(article, now):
        deliver(article, now=now)
    return article


def do_edit_article(
    *, user, article: Article, title: str, summary: str, body: str, quiz_text: str | None = None
) -> Article:
    """Correct an article's words after it is saved (a typo, a changed date): its title,
    summary and text at any time; its quiz only until someone has answered it (scores must
    stay comparable). Who was sent it and who read it stay as they are."""
    paths = targeting.require_staff(user)
    if not covers(paths, article.owner_path):
        raise NotFound("not_found", _("No such article."))
    errors, quiz = [], article.quiz
    if not (title or "").strip():
        errors.append(ServiceError("title_required", _("Give the article a title."), "title"))
    if not (body or "").strip():
        errors.append(ServiceError("body_required", _("Write the article's text."), "body"))
    if quiz_text is not None and quiz_text.strip() != quizzes.as_text(article.quiz or []).strip():
        if article.answers.exists():
            errors.append(
                ServiceError(
                    "quiz_answered",
                    _("The quiz has been answered already; it can no longer change."),
                    "quiz",
                )
            )
        else:
            try:
                quiz = quizzes.parse(quiz_text)
            except ServiceError as exc:
                errors.append(exc)
    if errors:
        raise ServiceError.first_of(errors)
    article.title, article.summary, article.body = title.strip(), summary.strip(), body.strip()
    article.quiz = quiz
    article.save(update_fields=["title", "summary", "body", "quiz", "updated_at"])
    return article


def do_publish(*, user, article: Article, now=None) -> Article:
    paths = targeting.require_staff(user)
    if not covers(paths, article.owner_path):
        raise NotFound("not_found", _("No such article."))
    if article.published_at is None:
        article.published_at = now or timezone.now()
        article.save(update_fields=["published_at", "updated_at"])
        if is_due(article, article.published_at):
            deliver(article, now=article.published_at)
    return article


# --- campaigns ------------------------------------------------------------------------------


def do_create_campaign(*, user, title, region, starts_on, ends_on, description="") -> Campaign:
    paths = targeting.require_staff(user)
    errors = []
    if not (title or "").strip():
        errors.append(ServiceError("title_required", _("Give the campaign a title."), "title"))
    if region is None or not covers(paths, region.path):
        errors.append(
            ServiceError(
                "region_outside_area",
                _("Choose an area within your own."),
                "region",
            )
        )
    if starts_on and ends_on and ends_on < starts_on:
        errors.append(
            ServiceError("dates", _("The campaign cannot end before it starts."), "ends_on")
        )
    if errors:
        raise ServiceError.first_of(errors)
    return Campaign.objects.create(
        title=title.strip(),
        description=(description or "").strip(),
        region=region,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=user,
    )


# --- delivery -------------------------------------------------------------------------------


def due_articles(now=None):
    """The published articles being sent now: those of a running campaign, and those outside
    any campaign published within the last 30 days."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    return Article.objects.published().filter(
        Q(campaign__starts_on__lte=today, campaign__ends_on__gte=today)
        | Q(campaign__isnull=True, published_at__gte=now - LOOSE_WINDOW, published_at__lte=now),
        send=True,
    )


def is_due(article: Article, now) -> bool:
    return due_articles(now).filter(pk=article.pk).exists()


def _notice(article: Article) -> dict:
    with translation.override(settings.LANGUAGE_CODE):
        return {
            "title": _("Law popularisation: %(title)s") % {"title": article.title},
            "body": article.summary or (article.campaign.title if article.campaign else ""),
        }


def deliver(article: Article, *, now=None) -> int:
    """Send the article to everyone it is for who has not had it: a delivery row each, and
    one in-app notice to the people this call delivered to (after commit). The article's row
    is locked while its deliveries are written, and a person's row is unique: a second or
    concurrent run sends nothing more."""
    now = now or timezone.now()
    batch = uuid.uuid4().hex
    with transaction.atomic():
        locked = Article.objects.select_for_update().filter(pk=article.pk).first()
        if locked is None or locked.published_at is None:
            return 0
        targets = dict(targeting.recipients(locked))
        if not targets:
            return 0
        have = dict(Delivery.objects.filter(article=locked).values_list("user_id", "sent_at"))
        # Someone who read a public article before it was sent to them: mark it sent.
        Delivery.objects.filter(
            article=locked,
            user_id__in=[u for u, s in have.items() if s is None and u in targets],
            sent_at=None,
        ).update(sent_at=now, batch=batch)
        Delivery.objects.bulk_create(
            [
                Delivery(article=locked, user_id=u, region_path=p, sent_at=now, batch=batch)
                for u, p in targets.items()
                if u not in have
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        sent = list(
            Delivery.objects.filter(article=locked, batch=batch).values_list("user_id", flat=True)
        )
        if sent:
            notice = _notice(locked)
            link = reverse("legal:outreach_article", args=[locked.pk])
            transaction.on_commit(
                lambda: _notify(sent, link=link, data={"article": locked.pk}, **notice)
            )
    return len(sent)


def _notify(user_ids, **notice) -> None:
    for start in range(0, len(user_ids), NOTIFY_CHUNK):
        notify(recipients=user_ids[start : start + NOTIFY_CHUNK], kind=KIND, **notice)


def tick(*, now=None) -> dict:
    """Send what is due: each due article to the people who have not had it yet."""
    now = now or timezone.now()
    articles = sent = 0
    for article in due_articles(now).only("pk", "published_at"):
        n = deliver(article, now=now)
        articles += 1 if n else 0
        sent += n
    return {"articles": articles, "sent": sent}


# --- reading --------------------------------------------------------------------------------


def readable(user):
    return Article.objects.for_reader(user)


def do_read(*, user, article: Article, now=None) -> Delivery | None:
    """The reader opened the article: their row is marked read (made if it was not sent to
    them). Staff previewing their area's article leave no trace."""
    if not readable(user).filter(pk=article.pk).exists():
        return None
    now = now or timezone.now()
    row = Delivery.objects.filter(article=article, user=user).first()
    if row is None:
        path = _profile_path(user)
        try:
            with transaction.atomic():
                return Delivery.objects.create(
                    article=article, user=user, region_path=path, read_at=now
                )
        except IntegrityError:
            row = Delivery.objects.get(article=article, user=user)
    if row.read_at is None:
        Delivery.objects.filter(pk=row.pk, read_at=None).update(read_at=now)
        row.read_at = now
    return row


def _profile_path(user) -> str:
    return (
        ResidentProfile.objects.filter(user=user).values_list("region_path", flat=True).first()
        or ""
    )


def do_answer(*, user, article: Article, choices, now=None) -> QuizAnswer:
    """The reader's one answer to the article's quiz, scored."""
    if not readable(user).filter(pk=article.pk).exists():
        raise NotFound("not_found", _("No such article."))
    picked = quizzes.check_choices(article.quiz, choices)
    if QuizAnswer.objects.filter(article=article, user=user).exists():
        raise Conflict("quiz_answered", _("You have already answered this quiz."))
    do_read(user=user, article=article, now=now)
    try:
        with transaction.atomic():
            return QuizAnswer.objects.create(
                article=article,
                user=user,
                region_path=_profile_path(user),
                choices=picked,
                score=quizzes.score(article.quiz, picked),
                total=len(article.quiz),
                answered_at=now or timezone.now(),
            )
    except IntegrityError:
        raise Conflict("quiz_answered", _("You have already answered this quiz.")) from None


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Delivery.objects.filter(
        user=user, sent_at__isnull=False, read_at__isnull=True, article__published_at__isnull=False
    ).count()
