"""The points pages' forms: they only parse; the services decide."""

from __future__ import annotations

import secrets

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import KEY_RE


class AwardForm(forms.Form):
    household = forms.IntegerField(label=_("Household"))
    rule = forms.CharField(label=_("Rule"), max_length=40)
    reason = forms.CharField(label=_("Reason"), max_length=150)
    # A fresh key with each form shown: the same submit sent twice (a double click, a
    # resend after a timeout) is one entry (``services.do_award_by_hand``).
    key = forms.RegexField(KEY_RE, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, households=None, rules=(), **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("key", secrets.token_urlsafe(16))
        if households is not None:
            self.fields["household"] = forms.TypedChoiceField(
                label=_("Household"), choices=households, coerce=int
            )
        self.fields["rule"].widget = forms.Select(
            choices=[(r.code, f"{r.name} ({r.points:+d})") for r in rules]
        )


class RedeemForm(forms.Form):
    code = forms.CharField(
        label=_("Code (scan or type)"),
        max_length=400,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )
    goods = forms.IntegerField(label=_("Goods"))
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=99, initial=1)

    def __init__(self, *args, goods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goods"] = forms.TypedChoiceField(
            label=_("Goods"),
            choices=[(g.pk, f"{g.name} · {g.price} · {g.stock}") for g in goods],
            coerce=int,
        )


class GoodsForm(forms.Form):
    goods = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=100)
    price = forms.IntegerField(label=_("Price in points"), min_value=1, max_value=100000)
    stock = forms.IntegerField(label=_("In stock"), min_value=0, max_value=100000)
    enabled = forms.BooleanField(label=_("On the shelf"), required=False, initial=True)


class ReverseForm(forms.Form):
    reason = forms.CharField(max_length=150)
