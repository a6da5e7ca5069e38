"""画规则: a camera's video rules drawn as zones on its latest picture.

The page shows the frame the watcher last analysed (or the newest event's snapshot, or a
grey box), with the rules' zones drawn over it; clicking adds a point of the zone being
drawn (``static/gongzhi/zones.js`` writes it as JSON into a hidden input). Saving goes
through ``rules.do_add_rule`` / ``do_update_rule``; a ``ServiceError`` is shown on its field.

Only the camera's managers (``access.may_manage``): a camera the user does not see is a
404, one they see but may not manage a 403.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import ServiceError

from .. import events, queries, rules
from ..models import Camera, Event, RuleKind

# The colours the listed zones are drawn in, in turn.
COLOURS = ["#dc2626", "#2563eb", "#16a34a", "#d97706", "#7c3aed", "#0891b2"]


class RuleForm(forms.Form):
    """The fields as typed: the service decides what is valid (and says so in Chinese)."""

    kind = forms.CharField(
        label=gettext_lazy("kind"), required=False, widget=forms.Select(choices=RuleKind.choices)
    )
    name = forms.CharField(label=gettext_lazy("name"), required=False)
    code = forms.CharField(
        label=gettext_lazy("code"),
        required=False,
        help_text=gettext_lazy("Letters, digits, - and _."),
    )
    people = forms.CharField(
        label=gettext_lazy("people"),
        required=False,
        initial=1,
        help_text=gettext_lazy("A crowd: more than this many people."),
        widget=forms.NumberInput,
    )
    seconds = forms.CharField(
        label=gettext_lazy("seconds"),
        required=False,
        initial=0,
        help_text=gettext_lazy("How long it must last."),
        widget=forms.NumberInput,
    )
    dedup_seconds = forms.CharField(
        label=gettext_lazy("dedup window (seconds)"),
        required=False,
        initial=60,
        widget=forms.NumberInput,
    )
    category_code = forms.CharField(label=gettext_lazy("case category"), required=False)
    urgent = forms.BooleanField(label=gettext_lazy("urgent"), required=False)
    creates_case_directly = forms.BooleanField(
        label=gettext_lazy("raises a case at once"), required=False
    )
    enabled = forms.BooleanField(label=gettext_lazy("enabled"), required=False, initial=True)
    zone = forms.CharField(required=False, widget=forms.HiddenInput, initial="[]")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [
            (c.code, f"{c.full_name or c.name} ({c.code})") for c in rules.enabled_categories()
        ]
        self.fields["category_code"].widget = forms.Select(choices=choices)

    def rule_in(self) -> rules.RuleIn:
        data = self.cleaned_data
        return rules.RuleIn(**{name: data.get(name) for name in rules.RuleIn.__dataclass_fields__})

    def show(self, error: ServiceError) -> None:
        for problem in error.all:
            self.add_error(problem.field if problem.field in self.fields else None, problem.message)


def _camera(request, pk: int) -> Camera:
    """The camera if the user sees it (else 404) and manages it (else 403)."""
    camera = queries.camera_for(request.user, pk)
    if camera is None:
        raise Http404
    try:
        rules.check_manages(camera=camera, actor=request.user)
    except ServiceError as error:
        raise PermissionDenied(error.message) from error
    return camera


def _picture(camera):
    frame = events.latest_frame_path(camera)
    if frame is not None and frame.is_file():
        return frame
    event = Event.objects.filter(camera=camera).exclude(snapshot="").order_by("-at").first()
    return events.snapshot_path(event) if event else None


def _page(request, camera, form, editing=None, status=200):
    listed = list(camera.rules.all())
    for n, rule in enumerate(listed):
        rule.colour = COLOURS[n % len(COLOURS)]
    picture = _picture(camera)
    config = {
        "rules": [
            {"pk": r.pk, "code": r.code, "name": r.name, "zone": r.zone, "colour": r.colour}
            for r in listed
        ],
        "editing": editing.pk if editing else None,
    }
    response = render(
        request,
        "sensing/rules.html",
        {
            "camera": camera,
            "form": form,
            "rules": listed,
            "editing": editing,
            "has_picture": bool(picture and picture.is_file()),
            "zones_config": config,
            "tab": "cameras",
        },
        status=status,
    )
    add_never_cache_headers(response)
    return response


def _initial(rule) -> dict:
    names = rules.RuleIn.__dataclass_fields__
    values = {name: getattr(rule, name) for name in names}
    values["zone"] = json.dumps(rule.zone)
    return values


@login_required
@require_http_methods(["GET", "POST"])
def camera_rules(request, pk: int):
    camera = _camera(request, pk)
    editing = None
    rule_pk = request.POST.get("rule") or request.GET.get("rule")
    if rule_pk:
        editing = camera.rules.filter(pk=rule_pk if str(rule_pk).isdigit() else 0).first()
        if editing is None:
            raise Http404
    if request.method == "GET":
        form = RuleForm(initial=_initial(editing) if editing else None)
        return _page(request, camera, form, editing)
    form = RuleForm(request.POST)
    form.is_valid()  # every field is optional text: the service checks
    try:
        if editing:
            rules.do_update_rule(rule=editing, data=form.rule_in(), actor=request.user)
            messages.success(request, _("The rule was saved."))
        else:
            rules.do_add_rule(camera=camera, data=form.rule_in(), actor=request.user)
            messages.success(request, _("The rule was added."))
    except ServiceError as error:
        if error.status == 403:
            raise PermissionDenied(error.message) from error
        form.show(error)
        return _page(request, camera, form, editing, status=400)
    return redirect(reverse("sensing:camera_rules", args=[camera.pk]))


@login_required
@require_POST
def camera_rule_delete(request, pk: int, rule_pk: int):
    camera = _camera(request, pk)
    rule = camera.rules.filter(pk=rule_pk).first()
    if rule is None:
        raise Http404
    try:
        rules.do_delete_rule(rule=rule, actor=request.user)
    except ServiceError as error:
        raise PermissionDenied(error.message) from error
    messages.success(request, _("The rule was deleted."))
    return redirect(reverse("sensing:camera_rules", args=[camera.pk]))


@login_required
@require_GET
def camera_rules_picture(request, pk: int):
    """The picture to draw on, for the camera's managers (never its stream)."""
    picture = _picture(_camera(request, pk))
    if picture is None or not picture.is_file():
        raise Http404
    response = FileResponse(open(picture, "rb"), content_type="image/jpeg")
    add_never_cache_headers(response)
    return response


rules_urlpatterns = [
    path("cameras/<int:pk>/rules/", camera_rules, name="camera_rules"),
    path(
        "cameras/<int:pk>/rules/<int:rule_pk>/delete/",
        camera_rule_delete,
        name="camera_rule_delete",
    ),
    path("cameras/<int:pk>/rules/picture.jpg", camera_rules_picture, name="camera_rules_picture"),
]
