"""普法's pages: a resident's articles (sent to them first, unread marked), an article (read
on opening; its video, images and quiz), and the staff's desk: campaigns and articles with
sent/read counts, a new article or campaign, an article's counts per township and village
and its quiz scores. Thin: the rules are in ``services``, the reads in ``queries``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.core.errors import ServiceError

from ..models import Article, QuizAnswer
from ..points.services import profile_of
from . import queries, services, targeting
from . import quiz as quizzes
from .forms import ArticleEditForm, ArticleForm, CampaignForm, QuizForm

PER_PAGE = 20


def _form_errors(form, exc: ServiceError) -> None:
    for e in exc.all:
        field = e.field if e.field in form.fields else None
        form.add_error(field, e.message)


def _staff(request) -> tuple[str, ...]:
    paths = targeting.staff_paths(request.user)
    if not paths:
        raise PermissionDenied
    return paths


@login_required
def reader_list(request):
    articles = Paginator(queries.reader_articles(request.user), PER_PAGE)
    current = articles.get_page(request.GET.get("page"))
    return render(
        request,
        "legal/outreach/list.html",
        {
            "page": current,
            "unread": services.unread_count(request.user),
            "profile": profile_of(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def article(request, pk: int):
    item = get_object_or_404(
        Article.objects.visible_to(request.user)
        .select_related("campaign")
        .prefetch_related("images", "groups", "regions"),
        pk=pk,
    )
    answer = QuizAnswer.objects.filter(article=item, user=request.user).first()
    form = QuizForm(request.POST or None, quiz=item.quiz) if item.quiz and not answer else None
    if request.method == "POST":
        if form is None:
            messages.error(request, _("You have already answered this quiz."))
            return redirect("legal:outreach_article", pk=item.pk)
        if form.is_valid():
            try:
                services.do_answer(user=request.user, article=item, choices=form.choices())
            except ServiceError as exc:
                _form_errors(form, exc)
            else:
                return redirect(reverse("legal:outreach_article", args=[item.pk]) + "#quiz")
    else:
        services.do_read(user=request.user, article=item)
    results = []
    if answer:
        results = [
            {
                "question": q["question"],
                "options": q["options"],
                "answer": q["answer"],
                "mine": answer.choices[n] if n < len(answer.choices) else None,
            }
            for n, q in enumerate(item.quiz)
        ]
    return render(
        request,
        "legal/outreach/article.html",
        {"article": item, "form": form, "answer": answer, "results": results},
        status=400 if form is not None and form.errors else 200,
    )


@login_required
def desk(request):
    paths = _staff(request)
    articles = Paginator(queries.desk_articles(request.user, paths), PER_PAGE)
    current = articles.get_page(request.GET.get("page"))
    today = timezone.localdate()
    campaigns = [
        {"campaign": c, "status": c.status(today)}
        for c in queries.desk_campaigns(request.user)[:30]
    ]
    return render(
        request,
        "legal/outreach/desk.html",
        {"page": current, "campaigns": campaigns},
    )


@login_required
@require_http_methods(["GET", "POST"])
def article_new(request):
    paths = _staff(request)
    form = ArticleForm(request.POST or None, request.FILES or None, paths=paths)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            item = services.do_write_article(
                user=request.user,
                title=d["title"],
                summary=d["summary"],
                body=d["body"],
                regions=d["regions"],
                groups=d["groups"],
                campaign=d["campaign"],
                send=d["send"],
                public=d["public"],
                publish=d["publish"],
                quiz_text=d["quiz"],
                cover=d["cover"],
                images=d["images"],
                video=d["video"],
            )
        except ServiceError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The article is saved."))
            return redirect("legal:outreach_stats", pk=item.pk)
    return render(
        request,
        "legal/outreach/article_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request):
    paths = _staff(request)
    form = CampaignForm(request.POST or None, paths=paths)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.do_create_campaign(user=request.user, **d)
        except ServiceError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The campaign is set."))
            return redirect("legal:outreach_desk")
    return render(
        request,
        "legal/outreach/campaign_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
def stats(request, pk: int):
    paths = _staff(request)
    item = get_object_or_404(
        queries.desk_articles(request.user, paths).prefetch_related("regions", "groups"), pk=pk
    )
    return render(
        request,
        "legal/outreach/stats.html",
        {
            "article": item,
            "rows": queries.region_counts(item, paths),
            "scores": queries.score_summary(item, paths),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def article_edit(request, pk: int):
    paths = _staff(request)
    item = get_object_or_404(queries.desk_articles(request.user, paths), pk=pk)
    initial = {
        "title": item.title,
        "summary": item.summary,
        "body": item.body,
        "quiz": quizzes.as_text(item.quiz or []),
    }
    form = ArticleEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.do_edit_article(
                user=request.user,
                article=item,
                title=d["title"],
                summary=d["summary"],
                body=d["body"],
                quiz_text=d["quiz"],
            )
        except ServiceError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The article is saved."))
            return redirect("legal:outreach_stats", pk=item.pk)
    return render(
        request,
        "legal/outreach/article_edit.html",
        {"form": form, "article": item, "answered": item.answers.exists()},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def publish(request, pk: int):
    paths = _staff(request)
    item = get_object_or_404(queries.desk_articles(request.user, paths), pk=pk)
    try:
        services.do_publish(user=request.user, article=item)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The article is published."))
    return redirect("legal:outreach_stats", pk=item.pk)
