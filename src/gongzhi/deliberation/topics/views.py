"""The topics pages: thin, each parses its input, calls one service and renders."""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core import media
from gongzhi.core.errors import NotFound, ServiceError
from gongzhi.core.media import request_limit

from .. import members
from ..choices import TopicState
from ..models import Comment
from . import queries, services
from .forms import ACTION_FIELDS, ListFilter, RaiseForm
from .workflow import FLOW, PAGE_ACTIONS, RULES

STATE_COLOURS = tuple(TopicState.colours().items())


def _topic(request, number):
    try:
        return services.get_topic(actor=request.user, number=number)
    except NotFound:
        raise Http404 from None


def _htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
@require_GET
def topics(request):
    form = ListFilter(request.GET or None)
    state = form.cleaned_data["state"] if form.is_valid() else ""
    page = Paginator(queries.visible(request.user, state=state), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "deliberation/topics/list.html",
        {
            "page": page,
            "form": form,
            "state": state,
            "states": TopicState.choices,
            "now": timezone.now(),
            "may_raise": _may_raise(request.user),
            "state_colours": STATE_COLOURS,
        },
    )


def _may_raise(user) -> bool:
    me = members.villager(user)
    return me is not None and me.adult


@request_limit(media.MAX_PHOTOS * media.MAX_BYTES + 1024 * 1024)
@login_required
@require_http_methods(["GET", "POST"])
def topic_new(request):
    form = RaiseForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            topic = services.do_raise(
                actor=request.user,
                title=data["title"],
                body=data["body"],
                photos=form.photos(request.FILES),
                lng=data["lng"] or None,
                lat=data["lat"] or None,
                place=data["place"],
            )
        except ServiceError as e:
            error = e
        else:
            messages.success(
                request, _("Your topic was raised: ask your neighbours to support it.")
            )
            return redirect("deliberation:topic", topic.number)
    errors = {e.field: e.message for e in reversed(error.all)} if error else {}
    return render(
        request,
        "deliberation/topics/new.html",
        {"form": form, "error": error, "errors": errors, "may_raise": _may_raise(request.user)},
        status=error.status if error else 200,
    )


def _context(request, topic, **extra) -> dict:
    user = request.user
    allowed = FLOW.allowed_actions(topic, user)
    actions = [{"name": a, "label": RULES[a].label} for a in PAGE_ACTIONS if a in allowed]
    share = (
        min(100, round(100 * topic.households_count / topic.threshold)) if topic.threshold else 0
    )
    return {
        "topic": topic,
        "author": queries.shown_name(topic.author, user),
        "share": share,
        "now": timezone.now(),
        "supported": services.supported_by(topic=topic, user=user),
        "may_support": "support" in allowed,
        "may_comment": "comment" in allowed,
        "may_moderate": queries.may_moderate(user, topic),
        "comments": queries.comments(topic, user),
        "timeline": queries.timeline(topic),
        "actions": actions,
        "meetings": queries.open_meetings(topic) if "put_on_agenda" in allowed else [],
        "item": queries.agenda_item(topic) if topic.state != TopicState.OPEN else None,
        "dispute": queries.dispute_of(topic, user),
        "state_colours": STATE_COLOURS,
        **extra,
    }


@login_required
@require_GET
def topic(request, number):
    t = _topic(request, number)
    return render(request, "deliberation/topics/detail.html", _context(request, t))


@login_required
@require_POST
def topic_support(request, number):
    t = _topic(request, number)
    error = None
    try:
        t = services.do_support(actor=request.user, topic=t)
    except ServiceError as e:
        error = e
    if _htmx(request):
        t.refresh_from_db()
        return render(
            request, "deliberation/topics/_support.html", _context(request, t, support_error=error)
        )
    if error:
        messages.error(request, error.message)
    return redirect("deliberation:topic", t.number)


@login_required
@require_POST
def topic_comment(request, number):
    t = _topic(request, number)
    parent = None
    if request.POST.get("parent", "").isdigit():
        parent = Comment.objects.filter(topic=t, pk=int(request.POST["parent"])).first()
    error = None
    try:
        services.do_comment(
            actor=request.user, topic=t, body=request.POST.get("body", ""), parent=parent
        )
    except ServiceError as e:
        error = e
    return _comments_answer(request, t, error)


@login_required
@require_POST
def topic_hide(request, number, comment_id):
    t = _topic(request, number)
    comment = Comment.objects.filter(topic=t, pk=comment_id).first()
    if comment is None:
        raise Http404
    error = None
    try:
        services.do_hide_comment(
            actor=request.user, comment=comment, reason=request.POST.get("reason", "")
        )
    except ServiceError as e:
        error = e
    return _comments_answer(request, t, error)


def _comments_answer(request, t, error):
    if _htmx(request):
        return render(
            request, "deliberation/topics/_comments.html", _context(request, t, comment_error=error)
        )
    if error:
        messages.error(request, error.message)
    return redirect(reverse("deliberation:topic", args=[t.number]) + "#comments")


@login_required
@require_POST
def topic_act(request, number):
    t = _topic(request, number)
    action = request.POST.get("action", "")
    expected = request.POST.get("expected_state") or None
    try:
        if action not in ACTION_FIELDS:
            raise ServiceError("unknown_action", _("There is no such action."), "action")
        if action == "put_on_agenda":
            chosen = request.POST.get("meeting", "")
            meeting = next((m for m in queries.open_meetings(t) if m.number == chosen), None)
            services.do_put_on_agenda(
                actor=request.user, topic=t, meeting=meeting, expected_state=expected
            )
        elif action == "answer":
            services.do_answer(
                actor=request.user,
                topic=t,
                answer=request.POST.get("answer", ""),
                expected_state=expected,
            )
        elif action == "refer":
            services.do_refer(
                actor=request.user,
                topic=t,
                to=request.POST.get("to", ""),
                category=request.POST.get("category") or None,
                other_party=request.POST.get("other_party", ""),
                expected_state=expected,
            )
        else:
            services.do_withdraw(actor=request.user, topic=t, expected_state=expected)
    except ServiceError as e:
        t.refresh_from_db()
        ctx = _context(request, t, error=e, error_action=action)
        return render(request, "deliberation/topics/detail.html", ctx, status=e.status)
    return redirect("deliberation:topic", t.number)


@login_required
@require_GET
def topic_photo(request, number, index: int, size: str = "full"):
    t = _topic(request, number)
    photos = t.photos or []
    if not 1 <= index <= len(photos):
        raise Http404
    name = photos[index - 1]["thumb" if size == "thumb" else "file"]
    try:
        handle = default_storage.open(name, "rb")
    except OSError:
        raise Http404 from None
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(handle, content_type=kind)
