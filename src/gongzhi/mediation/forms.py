"""What the mediation pages read from a request: the register form with its party rows, the
board's and the figures' filters, and each action's parameters.

The forms only parse: whether a dispute is complete, a party's ID number valid or an action
allowed is for ``services`` and the workflow to say, so a page and the API refuse the same
things with the same words.
"""

from __future__ import annotations

import datetime as dt
from itertools import zip_longest

from django import forms
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.models import Role, User
from gongzhi.core.errors import ServiceError
from gongzhi.core.scope import scope_for
from gongzhi.regions.models import Grid, Region, RegionLevel

from . import services
from .choices import AgreementForm, Confirmation, Level, PartyKind, Risk, Side, Source, State
from .models import DisputeType, Obligation

# -- registering a dispute --------------------------------------------------------------------

MAX_PARTIES = 30
MAX_REGIONS = 2000  # a county's villages fit; a wider scope picks a grid or types less


def _grids_of(user) -> list[Grid]:
    return list(
        Grid.objects.filter(assignments__user=user, is_active=True)
        .select_related("community")
        .order_by("code")
        .distinct()
    )


def _villages_of(user) -> list[Region]:
    """The villages and communities in the viewer's area, where a dispute may arise."""
    scope = scope_for(user)
    places = Region.objects.filter(level=RegionLevel.COMMUNITY)
    if not scope.everything:
        if not scope.region_paths:
            return []
        condition = Q(pk__in=[])
        for path in scope.region_paths:
            condition |= Q(path__startswith=path)
        places = places.filter(condition)
    return list(places.select_related("parent").order_by("path")[:MAX_REGIONS])


class DisputeForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120, required=False)
    type = forms.ModelChoiceField(
        label=gettext_lazy("Type of dispute"),
        queryset=DisputeType.objects.filter(enabled=True),
        required=False,
        empty_label=gettext_lazy("Choose a type"),
    )
    facts = forms.CharField(
        label=gettext_lazy("Facts"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    amount = forms.CharField(
        label=gettext_lazy("Amount at stake (yuan)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    source = forms.ChoiceField(
        label=gettext_lazy("Found through"),
        choices=[("", gettext_lazy("Choose how it came to you")), *Source.choices],
        required=False,
    )
    source_ref = forms.CharField(
        label=gettext_lazy("Case or court number"), max_length=60, required=False
    )
    grid = forms.TypedChoiceField(label=gettext_lazy("Grid"), coerce=int, required=False)
    region = forms.TypedChoiceField(
        label=gettext_lazy("Village or community"), coerce=int, required=False
    )

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.grids = _grids_of(viewer)
        self.villages = _villages_of(viewer)
        self.fields["grid"].choices = [("", _("Not in one of my grids"))] + [
            (g.pk, f"{g.name} · {g.community.name}") for g in self.grids
        ]
        self.fields["region"].choices = [("", _("Choose the place"))] + [
            (r.pk, f"{r.parent.name if r.parent_id else ''} {r.name}".strip())
            for r in self.villages
        ]
        if not self.is_bound and self.grids:
            self.initial.setdefault("grid", self.grids[0].pk)

    # A screening round's page links here with ?campaign=<id>: the dispute counts for it.
    campaign = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    # Made when the page is drawn and sent back with it: a second click, or the browser
    # sending the form again, finds the dispute the first one registered.
    once = forms.RegexField(r"^[A-Za-z0-9_-]{8,64}$", required=False, widget=forms.HiddenInput)

    def dispute_in(self, parties: list[services.PartyIn], *, viewer) -> services.DisputeIn:
        data = self.cleaned_data
        return services.DisputeIn(
            idempotency_key=services.scoped_key(owner=f"user:{viewer.pk}", raw=data.get("once")),
            title=data.get("title") or "",
            type_id=data["type"].pk if data.get("type") else None,
            facts=data.get("facts") or "",
            source=data.get("source") or "",
            region_id=data.get("region") or None,
            grid_id=data.get("grid") or None,
            amount=(data.get("amount") or "").replace(",", "").strip() or None,
            source_ref=data.get("source_ref") or "",
            campaign_id=data.get("campaign") or None,
            parties=parties,
        )


class PartyForm(forms.Form):
    side = forms.ChoiceField(label=gettext_lazy("Side"), choices=Side.choices)
    kind = forms.ChoiceField(
        label=gettext_lazy("Person or organisation"),
        choices=PartyKind.choices,
        initial=PartyKind.PERSON,
    )
    name = forms.CharField(label=gettext_lazy("Party name"), max_length=100, required=False)
    id_number = forms.CharField(
        label=gettext_lazy("ID number or credit code"), max_length=18, required=False
    )
    phone = forms.CharField(
        label=gettext_lazy("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False)
    claims = forms.CharField(
        label=gettext_lazy("What they ask"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    people = forms.IntegerField(
        label=gettext_lazy("People on this side"),
        min_value=1,
        max_value=100_000,
        initial=1,
        required=False,
    )
    is_vulnerable = forms.BooleanField(
        label=gettext_lazy("Vulnerable (elderly, a minor, disabled, in hardship)"), required=False
    )
    petitions = forms.IntegerField(
        label=gettext_lazy("Petitions to higher levels"),
        min_value=0,
        max_value=100,
        initial=0,
        required=False,
    )

    TYPED = ("name", "id_number", "phone", "address", "claims")
    # Asked less often: folded away on a phone unless filled in or wrong.
    MORE = ("kind", "id_number", "address", "people", "petitions", "is_vulnerable")

    def more_open(self) -> bool:
        if not self.is_bound:
            return False
        if any(self.errors.get(f) for f in self.MORE):
            return True
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return bool(
            data.get("id_number")
            or data.get("address")
            or data.get("is_vulnerable")
            or (data.get("people") or 1) > 1
            or data.get("petitions")
            or data.get("kind") == PartyKind.ORGANISATION
        )

    def is_blank(self) -> bool:
        """A row the user added and left empty is no party."""
        data = getattr(self, "cleaned_data", {})
        return not any((data.get(f) or "").strip() for f in self.TYPED)

    def party_in(self) -> services.PartyIn:
        d = self.cleaned_data
        return services.PartyIn(
            side=d["side"],
            kind=d["kind"],
            name=d.get("name") or "",
            id_number=d.get("id_number") or "",
            phone=d.get("phone") or "",
            address=d.get("address") or "",
            claims=d.get("claims") or "",
            people=d.get("people") or 1,
            is_vulnerable=bool(d.get("is_vulnerable")),
            petitions=d.get("petitions") or 0,
        )


PartyFormSet = forms.formset_factory(
    PartyForm, extra=0, can_delete=True, max_num=MAX_PARTIES, validate_max=True
)
FIRST_PARTIES = [{"side": Side.APPLICANT}, {"side": Side.RESPONDENT}]


def party_formset(data=None) -> forms.BaseFormSet:
    return PartyFormSet(data, prefix="parties", initial=None if data else FIRST_PARTIES)


def parties_in(formset) -> tuple[list[services.PartyIn], list]:
    """The parties the rows hold (blank and removed rows left out), with the form each came
    from, so an error the service names as ``parties[i]`` finds its row."""
    parties, rows = [], []
    for form in formset.forms:
        if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
            continue
        if form.is_blank():
            continue
        parties.append(form.party_in())
        rows.append(form)
    return parties, rows


# -- the board's filters ----------------------------------------------------------------------

OPEN = "open"
ALL = "all"
BOARD_SORTS = [
    ("age", gettext_lazy("Waiting longest first")),
    ("new", gettext_lazy("Newest registered first")),
    ("due", gettext_lazy("Time at level running out first")),
]
# Major risk first whatever else is chosen: it stands on top of every board.
RISK_ORDER = Case(
    When(risk=Risk.MAJOR, then=Value(0)),
    When(risk=Risk.SERIOUS, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


class BoardFilterForm(forms.Form):
    state = forms.ChoiceField(label=gettext_lazy("State"), required=False)
    level = forms.ChoiceField(label=gettext_lazy("Level"), required=False)
    risk = forms.ChoiceField(label=gettext_lazy("Risk"), required=False)
    type = forms.ModelChoiceField(
        label=gettext_lazy("Type"),
        queryset=DisputeType.objects.all(),
        required=False,
        empty_label=gettext_lazy("All types"),
    )
    start = forms.DateField(
        label=gettext_lazy("Registered from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(
        label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(label=gettext_lazy("Order"), choices=BOARD_SORTS, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [
            (OPEN, _("Open (not closed)")),
            (ALL, _("All")),
            *[(s.value, s.label) for s in State.ordered()],
        ]
        self.fields["level"].choices = [("", _("All levels"))] + [
            (lv.value, lv.label) for lv in Level.ordered()
        ]
        self.fields["risk"].choices = [("", _("All risks"))] + [
            (r.value, r.label) for r in Risk.ordered()
        ]

    def values(self) -> dict:
        self.is_valid()
        return getattr(self, "cleaned_data", {})

    def apply(self, disputes):
        v = self.values()
        state = v.get("state") or OPEN
        if state == OPEN:
            disputes = disputes.exclude(state=State.CLOSED)
        elif state != ALL:
            disputes = disputes.filter(state=state)
        if v.get("level"):
            disputes = disputes.filter(level=v["level"])
        if v.get("risk"):
            disputes = disputes.filter(risk=v["risk"])
        if v.get("type"):
            disputes = disputes.filter(type=v["type"])
        if v.get("start"):
            disputes = disputes.filter(created_at__gte=_day_start(v["start"]))
        if v.get("end"):
            disputes = disputes.filter(created_at__lt=_day_start(v["end"] + dt.timedelta(days=1)))
        return disputes

    def ordered(self, disputes):
        order = {
            "age": ["created_at", "id"],
            "new": ["-created_at", "-id"],
            "due": [F("level_due").asc(nulls_last=True), "created_at", "id"],
        }[self.values().get("sort") or "age"]
        return disputes.alias(risk_order=RISK_ORDER).order_by("risk_order", *order)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# -- the figures' filters ---------------------------------------------------------------------

FIGURE_GROUPS = [
    ("region", gettext_lazy("Place")),
    ("level", gettext_lazy("Level")),
    ("type", gettext_lazy("Type")),
    ("month", gettext_lazy("Month")),
]
FIGURE_DAYS = 365


def viewer_regions(user) -> list[Region]:
    """The viewer's area and the places one level below it: what the figures may be for."""
    scope = scope_for(user)
    if scope.everything:
        tops = list(Region.objects.filter(parent__isnull=True).order_by("code"))
    else:
        tops = list(Region.objects.filter(path__in=scope.region_paths).order_by("path"))
    children = Region.objects.filter(parent__in=tops).order_by("path")
    return tops + [r for r in children if r not in tops]


class FiguresForm(forms.Form):
    region = forms.TypedChoiceField(
        label=gettext_lazy("Area"), coerce=int, required=False, empty_value=None
    )
    group_by = forms.ChoiceField(
        label=gettext_lazy("Group by"), choices=FIGURE_GROUPS, required=False
    )
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.regions = viewer_regions(viewer)
        self.fields["region"].choices = [("", _("My whole area"))] + [
            (r.pk, ("— " if r.parent_id in {x.pk for x in self.regions} else "") + r.name)
            for r in self.regions
        ]

    def chosen(self) -> dict:
        """region (a Region or None), group_by, first and last day, with the defaults: the
        whole area by place, the last year."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or end - dt.timedelta(days=FIGURE_DAYS - 1)
        if start > end:
            start, end = end, start
        region = next((r for r in self.regions if r.pk == data.get("region")), None)
        return {
            "region": region,
            "group_by": data.get("group_by") or "region",
            "start": start,
            "end": end,
        }


# -- each action's parameters -----------------------------------------------------------------


def _moment(value, field: str):
    value = (value or "").strip()
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ServiceError("invalid", _("This is not a valid date and time."), field) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _day(value, field: str):
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ServiceError("invalid", _("This is not a valid date."), field) from None


def mediators_of(dispute) -> list[User]:
    """Whom the holding unit may put on a dispute: its own mediators."""
    if dispute.holder_id is None:
        return []
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation_id=dispute.holder_id,
            memberships__role=Role.MEDIATOR,
        )
        .distinct()
        .order_by("display_name", "username")
    )


def _mediator_ids(dispute, values, field: str) -> list[int]:
    offered = {m.pk for m in mediators_of(dispute)}
    ids = []
    for value in values:
        try:
            pk = int(value)
        except (TypeError, ValueError):
            pk = None
        if pk not in offered:
            raise ServiceError("unknown_mediator", _("Choose one of the mediators offered."), field)
        ids.append(pk)
    return ids


def _start(post, dispute) -> dict:
    (lead,) = _mediator_ids(dispute, [post.get("lead")], "lead")
    helpers = _mediator_ids(dispute, [h for h in post.getlist("helpers") if h], "helpers")
    return {"lead": lead, "helpers": [h for h in helpers if h != lead], "note": post.get("note")}


def _recuse(post, dispute) -> dict:
    (lead,) = _mediator_ids(dispute, [post.get("lead")], "lead")
    return {"lead": lead, "reason": post.get("reason")}


def _session(post, dispute) -> dict:
    return {
        "held_at": _moment(post.get("held_at"), "held_at"),
        "place": post.get("place"),
        "attendees": post.get("attendees"),
        "summary": post.get("summary"),
        "next_step": post.get("next_step"),
        "next_at": _moment(post.get("next_at"), "next_at"),
    }


def _settle(post, dispute) -> dict:
    columns = [post.getlist(f"obligation_{k}") for k in ("party", "what", "how", "due_on")]
    obligations = [
        {"party": p or "", "what": w or "", "how": h or "", "due_on": (d or "").strip() or None}
        for p, w, h, d in zip_longest(*columns)
    ]
    return {
        "form": post.get("form") or AgreementForm.WRITTEN,
        "disputed_matters": post.get("disputed_matters"),
        "obligations": obligations,
        "note": post.get("note"),
    }


def _performance(post, dispute) -> dict:
    answers = {}
    agreement = getattr(dispute, "agreement", None)
    if agreement is not None:
        for obligation in agreement.obligations.filter(status=Obligation.Status.DUE):
            answer = post.get(f"performed_{obligation.pk}")
            if answer in ("yes", "no"):
                answers[str(obligation.pk)] = answer == "yes"
    return {"performed": answers, "note": post.get("note")}


def _confirmation(post, dispute) -> dict:
    status = post.get("status") or ""
    if status not in (Confirmation.APPLIED, Confirmation.CONFIRMED, Confirmation.REFUSED):
        status = None
    return {"status": status, "court": post.get("court"), "on": _day(post.get("on"), "on")}


def _reason(post, dispute) -> dict:
    return {"reason": post.get("reason")}


def _note(post, dispute) -> dict:
    return {"note": post.get("note")}


PARAMS = {
    "accept": _note,
    "decline": _reason,
    "start": _start,
    "recuse": _recuse,
    "record_session": _session,
    "settle": _settle,
    "fail": _reason,
    "withdraw": _reason,
    "check_performance": _performance,
    "confirmation": _confirmation,
    "close": _note,
    "escalate": lambda post, dispute: {"reason": post.get("reason"), "why": "hand"},
    "judge_risk": lambda post, dispute: {"risk": post.get("risk"), "reason": post.get("reason")},
    "comment": _note,
}


def action_params(action: str, post, dispute) -> dict:
    """The parameters of ``action`` read from a posted form (a ServiceError names a field
    that cannot be read). An action the table does not know gets none: the engine says so."""
    parse = PARAMS.get(action)
    return parse(post, dispute) if parse else {}


# -- screening rounds (排查) ------------------------------------------------------------------

ROUND_LEVELS = (RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.COMMUNITY)
ROUND_DAYS = 7  # a new round's deadline, unless changed: a week
ROUND_WHEN = [
    ("", gettext_lazy("All rounds")),
    ("open", gettext_lazy("Reports still due")),
    ("past", gettext_lazy("Deadline passed")),
]


def round_areas(user) -> list[Region]:
    """The places in the viewer's area a round may cover: their area and every township and
    village in it. Whether they may set a round over one is for ``campaigns`` to say."""
    scope = scope_for(user)
    places = Region.objects.filter(level__in=ROUND_LEVELS)
    if not scope.everything:
        if not scope.region_paths:
            return []
        condition = Q(pk__in=[])
        for path in scope.region_paths:
            condition |= Q(path__startswith=path)
        places = places.filter(condition)
    # Only what the choice shows: a region row also carries its whole boundary.
    return list(places.only("id", "name", "path", "level").order_by("path")[:MAX_REGIONS])


class CampaignFilterForm(forms.Form):
    when = forms.ChoiceField(label=gettext_lazy("Rounds"), choices=ROUND_WHEN, required=False)

    def apply(self, rounds, now):
        self.is_valid()
        when = getattr(self, "cleaned_data", {}).get("when")
        if when == "open":
            return rounds.filter(due_at__gte=now)
        if when == "past":
            return rounds.filter(due_at__lt=now)
        return rounds


class CampaignForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": gettext_lazy("e.g. Screening before the Spring Festival")}
        ),
    )
    region = forms.TypedChoiceField(
        label=gettext_lazy("Area"), coerce=int, required=False, empty_value=None
    )
    starts_on = forms.DateField(
        label=gettext_lazy("Starts on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    due_at = forms.DateTimeField(
        label=gettext_lazy("Reports due by"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = round_areas(viewer)
        top = min((a.path.count("/") for a in self.areas), default=0)
        self.fields["region"].choices = [("", _("Choose the area"))] + [
            (a.pk, "— " * (a.path.count("/") - top) + a.name) for a in self.areas
        ]
        if not self.is_bound:
            today = timezone.localdate()
            due = dt.datetime.combine(today + dt.timedelta(days=ROUND_DAYS), dt.time(18, 0))
            self.initial.setdefault("starts_on", today)
            self.initial.setdefault("due_at", timezone.make_aware(due))
            if self.areas:  # their whole area first
                self.initial.setdefault("region", self.areas[0].pk)

    def campaign_args(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data.get("title") or "",
            "region": data.get("region"),
            "starts_on": data.get("starts_on"),
            "due_at": data.get("due_at"),
        }


class GridReportForm(forms.Form):
    """A grid worker's answer for one grid; the count is the service's to check."""

    grid = forms.IntegerField(required=False)
    found = forms.CharField(label=gettext_lazy("Disputes found"), required=False)
    note = forms.CharField(label=gettext_lazy("Note (optional)"), required=False)

    def values(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "grid": data.get("grid"),
            "found": (data.get("found") or "").strip(),
            "note": data.get("note") or "",
        }


# -- cases converted to disputes ----------------------------------------------------------------


class ConvertFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Number or words"), max_length=60, required=False)
    category = forms.TypedChoiceField(
        label=gettext_lazy("Category"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All dispute categories"))] + [
            (c.pk, c.full_name) for c in categories
        ]

    def apply(self, cases):
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if data.get("category"):
            cases = cases.filter(category_id=data["category"])
        words = (data.get("q") or "").strip()
        if words:
            cases = cases.filter(Q(number__icontains=words) | Q(title__icontains=words))
        return cases


class ConvertForm(forms.Form):
    type = forms.ModelChoiceField(
        label=gettext_lazy("Type of dispute"),
        queryset=DisputeType.objects.filter(enabled=True),
        required=False,
        empty_label=gettext_lazy("Choose a type"),
    )

    def type_id(self) -> int | None:
        kind = self.cleaned_data.get("type")
        return kind.pk if kind else None
