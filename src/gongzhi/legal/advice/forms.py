"""The advice room's forms: they only parse; the rules live in ``services``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.regions.models import Region, RegionLevel


class AskForm(forms.Form):
    text = forms.CharField(
        label=_("Your question"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(
            attrs={
                "rows": 6,
                "placeholder": _("What happened, and what would you like to know?"),
            }
        ),
    )
    region = forms.ModelChoiceField(
        label=_("Your village or community"),
        queryset=Region.objects.filter(level=RegionLevel.COMMUNITY).order_by("path"),
        required=False,
    )
    photo = forms.ImageField(label=_("A photo (optional)"), required=False)


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    publish = forms.BooleanField(
        label=_("Add to the knowledge base (anonymised)"), required=False, initial=True
    )
    title = forms.CharField(label=_("Title in the knowledge base"), max_length=120, required=False)
    public_text = forms.CharField(
        label=_("The question as the public will read it"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Names, phone and ID numbers, addresses and plates were removed automatically: "
            "check that nothing personal is left."
        ),
    )


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How helpful was the answer?"),
        choices=[(i, "★" * i) for i in range(5, 0, -1)],
        coerce=int,
        required=False,
    )
    note = forms.CharField(label=_("Comment (optional)"), max_length=300, required=False)
