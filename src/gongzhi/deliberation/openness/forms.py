"""The openness pages' forms: each holds what its service takes; the services check the
rules (who, when, how much) and the forms show their errors beside the fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import ServiceError
from gongzhi.core.media import MAX_PHOTOS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotos(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultiplePhotos, self).clean(f, initial) for f in files][: MAX_PHOTOS + 1]


class ServiceForm(forms.Form):
    def add_service_error(self, error: ServiceError) -> None:
        for e in error.all:
            self.add_error(e.field if e.field in self.fields else None, e.message)


class ObjectForm(ServiceForm):
    body = forms.CharField(
        label=_("Your objection"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class AnswerForm(ServiceForm):
    answer = forms.CharField(
        label=_("Public answer"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class ImplementationForm(ServiceForm):
    title = forms.CharField(label=_("Task"), max_length=100)
    owner = forms.TypedChoiceField(
        label=_("Owner (staff)"), required=False, coerce=int, empty_value=None
    )
    owner_name = forms.CharField(
        label=_("Owner as published"),
        max_length=60,
        required=False,
        help_text=_("Needed when the owner is not a staff member, e.g. a resident's team."),
    )
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))
    budget = forms.DecimalField(
        label=_("Budget (yuan)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—")] + [
            (u.pk, u.display_name or u.username) for u in staff
        ]


class ProgressForm(ServiceForm):
    percent = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    note = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    photos = MultiplePhotos(label=_("Photos"), required=False)
    spent = forms.DecimalField(
        label=_("Spent so far (yuan)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    over_budget_reason = forms.CharField(
        label=_("Reason for spending beyond the budget"), required=False, max_length=300
    )


class StopForm(ServiceForm):
    reason = forms.CharField(
        label=_("Why it is stopped (published)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class RateForm(ServiceForm):
    stars = forms.TypedChoiceField(
        label=_("Your rating"),
        coerce=int,
        choices=[(n, "★" * n) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=300)
