"""The notary pages' forms: a matter's questionnaire (built from its rows, checked by the
guide), the place whose offices are shown, and an office's week template of slots."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.regions.models import Region, RegionLevel

WEEKDAYS = [
    (0, _("Mon")),
    (1, _("Tue")),
    (2, _("Wed")),
    (3, _("Thu")),
    (4, _("Fri")),
    (5, _("Sat")),
    (6, _("Sun")),
]
TIME_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–~至]\s*(\d{1,2}):(\d{2})\s*$")


class QuestionnaireForm(forms.Form):
    """One field per question of the matter: radio buttons for choices, a number for an
    amount. Fields are not required here: the guide checks the answers (which questions
    are asked depends on earlier answers) and the view puts its errors on the fields."""

    def __init__(self, *args, matter, **kwargs):
        super().__init__(*args, **kwargs)
        self.matter = matter
        for q in matter.questions:
            attrs = {"data-question": q["key"]}
            if q.get("when"):
                attrs["data-when"] = _when_attr(q["when"])
            if q.get("type") == "amount":
                field = forms.CharField(
                    label=q["text"],
                    required=False,
                    widget=forms.TextInput(
                        attrs={**attrs, "inputmode": "decimal", "autocomplete": "off"}
                    ),
                )
            else:
                field = forms.ChoiceField(
                    label=q["text"],
                    required=False,
                    choices=[(str(c["value"]), c["label"]) for c in q["choices"]],
                    widget=forms.RadioSelect(attrs=attrs),
                )
            field.when = _when_attr(q.get("when")) if q.get("when") else ""
            self.fields[q["key"]] = field

    def answers(self) -> dict:
        data = self.data
        return {q["key"]: data.get(q["key"], "") for q in self.matter.questions}


def _when_attr(when: dict) -> str:
    """``key=v1|v2;key2=v3`` for the page's script that shows a question only then."""
    return ";".join(f"{k}={'|'.join(map(str, v))}" for k, v in when.items())


class PlaceForm(forms.Form):
    place = forms.ModelChoiceField(
        label=_("Where you live"),
        queryset=Region.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("— choose a county —"),
    )

    def __init__(self, *args, home=None, **kwargs):
        super().__init__(*args, **kwargs)
        ids = Region.objects.filter(level=RegionLevel.COUNTY).values("pk")
        queryset = Region.objects.filter(pk__in=ids)
        if home is not None:
            queryset = Region.objects.filter(pk__in=ids) | Region.objects.filter(pk=home.pk)
        self.fields["place"].queryset = queryset.order_by("path")
        self.fields["place"].initial = home


def parse_times(text: str) -> list[tuple[dt.time, dt.time]]:
    """``09:00-10:00, 10:30-11:30`` → pairs of times; ValueError on a bad one."""
    out = []
    for part in re.split(r"[,，;；\n]+", text or ""):
        if not part.strip():
            continue
        m = TIME_RANGE.match(part)
        if not m:
            raise ValueError(part.strip())
        h1, m1, h2, m2 = map(int, m.groups())
        try:
            out.append((dt.time(h1, m1), dt.time(h2, m2)))
        except ValueError:
            raise ValueError(part.strip()) from None
    return out


class SlotTemplateForm(forms.Form):
    office = forms.ModelChoiceField(label=_("Notary office"), queryset=None, empty_label=None)
    first_day = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}), required=True
    )
    weeks = forms.IntegerField(label=_("Weeks"), min_value=1, max_value=8, initial=1)
    days = forms.TypedMultipleChoiceField(
        label=_("Days of the week"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        initial=[0, 1, 2, 3, 4],
    )
    times = forms.CharField(
        label=_("Times"),
        initial="09:00-10:00, 10:00-11:00, 14:30-15:30, 15:30-16:30",
        help_text=_("Start–end, separated by commas, e.g. 09:00-10:00, 14:30-15:30"),
    )
    capacity = forms.IntegerField(label=_("Places per slot"), min_value=1, max_value=50, initial=3)
    working_days_only = forms.BooleanField(
        label=_("Skip holidays and weekends off (调休 counted)"), required=False, initial=True
    )

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices
        self.fields["first_day"].initial = timezone.localdate() + dt.timedelta(days=1)

    def clean_times(self):
        try:
            times = parse_times(self.cleaned_data["times"])
        except ValueError as bad:
            raise forms.ValidationError(
                _("“%(part)s” is not a time range like 09:00-10:00."),
                params={"part": str(bad)},
            ) from None
        if not times:
            raise forms.ValidationError(_("Give at least one time."))
        return times
