"""The advice room's pages: thin — parse the form, call one service, render.

A resident asks (with similar answered questions offered while typing), reads their
questions and answers and rates them; a lawyer answers at the desk (and publishes the
anonymised question to the knowledge base) or passes a question to the duty lawyer; every
signed-in user searches the knowledge base.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.core.errors import ServiceError

from ..models import KnowledgeEntry
from . import queries, search, services
from .forms import AnswerForm, AskForm, RateForm

SIMILAR = 5


def _show(form, error: ServiceError) -> None:
    for e in error.all:
        field = e.field if e.field in form.fields else None
        form.add_error(field, e.message)


@login_required
def ask(request):
    initial = {"region": services.home_village(request.user)}
    if request.method == "POST":
        form = AskForm(request.POST, request.FILES, initial=initial)
        if form.is_valid():
            try:
                question = services.do_ask(
                    user=request.user,
                    text=form.cleaned_data["text"],
                    region=form.cleaned_data["region"],
                    photo=request.FILES.get("photo"),
                )
            except ServiceError as error:
                _show(form, error)
            else:
                return redirect("legal:question", question.pk)
        status = 400
    else:
        form, status = AskForm(initial=initial), 200
    similar = []
    if form.is_bound and form.data.get("text"):
        similar = search.search(form.data["text"], limit=SIMILAR)
    return render(
        request,
        "legal/advice/ask.html",
        {"form": form, "similar": similar, "has_errors": form.is_bound and form.errors},
        status=status,
    )


@login_required
def similar(request):
    """The htmx fragment under the question box: answered questions like the one typed."""
    text = (request.GET.get("text") or "")[:500]
    found = search.search(text, limit=SIMILAR) if len(text.strip()) >= 4 else []
    return render(request, "legal/advice/_similar.html", {"similar": found, "typed": text})


@login_required
def questions_mine(request):
    return render(
        request,
        "legal/advice/mine.html",
        {"questions": queries.mine(request.user), "now": timezone.now()},
    )


@login_required
def question(request, pk: int):
    q = queries.question(request.user, pk)
    if q is None:
        raise Http404
    answer_form = rate_form = None
    if q.lawyer_id == request.user.pk and q.state == "waiting":
        answer_form = AnswerForm(initial={"public_text": services.public_draft(q)})
    if q.asker_id == request.user.pk and q.state == "answered":
        rate_form = RateForm(initial={"rating": q.rating, "note": q.rating_note})
    return _question_page(request, q, answer_form, rate_form)


def _question_page(request, q, answer_form, rate_form, status=200):
    return render(
        request,
        "legal/advice/question.html",
        {
            "q": q,
            "text": queries.shown_text(q, request.user),
            "overdue": queries.is_overdue(q),
            "answer_form": answer_form,
            "rate_form": rate_form,
            "entry": KnowledgeEntry.objects.filter(question=q, published=True).first(),
        },
        status=status,
    )


@login_required
@require_POST
def answer(request, pk: int):
    q = queries.question(request.user, pk)
    if q is None:
        raise Http404
    form = AnswerForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        services.do_answer(
            user=request.user,
            question_id=q.pk,
            answer=data.get("answer", ""),
            publish=bool(data.get("publish")),
            public_text=data.get("public_text"),
            title=data.get("title", ""),
        )
    except ServiceError as error:
        _show(form, error)
        return _question_page(request, q, form, None, status=error.status)
    return redirect("legal:advice_desk")


@login_required
@require_POST
def pass_on(request, pk: int):
    q = queries.question(request.user, pk)
    if q is None:
        raise Http404
    try:
        services.do_pass_to_duty(user=request.user, question_id=q.pk)
    except ServiceError as error:
        form = AnswerForm(initial={"public_text": services.public_draft(q)})
        form.add_error(None, error.message)
        return _question_page(request, q, form, None, status=error.status)
    return redirect("legal:advice_desk")


@login_required
@require_POST
def rate(request, pk: int):
    q = queries.question(request.user, pk)
    if q is None:
        raise Http404
    form = RateForm(request.POST)
    form.is_valid()
    try:
        services.do_rate(
            user=request.user,
            question_id=q.pk,
            rating=form.cleaned_data.get("rating") or 0,
            note=form.cleaned_data.get("note", ""),
        )
    except ServiceError as error:
        _show(form, error)
        return _question_page(request, q, None, form, status=error.status)
    return redirect("legal:question", q.pk)


@login_required
def advice_desk(request):
    user = request.user
    return render(
        request,
        "legal/advice/desk.html",
        {
            "waiting": queries.desk(user),
            "answered": queries.answered_by(user),
            "oversight": queries.oversight(user)[:200],
            "now": timezone.now(),
        },
    )


@login_required
def knowledge(request):
    q = (request.GET.get("q") or "").strip()[:200]
    found = search.search(q, limit=20) if q else []
    latest = [] if q else KnowledgeEntry.objects.visible_to(request.user)[:20]
    return render(
        request, "legal/advice/knowledge.html", {"q": q, "found": found, "latest": latest}
    )


@login_required
def knowledge_entry(request, pk: int):
    entry = get_object_or_404(KnowledgeEntry.objects.visible_to(request.user), pk=pk)
    return render(request, "legal/advice/entry.html", {"entry": entry})
