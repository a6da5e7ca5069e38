"""The room's forms: plain fields, every check in ``services`` (so the page and the API
refuse the same input with the same words)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..choices import CeremonyKind


class RegisterForm(forms.Form):
    household = forms.ChoiceField(label=_("Household"), required=False)
    kind = forms.ChoiceField(label=_("Wedding or funeral"), choices=CeremonyKind.choices)
    date = forms.CharField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.CharField(
        label=_("Days"),
        initial=1,
        widget=forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
    )
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    guests = forms.CharField(
        label=_("Guests"), widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"})
    )
    tables = forms.CharField(
        label=_("Tables"), widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"})
    )
    gift = forms.CharField(
        label=_("The largest cash gift (yuan)"),
        initial=0,
        widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RuleForm(forms.Form):
    region = forms.ChoiceField(label=_("Village or area"))
    kind = forms.ChoiceField(label=_("Wedding or funeral"), choices=CeremonyKind.choices)
    max_tables = forms.CharField(label=_("At most tables"), required=False)
    max_guests = forms.CharField(label=_("At most guests"), required=False)
    max_gift = forms.CharField(label=_("At most cash gift (yuan)"), required=False)
    max_days = forms.CharField(label=_("At most days"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)
    enabled = forms.BooleanField(label=_("In force"), required=False, initial=True)
