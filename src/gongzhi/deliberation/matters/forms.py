"""The matters' forms: the secretary's proposal, and the fields of each step's form on the
matter page (read back into the service's params)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from gongzhi.core.errors import ServiceError
from gongzhi.regions.models import Region, RegionLevel

from .. import members
from ..choices import ItemOutcome, MeetingKind
from . import services

RESOLVERS = [
    (k.value, k.label)
    for k in MeetingKind.ordered()
    if k in (MeetingKind.VILLAGE_ASSEMBLY, MeetingKind.VILLAGE_REPRESENTATIVES)
]


def secretary_regions(user):
    """The villages and communities where the user may propose (their committee's)."""
    from gongzhi.core.scope import scope_for

    scope = scope_for(user)
    qs = Region.objects.filter(level=RegionLevel.COMMUNITY).order_by("code")
    if scope.everything:
        return qs
    return qs.filter(path__in=members.secretary_paths(scope))


class ProposeForm(forms.Form):
    region = forms.ModelChoiceField(
        label=gettext_lazy("Village or community"), queryset=Region.objects.none()
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=100)
    summary = forms.CharField(
        label=gettext_lazy("What is proposed"), widget=forms.Textarea(attrs={"rows": 4})
    )
    budget = forms.DecimalField(
        label=gettext_lazy("Budget (yuan)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )
    resolved_by = forms.ChoiceField(
        label=gettext_lazy("Resolved by"),
        choices=RESOLVERS,
        initial=MeetingKind.VILLAGE_REPRESENTATIVES,
        help_text=gettext_lazy("In an urban community: the residents' counterpart."),
    )
    proposer = forms.CharField(
        label=gettext_lazy("Proposed by"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Empty: you."),
    )
    participants = forms.CharField(
        label=gettext_lazy("Branch committee members taking part"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Names separated by 、"),
    )
    participant_count = forms.IntegerField(
        label=gettext_lazy("Number taking part"), required=False, min_value=0, max_value=500
    )
    minutes = forms.CharField(
        label=gettext_lazy("Minutes of the proposal"), widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        regions = secretary_regions(user)
        self.fields["region"].queryset = regions
        if regions.count() == 1:
            self.fields["region"].initial = regions.first().pk

    def add_service_error(self, error: ServiceError) -> None:
        for e in error.all:
            self.add_error(e.field if e.field in self.fields else None, e.message)

    def params(self) -> dict:
        data = self.cleaned_data
        return {
            "region": data["region"],
            "title": data["title"],
            "summary": data["summary"],
            "budget": data.get("budget"),
            "resolved_by": data["resolved_by"],
            "proposer": data.get("proposer") or "",
            "participants": data.get("participants") or "",
            "participant_count": data.get("participant_count") or 0,
            "minutes": data["minutes"],
        }


# (name, kind, label, required) of each step's form.
ACTION_FIELDS = {
    "deliberate": [
        ("outcome", "outcome", gettext_lazy("Did the two committees agree?"), True),
        ("participants", "textarea", gettext_lazy("Who took part (names separated by 、)"), True),
        ("participant_count", "number", gettext_lazy("Number taking part"), False),
        ("meeting", "meeting", gettext_lazy("At the joint meeting (if any)"), False),
        ("votes_for", "number", gettext_lazy("For"), False),
        ("votes_against", "number", gettext_lazy("Against"), False),
        ("votes_abstain", "number", gettext_lazy("Abstained"), False),
        ("minutes", "textarea", gettext_lazy("Minutes"), True),
    ],
    "review": [("meeting", "meeting", gettext_lazy("The Party members' meeting"), True)],
    "resolve": [
        ("meeting", "meeting", gettext_lazy("The meeting that resolved it"), True),
        ("resolution", "textarea", gettext_lazy("Resolution (empty: as proposed)"), False),
    ],
    "publish": [
        ("text", "textarea", gettext_lazy("Text to publish"), True),
        ("days", "number", gettext_lazy("Days open for objections"), False),
    ],
    "start": [("note", "textarea", gettext_lazy("Note"), False)],
    "publish_result": [
        ("text", "textarea", gettext_lazy("Result to publish"), True),
        ("days", "number", gettext_lazy("Days open for objections"), False),
    ],
    "withdraw": [("reason", "textarea", gettext_lazy("Reason"), True)],
}


def choices_for(kind: str, matter, action: str) -> list[tuple[str, str]]:
    if kind == "outcome":
        return [
            (ItemOutcome.PASSED.value, str(ItemOutcome.PASSED.label)),
            (ItemOutcome.REJECTED.value, str(ItemOutcome.REJECTED.label)),
        ]
    if kind == "meeting":
        return [
            (str(m.pk), f"{m.number} {m.title} ({m.starts_at:%Y-%m-%d})")
            for m in services.held_meetings(matter, action)
        ]
    return []


def action_params(action: str, post) -> dict:
    """The posted fields of a step's form, as the service's params."""
    return {
        name: (post.get(name) or "").strip()
        for name, _kind, _label, _required in ACTION_FIELDS.get(action, [])
    }
