"""The openness pages: a publication (公示) with its objections, a task's progress with
photos, the committee's list of tasks (late first), and one POST door for every act
(object, answer, plan a task, report progress, stop a task, rate). Thin: each act is one service call."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.errors import NotFound, ServiceError
from gongzhi.core.scope import scope_for

from .. import members
from ..choices import MatterState, PublicationKind
from ..models import Progress
from . import queries, services
from .forms import (
    AnswerForm,
    ImplementationForm,
    ObjectForm,
    ProgressForm,
    RateForm,
    StopForm,
)

ACTIONS = ("object", "answer", "add_implementation", "progress", "stop", "rate")


def _found(getter, **kwargs):
    try:
        return getter(**kwargs)
    except NotFound:
        raise Http404 from None


def _publication_page(request, publication, *, forms=None, error=None, status=200):
    today = timezone.localdate()
    committee = members.is_committee(request.user, publication.region_path)
    view = queries.publication_view(publication, request.user, today=today, committee=committee)
    matter = publication.matter
    panel = queries.matter_panel(matter, request.user)
    forms = forms or {}
    context = {
        **view,
        "matter": matter,
        "panel": panel,
        "object_form": forms.get("object") or ObjectForm(),
        "answer_form": forms.get("answer") or AnswerForm(),
        "answer_for": forms.get("answer_for"),
        "rate_form": forms.get("rate") or RateForm(),
        "show_rating": publication.kind == PublicationKind.RESULT
        or matter.state == MatterState.DONE,
        "error": error,
    }
    return render(request, "deliberation/openness/publication.html", context, status=status)


def _implementation_page(request, task, *, form=None, stop_form=None, error=None, status=200):
    committee = members.is_committee(request.user, task.region_path)
    view = queries.task_view(task, request.user, today=timezone.localdate(), committee=committee)
    context = {
        **view,
        "t": view,
        "matter": task.matter,
        "form": form or ProgressForm(),
        "stop_form": stop_form or StopForm(),
        "error": error,
    }
    return render(request, "deliberation/openness/implementation.html", context, status=status)


@login_required
@require_GET
def publication(request, pk: int):
    found = _found(services.get_publication, actor=request.user, pk=pk)
    return _publication_page(request, found)


@login_required
@require_GET
def implementation(request, pk: int):
    found = _found(services.get_implementation, actor=request.user, pk=pk)
    return _implementation_page(request, found)


@login_required
@require_GET
def implementations(request):
    scope = scope_for(request.user)
    if not (scope.everything or members.staff_paths(scope)):
        raise PermissionDenied
    rows = list(queries.implementations(request.user)[:500])
    return render(request, "deliberation/openness/implementations.html", {"rows": rows})


def progress_photo(request, pk: int, n: int):
    """A progress photo: work paid by the village is public (公开), so no sign-in; the
    stored copy has no metadata (core.media)."""
    update = Progress.objects.filter(pk=pk).only("photos").first()
    photos = update.photos if update else []
    if not 0 <= n < len(photos):
        raise Http404
    path = photos[n]["thumb" if request.GET.get("thumb") else "full"]
    try:
        return FileResponse(default_storage.open(path, "rb"))
    except FileNotFoundError:
        raise Http404 from None


def _back(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


@login_required
@require_POST
def openness_act(request):
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        raise Http404
    return globals()[f"_act_{action}"](request)


def _act_object(request):
    pub = _found(services.get_publication, actor=request.user, pk=_int(request.POST.get("id")))
    form = ObjectForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError("invalid", _("Please correct the marked fields."))
        services.do_object(actor=request.user, publication=pub, body=form.cleaned_data["body"])
    except ServiceError as error:
        form.add_service_error(error)
        return _publication_page(
            request, pub, forms={"object": form}, error=error, status=error.status
        )
    messages.success(request, _("Your objection has been sent to the committee."))
    return redirect(services.publication_link(pub))


def _act_answer(request):
    objection = _found(services.get_objection, actor=request.user, pk=_int(request.POST.get("id")))
    pub = objection.publication
    form = AnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError("invalid", _("Please correct the marked fields."))
        services.do_answer_objection(
            actor=request.user, objection=objection, answer=form.cleaned_data["answer"]
        )
    except ServiceError as error:
        form.add_service_error(error)
        forms = {"answer": form, "answer_for": objection.pk}
        return _publication_page(request, pub, forms=forms, error=error, status=error.status)
    messages.success(request, _("The answer has been published."))
    return redirect(services.publication_link(pub))


def _act_add_implementation(request):
    matter = _found(services.get_matter, actor=request.user, number=request.POST.get("matter"))
    back = _back(request, reverse("deliberation:implementations"))
    form = ImplementationForm(request.POST, staff=services.village_staff(matter.region_id))
    try:
        if not form.is_valid():
            errors = [
                ServiceError("invalid", f"{form.fields[f].label}: {' '.join(e)}", f)
                for f, e in form.errors.items()
                if f in form.fields
            ] or [ServiceError("invalid", _("Please correct the marked fields."))]
            raise ServiceError.first_of(errors)
        data = form.cleaned_data
        owner = get_user_model().objects.filter(pk=data["owner"]).first() if data["owner"] else None
        task = services.do_add_implementation(
            actor=request.user,
            matter=matter,
            title=data["title"],
            owner=owner,
            owner_name=data["owner_name"],
            due_on=data["due_on"],
            budget=data["budget"],
        )
    except ServiceError as error:
        for e in error.all:
            messages.error(request, e.message)
        return redirect(back)
    messages.success(request, _("The task “%(title)s” has been planned.") % {"title": task.title})
    return redirect(back)


def _act_progress(request):
    task = _found(services.get_implementation, actor=request.user, pk=_int(request.POST.get("id")))
    form = ProgressForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise ServiceError("invalid", _("Please correct the marked fields."))
        data = form.cleaned_data
        services.do_progress(
            actor=request.user,
            implementation=task,
            percent=data["percent"],
            note=data["note"],
            photos=request.FILES.getlist("photos"),
            spent=data["spent"],
            over_budget_reason=data["over_budget_reason"],
        )
    except ServiceError as error:
        form.add_service_error(error)
        return _implementation_page(request, task, form=form, error=error, status=error.status)
    messages.success(request, _("The progress has been recorded."))
    return redirect(reverse("deliberation:implementation", args=[task.pk]))


def _act_stop(request):
    task = _found(services.get_implementation, actor=request.user, pk=_int(request.POST.get("id")))
    form = StopForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError("invalid", _("Please correct the marked fields."))
        services.do_stop(
            actor=request.user, implementation=task, reason=form.cleaned_data["reason"]
        )
    except ServiceError as error:
        form.add_service_error(error)
        return _implementation_page(request, task, stop_form=form, error=error, status=error.status)
    messages.success(request, _("The task has been stopped."))
    return redirect(reverse("deliberation:implementation", args=[task.pk]))


def _act_rate(request):
    matter = _found(services.get_matter, actor=request.user, number=request.POST.get("matter"))
    form = RateForm(request.POST)
    pub = matter.publications.order_by("-starts_on", "-id").first()
    try:
        if not form.is_valid():
            raise ServiceError("invalid", _("Choose from 1 to 5 stars."), "stars")
        services.do_rate(
            actor=request.user,
            matter=matter,
            stars=form.cleaned_data["stars"],
            comment=form.cleaned_data["comment"],
        )
    except ServiceError as error:
        form.add_service_error(error)
        if pub is not None:
            return _publication_page(
                request, pub, forms={"rate": form}, error=error, status=error.status
            )
        messages.error(request, error.message)
        return redirect(_back(request, "/"))
    messages.success(request, _("Thank you for your rating."))
    fallback = services.publication_link(pub) if pub else "/"
    return redirect(_back(request, fallback))
