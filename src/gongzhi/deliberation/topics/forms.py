"""The topics pages' forms: they only parse; the services check and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..choices import TopicState


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class RaiseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("What it is about"), widget=forms.Textarea(attrs={"rows": 5}))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    lng = forms.CharField(required=False, widget=forms.HiddenInput)
    lat = forms.CharField(required=False, widget=forms.HiddenInput)

    def photos(self, files) -> list:
        return files.getlist("photos")


class ListFilter(forms.Form):
    state = forms.ChoiceField(
        required=False,
        choices=[("", _("All")), *TopicState.choices, ("late", _("Past the answer date"))],
    )


# The fields of each action on the topic's page (parsed by the view, checked by the service).
ACTION_FIELDS = {
    "put_on_agenda": ("meeting",),
    "answer": ("answer",),
    "refer": ("to", "category", "other_party"),
    "withdraw": (),
}
