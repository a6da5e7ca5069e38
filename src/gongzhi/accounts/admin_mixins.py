"""Admin building blocks other apps reuse: scoping and masked personal data.

``ScopedAdminMixin``
    The admin lists and edits only what ``Model.objects.visible_to(request.user)`` returns.

``MaskedFieldsAdminMixin``
    For a model that declares ``sensitive_fields = {field: kind}``:

    * the list shows ``masked_<field>`` columns (put them in ``list_display``);
    * the change form never puts a real value in the HTML: each personal field is an empty
      input whose help text shows the masked current value — type a new value to change it,
      leave it empty to keep it; a view-only user sees the masked value as text;
    * a "Show personal data" button (a POST) opens ``<id>/unmask/``, which shows the real
      values through ``services.reveal`` — only to roles the policy allows, and audited
      every time; anyone else gets 403 and nothing is revealed.

``ActingAdminMixin``
    Runs the add, change, delete and list (actions) views inside ``audit.acting(request)``,
    so that a privilege change a signal catches (``accounts.privileges``) names who made it.
"""

from __future__ import annotations

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.core import audit

from . import masking, services


class ActingAdminMixin:
    def changeform_view(self, request, *args, **kwargs):
        with audit.acting(request):
            return super().changeform_view(request, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        with audit.acting(request):
            return super().changelist_view(request, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        with audit.acting(request):
            return super().delete_view(request, *args, **kwargs)


class ScopedAdminMixin:
    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


class MaskedFieldsFormMixin:
    """Personal fields of an existing object: write-only inputs, empty means "keep"."""

    masked_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.masked_fields:
            field = self.fields.get(name)
            if field is None:
                continue
            current = masking.masked_value(self.instance, name)
            self.initial[name] = ""
            field.required = False
            field.widget.attrs["autocomplete"] = "off"
            if current:
                field.help_text = format_html(
                    gettext(
                        "Current value: {masked}. Type a new value to change it; leave the "
                        "field empty to keep it."
                    ),
                    masked=current,
                )
            else:
                field.help_text = _("Not recorded.")

    def clean(self):
        cleaned = super().clean()
        for name in self.masked_fields:
            if name in cleaned and cleaned[name] in ("", None) and name not in self.errors:
                cleaned[name] = getattr(self.instance, name)
        return cleaned


def _masked_column(field: str, label):
    def column(obj):
        return masking.masked_value(obj, field) or "—"

    column.short_description = label
    column.__name__ = f"masked_{field}"
    return column


class MaskedFieldsAdminMixin:
    change_form_template = "admin/gongzhi/masked_change_form.html"
    unmask_template = "admin/gongzhi/unmasked.html"

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        for field in masking.sensitive_fields(model):
            label = model._meta.get_field(field).verbose_name
            setattr(self, f"masked_{field}", _masked_column(field, label))

    # -- change form -------------------------------------------------------------------
    def _personal_fields(self) -> list[str]:
        return list(masking.sensitive_fields(self.model))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        # View only: every field is shown as text; show the masked columns instead.
        personal = set(self._personal_fields())

        def swap(names):
            return tuple(
                swap(n) if isinstance(n, (list, tuple)) else (f"masked_{n}" if n in personal else n)
                for n in names
            )

        return [(title, {**opts, "fields": swap(opts["fields"])}) for title, opts in fieldsets]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None or obj.pk is None:
            return form
        names = tuple(f for f in self._personal_fields() if f in form.base_fields)
        if not names:
            return form
        return type(form.__name__, (MaskedFieldsFormMixin, form), {"masked_fields": names})

    def unmaskable_fields(self, request, obj) -> list[str]:
        return [
            f
            for f in self._personal_fields()
            if services.can_unmask(viewer=request.user, obj=obj, fields=[f])
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        obj = self.get_object(request, unquote(object_id))
        if obj is not None:
            extra_context["gongzhi_unmaskable_fields"] = self.unmaskable_fields(request, obj)
            extra_context["gongzhi_own_record"] = services.is_own_record(request.user, obj)
        response = super().change_view(request, object_id, form_url, extra_context)
        add_never_cache_headers(response)
        return response

    # -- the audited "show" action ---------------------------------------------------------
    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/unmask/",
                self.admin_site.admin_view(self.unmask_view),
                name="{}_{}_unmask".format(*info),
            ),
            *super().get_urls(),
        ]

    def unmask_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Personal data"),
            "subtitle": str(obj),
            "opts": self.opts,
            "original": obj,
            "has_view_permission": True,
        }
        status = 200
        try:
            values = services.reveal(
                viewer=request.user,
                obj=obj,
                fields=request.POST.getlist("unmask_fields") or None,
                request=request,
                reason=request.POST.get("reason", ""),
            )
        except services.RevealRefused as refusal:
            context["refused"], status = refusal.message, refusal.status
        else:
            context["rows"] = [
                (self.opts.get_field(name).verbose_name, value) for name, value in values.items()
            ]
        response = TemplateResponse(request, self.unmask_template, context, status=status)
        add_never_cache_headers(response)
        return response
