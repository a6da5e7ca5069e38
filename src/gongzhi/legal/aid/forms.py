"""The legal-aid pages' forms: the application (for oneself on a phone, or entered at a
service point for a walk-in person), and each workflow action's parameters as the services
take them (``services.do_transition(**params)``)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.errors import ServiceError
from gongzhi.core.scope import scope_for
from gongzhi.regions.models import Region, RegionLevel

from ..models.points import ResidentProfile, ServicePoint
from ..staff import aid_reviewer_paths
from . import queries, services
from .choices import DeadlineKind, Flag, ProgressKind, Termination

MAX_FILES = 10
MAX_PLACES = 3000

# The circumstances in plain words, as a resident reads them (the exemption rules' flags).
PLAIN_FLAGS = {
    Flag.MIGRANT_WORKER: gettext_lazy(
        "I work away from home (migrant worker) and claim unpaid wages or work-injury damages"
    ),
    Flag.NO_FIXED_INCOME: gettext_lazy("I have no fixed income (minor, elderly or disabled)"),
    Flag.DISABLED: gettext_lazy("I have a disability"),
    Flag.SOCIAL_ASSISTANCE: gettext_lazy(
        "I receive 低保, 特困 support, judicial assistance or special care"
    ),
    Flag.ABUSE_VICTIM: gettext_lazy("I suffer abuse, abandonment or domestic violence"),
    Flag.HERO_KIN: gettext_lazy(
        "I am a close relative of a hero or martyr defending their reputation"
    ),
    Flag.RETRIAL_ACQUITTED: gettext_lazy("I was acquitted on retrial and claim state compensation"),
}


def may_enter_for_others(user) -> bool:
    """Whether the user enters applications for walk-in people (the centre's staff, or the
    staff of a unit that runs a service point)."""
    scope = scope_for(user)
    if scope.everything or aid_reviewer_paths(scope):
        return True
    units = ServicePoint.objects.exclude(organisation=None).values_list(
        "organisation__path", flat=True
    )
    return any(scope.covers_organisation_path(p) for p in units if p)


def home_region(user) -> Region | None:
    profile = ResidentProfile.objects.filter(user=user).select_related("region").first()
    return profile.region if profile and profile.region_id else None


def place_choices(user) -> list[tuple[int, str]]:
    """The villages and communities offered: those of the resident's county (from their
    profile), or of the staff member's area, else all."""
    home = home_region(user)
    qs = Region.objects.filter(level=RegionLevel.COMMUNITY)
    scope = scope_for(user)
    paths = aid_reviewer_paths(scope) or (() if scope.everything else scope.region_paths)
    if home is not None:
        county = home.path.strip("/").split("/")
        prefix = "/" + "/".join(county[:-2]) + "/" if len(county) > 2 else home.path
        qs = qs.filter(path__startswith=prefix)
    elif paths:
        qs = qs.filter(path__startswith=paths[0])
    places = list(qs.select_related("parent").order_by("path")[:MAX_PLACES])
    return [(r.pk, f"{r.parent.name} · {r.name}" if r.parent_id else r.name) for r in places]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class ApplyForm(forms.Form):
    # for a walk-in person (staff only)
    name = forms.CharField(label=gettext_lazy("Applicant's name"), max_length=100, required=False)
    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=18, required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, required=False)
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False)
    service_point = forms.TypedChoiceField(
        label=gettext_lazy("Service point"), coerce=int, required=False, empty_value=None
    )
    # the matter
    matter_type = forms.TypedChoiceField(
        label=gettext_lazy("What kind of matter is it?"), coerce=int, empty_value=None
    )
    summary = forms.CharField(
        label=gettext_lazy("What happened"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        required=False,
    )
    opposing_party = forms.CharField(
        label=gettext_lazy("Against whom (person or company)"), max_length=200, required=False
    )
    matter_deadline = forms.DateField(
        label=gettext_lazy("Is there a date you must act by?"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    matter_deadline_kind = forms.ChoiceField(
        label=gettext_lazy("What date is it?"),
        choices=[("", "—"), *DeadlineKind.choices],
        required=False,
    )
    region = forms.TypedChoiceField(
        label=gettext_lazy("Village or community"), coerce=int, empty_value=None, required=False
    )
    # hardship
    household_size = forms.IntegerField(
        label=gettext_lazy("People in your household"), min_value=1, max_value=30, initial=1
    )
    monthly_income_per_head = forms.DecimalField(
        label=gettext_lazy("Monthly income per person (yuan)"),
        min_value=0,
        max_digits=10,
        decimal_places=2,
        required=False,
    )
    flags = forms.MultipleChoiceField(
        label=gettext_lazy("Does any of this apply to you?"),
        choices=[(f.value, PLAIN_FLAGS.get(f, f.label)) for f in Flag],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    pledge = forms.BooleanField(
        label=gettext_lazy(
            "I promise that what I say here is true; I know that aid obtained by false "
            "statements is ended and must be paid back (诚信承诺)."
        ),
        required=False,
    )
    documents = MultipleFileField(
        label=gettext_lazy("Documents (photos or PDF)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*,application/pdf"}),
    )

    def __init__(self, *args, user, on_behalf=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.on_behalf = on_behalf
        self.fields["matter_type"].choices = [("", "—")] + [
            (t.pk, t.name) for t in queries.matter_types()
        ]
        self.fields["region"].choices = [("", "—"), *place_choices(user)]
        home = home_region(user)
        if home is not None and not self.is_bound:
            self.initial.setdefault("region", home.pk)
        self.fields["service_point"].choices = [("", "—")] + [
            (p.pk, p.name) for p in ServicePoint.objects.order_by("code")[:500]
        ]
        if not on_behalf and not self.is_bound:
            self.initial.setdefault("name", user.display_name or "")
            self.initial.setdefault("id_number", getattr(user, "id_number", "") or "")
            self.initial.setdefault("phone", user.mobile or "")

    def clean_documents(self):
        files = self.cleaned_data.get("documents") or []
        if len(files) > MAX_FILES:
            raise forms.ValidationError(
                _("At most %(n)d files at once.") % {"n": MAX_FILES}, code="too_many"
            )
        for upload in files:
            try:
                services.check_document(upload)
            except ServiceError as error:
                raise forms.ValidationError(error.message, code=error.code) from None
            upload.seek(0)
        return files

    def data_in(self) -> services.ApplicationIn:
        d = self.cleaned_data
        return services.ApplicationIn(
            matter_type_id=d.get("matter_type"),
            summary=d.get("summary") or "",
            region_id=d.get("region"),
            id_number=d.get("id_number") or "",
            name=d.get("name") or "",
            phone=d.get("phone") or "",
            address=d.get("address") or "",
            opposing_party=d.get("opposing_party") or "",
            matter_deadline=d.get("matter_deadline"),
            matter_deadline_kind=d.get("matter_deadline_kind") or "",
            household_size=d.get("household_size") or 1,
            monthly_income_per_head=d.get("monthly_income_per_head"),
            pledge=bool(d.get("pledge")),
            flags=list(d.get("flags") or []),
            service_point_id=d.get("service_point") if self.on_behalf else None,
        )

    def add_service_error(self, error: ServiceError) -> None:
        for e in error.all:
            self.add_error(e.field if e.field in self.fields else None, e.message)


# -- each action's parameters -----------------------------------------------------------


def _day(value, field: str):
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ServiceError("invalid", _("This is not a valid date."), field) from None


def _int(value, field: str, message):
    try:
        return int((value or "").strip())
    except ValueError:
        raise ServiceError("invalid", message, field) from None


def action_params(action: str, post) -> dict:
    """What ``services.do_transition`` takes for ``action``, read from the posted form."""
    text = {k: (post.get(k) or "").strip() for k in post}
    if action == "request_documents":
        items = [line.strip() for line in text.get("items", "").splitlines() if line.strip()]
        params = {"items": items}
        if text.get("days"):
            params["days"] = _int(text["days"], "days", _("Give a number of days."))
        return params
    if action in ("supply_documents", "grant", "grant_first", "close"):
        return {"note": text.get("note", "")}
    if action in ("mark_urgent", "refuse", "object", "uphold", "order_aid", "withdraw"):
        return {"reason": text.get("reason", "")}
    if action == "review_advance":
        return {"confirmed": text.get("confirmed") == "yes", "reason": text.get("reason", "")}
    if action == "assign":
        return {"lawyer": _int(text.get("lawyer"), "lawyer", _("Choose a lawyer."))}
    if action == "record_progress":
        return {
            "kind": text.get("kind", ""),
            "happened_on": _day(text.get("happened_on"), "happened_on"),
            "note": text.get("note", ""),
        }
    if action == "terminate":
        return {"termination": text.get("termination", ""), "reason": text.get("reason", "")}
    if action == "conclude":
        return {"outcome": text.get("outcome", "")}
    if action == "rate":
        return {
            "rating": _int(text.get("rating"), "rating", _("Choose 1 to 5 stars.")),
            "comment": text.get("comment", ""),
        }
    return {}


# The fields of each action's form: (name, kind, label, required, extra)
ACTION_FIELDS = {
    "request_documents": [
        ("items", "textarea", gettext_lazy("Every missing document, one a line"), True),
        ("days", "number", gettext_lazy("Days the applicant has to supply them"), False),
    ],
    "supply_documents": [("note", "textarea", gettext_lazy("Note"), False)],
    "mark_urgent": [("reason", "textarea", gettext_lazy("Why it is urgent"), True)],
    "grant": [("note", "textarea", gettext_lazy("Note"), False)],
    "refuse": [("reason", "textarea", gettext_lazy("Reason for the refusal (in writing)"), True)],
    "grant_first": [("note", "textarea", gettext_lazy("Note"), False)],
    "review_advance": [
        ("confirmed", "yesno", gettext_lazy("Does the review confirm the aid?"), True),
        ("reason", "textarea", gettext_lazy("Reason (required if revoked)"), False),
    ],
    "object": [("reason", "textarea", gettext_lazy("Why you object to the refusal"), True)],
    "uphold": [("reason", "textarea", gettext_lazy("Reason for the decision"), True)],
    "order_aid": [("reason", "textarea", gettext_lazy("Reason for the decision"), True)],
    "assign": [("lawyer", "lawyer", gettext_lazy("Lawyer"), True)],
    "record_progress": [
        ("kind", "progress", gettext_lazy("What"), True),
        ("happened_on", "date", gettext_lazy("Date"), True),
        ("note", "textarea", gettext_lazy("What happened"), True),
    ],
    "terminate": [
        ("termination", "termination", gettext_lazy("Why aid ends"), True),
        ("reason", "textarea", gettext_lazy("Explanation"), True),
    ],
    "conclude": [("outcome", "textarea", gettext_lazy("Outcome"), True)],
    "close": [
        ("closing_file", "file", gettext_lazy("Closing file (PDF or photo)"), False),
        ("note", "textarea", gettext_lazy("Note"), False),
    ],
    "rate": [
        ("rating", "stars", gettext_lazy("How satisfied are you?"), True),
        ("comment", "textarea", gettext_lazy("Comment"), False),
    ],
    "withdraw": [("reason", "textarea", gettext_lazy("Reason"), False)],
}


def choices_for(kind: str, application) -> list[tuple[str, str]]:
    if kind == "lawyer":
        return [
            (str(u.pk), f"{u.masked_name} ({u.username})")
            for u in services.lawyers_for(application)
        ]
    if kind == "progress":
        return list(ProgressKind.choices)
    if kind == "termination":
        return list(Termination.choices)
    if kind == "stars":
        return [(str(n), "★" * n) for n in range(5, 0, -1)]
    if kind == "yesno":
        return [("yes", _("Yes, confirm the aid")), ("no", _("No, revoke the aid"))]
    return []
