"""The surveys app's forms: a new wave, and the operators a sample is shared among. The
calling form's answers are read by ``views.answers_from`` (one radio group per question)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Role, User
from gongzhi.core.scope import scope_for
from gongzhi.regions.models import Region, RegionLevel

from .choices import Allocation
from .models import Questionnaire


def regions_for(user):
    """The cities, counties and townships a user may survey."""
    scope = scope_for(user)
    regions = Region.objects.filter(
        level__in=[RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP]
    ).order_by("path")
    if scope.everything:
        return regions
    return regions.visible_to(user)


def operators_for(user):
    """Hotline operators whose unit's region scope the wave's supervisor shares."""
    operators = User.objects.filter(
        is_active=True,
        memberships__role=Role.HOTLINE_OPERATOR,
        memberships__organisation__is_active=True,
    ).distinct()
    return operators.order_by("username")


class WaveForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    questionnaire = forms.ModelChoiceField(
        label=_("Questionnaire"), queryset=Questionnaire.objects.filter(enabled=True)
    )
    region = forms.ModelChoiceField(label=_("Surveyed region"), queryset=Region.objects.none())
    start = forms.DateField(label=_("Period start"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Period end"), widget=forms.DateInput(attrs={"type": "date"}))
    per_township = forms.IntegerField(label=_("Sample size per township"), initial=30)
    allocation = forms.ChoiceField(
        label=_("Allocation"), choices=Allocation.choices, initial=Allocation.EQUAL
    )
    max_attempts = forms.IntegerField(label=_("Calls per member at most"), initial=3)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions_for(user)


class OperatorsForm(forms.Form):
    operators = forms.ModelMultipleChoiceField(
        label=_("Operators"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operators"].queryset = operators_for(user)
        self.fields["operators"].label_from_instance = lambda u: u.masked_name
