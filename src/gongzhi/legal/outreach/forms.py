"""普法's forms: an article (targets limited to the writer's area), a campaign, the quiz."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.regions.models import Region, RegionLevel

from ..models import AudienceGroup, Campaign
from . import quiz as quizzes

QUIZ_HELP = _(
    "Optional, 3 to 5 questions: one block per question separated by a blank line; the "
    "question on the first line, then one option a line, the right one starting with *."
)


def _area_regions(paths):
    where = Q(pk__in=[])
    for p in paths:
        where |= Q(path__startswith=p)
    return Region.objects.filter(where).exclude(level=RegionLevel.PROVINCE).order_by("path")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ImagesField(forms.FileField):
    """Several images from one ``<input type=file multiple>``; their content is checked by
    ``core.media`` through the service."""

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(ImagesField, self).clean(f, initial) for f in files if f]


class RegionChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        depth = max(obj.path.count("/") - 4, 0)
        return "\u3000" * depth + obj.name


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    summary = forms.CharField(label=_("Summary"), max_length=200, required=False)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}))
    cover = forms.ImageField(label=_("Cover image"), required=False)
    images = ImagesField(
        label=_("More images"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
    )
    video = forms.FileField(
        label=_("Video (MP4 or WebM, at most 100 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "video/mp4,video/webm"}),
    )
    regions = RegionChoice(
        label=_("Send to the regions"),
        queryset=Region.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    groups = forms.ModelMultipleChoiceField(
        label=_("Audience groups"),
        queryset=AudienceGroup.objects.filter(enabled=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None: everyone in the regions."),
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.none(),
        required=False,
        empty_label=_("No campaign: send on publishing"),
    )
    send = forms.BooleanField(
        label=_("Send to the inbox of the people targeted"), required=False, initial=True
    )
    public = forms.BooleanField(
        label=_("Everyone in the regions may read it"), required=False, initial=True
    )
    publish = forms.BooleanField(label=_("Publish now"), required=False, initial=True)
    quiz = forms.CharField(
        label=_("Quiz"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 8, "placeholder": "宪法是国家的根本法吗？\n*是\n不是"}
        ),
        help_text=QUIZ_HELP,
    )

    def __init__(self, *args, paths=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regions"].queryset = _area_regions(paths)
        where = Q(pk__in=[])
        for p in paths:
            where |= Q(owner_path__startswith=p)
        self.fields["campaign"].queryset = Campaign.objects.filter(where)


class ArticleEditForm(forms.Form):
    """The words of a saved article (its targeting and media stay as sent)."""

    title = forms.CharField(label=_("Title"), max_length=120)
    summary = forms.CharField(label=_("Summary"), max_length=200, required=False)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}))
    quiz = forms.CharField(
        label=_("Quiz"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=QUIZ_HELP,
    )


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    region = forms.ModelChoiceField(label=_("Area"), queryset=Region.objects.none())
    starts_on = forms.DateField(
        label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, paths=(), **kwargs):
        super().__init__(*args, **kwargs)
        where = Q(pk__in=[])
        for p in paths:
            where |= Q(path=p)
        self.fields["region"].queryset = Region.objects.filter(where)


class QuizForm(forms.Form):
    """One radio group per question (``q0``, ``q1``, …)."""

    def __init__(self, *args, quiz=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.quiz = list(quiz)
        for n, item in enumerate(self.quiz):
            self.fields[f"q{n}"] = forms.TypedChoiceField(
                label=item["question"],
                choices=list(enumerate(item["options"])),
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose an answer.")},
            )

    def choices(self) -> list[int]:
        return [self.cleaned_data[f"q{n}"] for n in range(len(self.quiz))]


__all__ = ["ArticleForm", "CampaignForm", "QuizForm", "quizzes"]
