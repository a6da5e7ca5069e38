"""The in-app inbox. Thin views: parse, call one service, render (htmx gets fragments)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import services
from .models import Notification

PAGE_SIZE = 30


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
@require_GET
def inbox(request):
    page = Paginator(services.inbox(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notify/inbox.html",
        {"page_obj": page, "unread": services.unread_count(user=request.user)},
    )


@login_required
@require_POST
def mark_read(request, pk: int):
    try:
        note = services.mark_read(user=request.user, notification_id=pk)
    except Notification.DoesNotExist:
        raise Http404 from None  # someone else's notification looks like no notification
    if _is_htmx(request):
        return render(
            request,
            "notify/_item_read.html",
            {"note": note, "unread": services.unread_count(user=request.user)},
        )
    return redirect("notify:inbox")


@login_required
@require_POST
def mark_all_read(request):
    services.mark_all_read(user=request.user)
    if _is_htmx(request):
        page = Paginator(services.inbox(user=request.user), PAGE_SIZE).get_page(1)
        return render(request, "notify/_list.html", {"page_obj": page, "unread": 0, "oob": True})
    return redirect("notify:inbox")


@login_required
@require_GET
def open_link(request, pk: int):
    """Follow a notification's link, marking it read on the way."""
    try:
        note = services.mark_read(user=request.user, notification_id=pk)
    except Notification.DoesNotExist:
        raise Http404 from None
    if note.link and url_has_allowed_host_and_scheme(
        note.link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(note.link)
    return redirect("notify:inbox")


@never_cache
@require_GET
def unread_count(request):
    # Polled by every open page: anonymous callers get "nothing to swap", not a login page.
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    return render(
        request, "notify/_badge.html", {"unread": services.unread_count(user=request.user)}
    )
