"""Selectors for 普法's pages and API: a reader's list (sent first, unread marked), the desk's
articles with delivered/read/answered counts, and an article's counts per township and
village, always within the staff's area."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Avg, Count, Exists, OuterRef, Q

from gongzhi.regions.models import Region

from ..models import Article, Campaign, Delivery, QuizAnswer


def _within(field, paths) -> Q:
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{field}__startswith": p})
    return q


def reader_articles(user):
    """The articles a resident reads: sent to them first (newest first), then the public ones
    for their area; each with ``sent``/``read`` flags and whether they answered the quiz."""
    mine = Delivery.objects.filter(article=OuterRef("pk"), user=user)
    return (
        Article.objects.for_reader(user)
        .annotate(
            sent=Exists(mine.filter(sent_at__isnull=False)),
            read=Exists(mine.filter(read_at__isnull=False)),
            answered=Exists(QuizAnswer.objects.filter(article=OuterRef("pk"), user=user)),
        )
        .select_related("campaign")
        .order_by("-sent", "-published_at", "-id")
    )


def desk_articles(user, paths):
    """The area's articles with their counts (deliveries, reads, quiz answers)."""
    return (
        Article.objects.visible_to(user)
        .filter(_within("owner_path", paths))
        .select_related("campaign")
        .annotate(
            n_sent=Count("deliveries", filter=Q(deliveries__sent_at__isnull=False), distinct=True),
            n_read=Count("deliveries", filter=Q(deliveries__read_at__isnull=False), distinct=True),
            n_answers=Count("answers", distinct=True),
        )
        .order_by("-created_at", "-id")
    )


def desk_campaigns(user):
    return (
        Campaign.objects.visible_to(user)
        .select_related("region")
        .annotate(n_articles=Count("articles"))
    )


def region_counts(article: Article, paths) -> list[dict]:
    """Sent, read and quiz scores per township and per village (the staff's area only):
    rows ordered by path, townships before their villages."""
    rows = defaultdict(lambda: {"sent": 0, "read": 0, "read_sent": 0, "answers": 0, "points": 0})
    deliveries = (
        Delivery.objects.filter(article=article)
        .filter(_within("region_path", paths))
        .values("region_path")
        .annotate(
            sent=Count("pk", filter=Q(sent_at__isnull=False)),
            read=Count("pk", filter=Q(read_at__isnull=False)),
            read_sent=Count("pk", filter=Q(read_at__isnull=False, sent_at__isnull=False)),
        )
    )
    answers = (
        QuizAnswer.objects.filter(article=article)
        .filter(_within("region_path", paths))
        .values("region_path")
        .annotate(n=Count("pk"), points=Avg("score"))
    )
    by_path = {}
    for d in deliveries:
        by_path.setdefault(d["region_path"], {}).update(d)
    for a in answers:
        by_path.setdefault(a["region_path"], {}).update(answers=a["n"], mean=a["points"])
    for path, d in by_path.items():
        parts = [p for p in path.strip("/").split("/") if p]
        # The village and its township (the path's last two codes).
        for depth in (len(parts), len(parts) - 1):
            if depth < 1:
                continue
            key = "/" + "/".join(parts[:depth]) + "/"
            row = rows[key]
            row["sent"] += d.get("sent", 0)
            row["read"] += d.get("read", 0)
            row["read_sent"] += d.get("read_sent", 0)
            n = d.get("answers", 0)
            row["answers"] += n
            row["points"] += (d.get("mean") or 0) * n
    names = dict(Region.objects.filter(path__in=list(rows)).values_list("path", "name"))
    levels = dict(Region.objects.filter(path__in=list(rows)).values_list("path", "level"))
    out = []
    for path in sorted(rows):
        row = rows[path]
        out.append(
            {
                "path": path,
                "name": names.get(path, path),
                "level": levels.get(path, ""),
                "sent": row["sent"],
                "read": row["read"],
                "read_share": round(100 * row["read_sent"] / row["sent"]) if row["sent"] else None,
                "answers": row["answers"],
                "mean_score": round(row["points"] / row["answers"], 1) if row["answers"] else None,
            }
        )
    return out


def score_summary(article: Article, paths) -> dict:
    answers = QuizAnswer.objects.filter(article=article).filter(_within("region_path", paths))
    agg = answers.aggregate(n=Count("pk"), mean=Avg("score"))
    full = answers.filter(score=len(article.quiz)).count() if article.quiz else 0
    return {
        "answers": agg["n"],
        "mean": round(agg["mean"], 1) if agg["mean"] is not None else None,
        "full_marks": full,
        "total": len(article.quiz),
    }
