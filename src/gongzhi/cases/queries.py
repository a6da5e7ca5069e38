"""Filters of the case consoles: the queue's filter bar and the map's, as plain forms.

A form cleans the query string; ``apply()`` narrows a queryset that is already scoped by
``Case.objects.visible_to`` (the forms never widen what a viewer may see: the region
choices themselves come from the viewer's scope). Invalid values are ignored, not fatal,
so that an old bookmark still opens.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts import masking
from gongzhi.accounts.services import unmaskable_kinds
from gongzhi.cases import search
from gongzhi.cases.choices import OPEN_STATES, Channel, State
from gongzhi.cases.models import NEXT_DUE, Callback, CaseEvent
from gongzhi.regions.models import Region, RegionLevel
from gongzhi.taxonomy.models import Category

# The deadline that is running now: accepting while reported, dispatching while accepted
# (or back with the command centre: returned, reopened, escalated), signing for while
# dispatched, resolving while in hand.
ACCEPT_RUNNING = (State.REPORTED,)
DISPATCH_RUNNING = (State.ACCEPTED, State.RETURNED, State.REOPENED, State.ESCALATED)
SIGN_FOR_RUNNING = (State.DISPATCHED,)
RESOLVE_RUNNING = (State.DISPATCHED, State.IN_PROGRESS)


def overdue_q(now=None) -> Q:
    """Overdue: flagged by the deadline scan, or past a running deadline since its last run."""
    now = now or timezone.now()
    return (
        Q(is_overdue=True, state__in=OPEN_STATES)
        | Q(state__in=ACCEPT_RUNNING, accept_due__lt=now)
        | Q(state__in=DISPATCH_RUNNING, dispatch_due__lt=now)
        | Q(state__in=SIGN_FOR_RUNNING, sign_for_due__lt=now)
        | Q(state__in=RESOLVE_RUNNING, resolve_due__lt=now)
    )


def due_soon_q(now=None) -> Q:
    """Due soon: the deadline scan has warned the unit (or the command centre, of its own
    steps), and the deadline has not passed."""
    now = now or timezone.now()
    return Q(warned_at__isnull=False, is_overdue=False) & (
        Q(state__in=ACCEPT_RUNNING, accept_due__gte=now)
        | Q(state__in=DISPATCH_RUNNING, dispatch_due__gte=now)
        | Q(state__in=RESOLVE_RUNNING, resolve_due__gte=now)
    )


def awaiting_callback_q(now=None) -> Q:
    """回访 by phone to do: closed within the callback window, not rated since, with a
    phone number on the case to call (a hotline caller's; a reporter with an account is
    asked in the app instead, and an anonymous report left none)."""
    now = now or timezone.now()
    window = timedelta(days=settings.GONGZHI["CALLBACK_WINDOW_DAYS"])
    rated = Callback.objects.filter(case=OuterRef("pk"), created_at__gte=OuterRef("closed_at"))
    return (
        Q(state=State.CLOSED, closed_at__gte=now - window)
        & ~Q(Exists(rated))
        & ~Q(reporter_phone="")
    )


# The queue's query string that makes it the operators' 回访 list (menu and overview).
CALLBACK_LIST_QUERY = "awaiting_callback=on&sort=closed"


def with_overdue(queryset, now=None):
    """Annotate ``late`` (bool) with the same rule as ``overdue_q``."""
    return queryset.annotate(late=ExpressionWrapper(overdue_q(now), output_field=BooleanField()))


def next_due_expression():
    """The deadline a case is racing against now (None when none is running): the
    expression the ``case_next_due`` index holds."""
    return NEXT_DUE


SORTS = {
    "newest": (_("Newest first"), lambda qs: qs.order_by("-created_at", "-id")),
    "deadline": (
        _("Deadline soonest"),
        lambda qs: qs.annotate(next_due=next_due_expression()).order_by(
            F("next_due").asc(nulls_last=True), "-created_at", "-id"
        ),
    ),
    "supervised": (
        _("Most supervised"),
        lambda qs: qs.order_by("-supervision_count", "-created_at", "-id"),
    ),
    # The callback list: the case closed longest ago is the next to go stale.
    "closed": (
        _("Closed longest ago"),
        lambda qs: qs.order_by(F("closed_at").asc(nulls_last=True), "created_at", "id"),
    ),
}
DEFAULT_SORT = "newest"


def state_counts(queryset) -> dict[str, int]:
    """``{state: number of cases}`` in one aggregate query."""
    rows = queryset.order_by().values("state").annotate(n=Count("id"))
    return {row["state"]: row["n"] for row in rows}


# Lists count at most this many rows and say "10,000+" beyond it (issue 25): a count that
# reads every matching case grows with the years of cases, and nobody pages that far.
COUNT_LIMIT = 10_000


def bounded_count(queryset, limit: int | None = None) -> tuple[int, bool]:
    """(the number of rows, at most LIMIT (``COUNT_LIMIT``); whether there are more)."""
    limit = COUNT_LIMIT if limit is None else limit
    n = queryset.order_by()[: limit + 1].count()
    return min(n, limit), n > limit


def bounded_state_counts(queryset, limit: int | None = None) -> tuple[dict[str, int], set]:
    """``{state: number}`` and the states with more than LIMIT cases: one aggregate over the
    first LIMIT + 1 rows; when there are more, one bounded count per state."""
    limit = COUNT_LIMIT if limit is None else limit
    inner = queryset.order_by().values("state")[: limit + 1]
    sql, params = inner.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"SELECT state, COUNT(*) FROM ({sql}) bounded GROUP BY state", params)
        counts = dict(cursor.fetchall())
    if sum(counts.values()) <= limit:
        return counts, set()
    over = set()
    for state in State.values:
        counts[state], capped = bounded_count(queryset.filter(state=state), limit)
        if capped:
            over.add(state)
    return counts, over


class BoundedPaginator(Paginator):
    """Django's paginator counting at most ``limit`` rows (``capped``: there are more);
    pages past the limit are not offered (narrow the filters instead)."""

    def __init__(self, object_list, per_page, *, limit: int | None = None, known=None, **kw):
        """KNOWN: the (count, capped) already counted, e.g. from the state chips."""
        super().__init__(object_list, per_page, **kw)
        self.limit = COUNT_LIMIT if limit is None else limit
        self.capped = False
        self.known = known

    @cached_property
    def count(self) -> int:
        if self.known is not None:
            n, self.capped = self.known
            return min(n, self.limit)
        n, self.capped = bounded_count(self.object_list, self.limit)
        return n


def _local_midnight(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class _CaseFilterMixin:
    """``apply()`` for whichever of the known fields a form declares."""

    viewer = None  # whose words the search may read (cases.search)

    def values(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()  # fills cleaned_data with the valid fields; invalid ones are dropped
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", [], False)}

    def apply_states(self, queryset):
        chosen = self.values().get("state")
        return queryset.filter(state__in=chosen) if chosen else queryset

    def apply(self, queryset, *, states: bool = True, now=None):
        """Narrow ``queryset`` by every filter set (``states=False``: all but the states,
        for the chips' counts)."""
        v = self.values()
        if states:
            queryset = self.apply_states(queryset)
        if v.get("category") is not None:
            queryset = queryset.filter(category__path__startswith=v["category"].path)
        if v.get("region"):
            region = self.region_by_code.get(v["region"])
            if region is not None:
                queryset = queryset.filter(region_path__startswith=region.path)
        if v.get("channel"):
            queryset = queryset.filter(channel=v["channel"])
        if v.get("overdue"):
            queryset = queryset.filter(overdue_q(now))
        if v.get("due_soon"):
            queryset = queryset.filter(due_soon_q(now))
        if v.get("awaiting_callback"):
            queryset = queryset.filter(awaiting_callback_q(now))
        if v.get("q"):
            queryset = search.matching(queryset, v["q"], viewer=self.viewer)
        if v.get("date_from"):
            queryset = queryset.filter(created_at__gte=_local_midnight(v["date_from"]))
        if v.get("date_to"):
            end = _local_midnight(v["date_to"] + timedelta(days=1))
            queryset = queryset.filter(created_at__lt=end)
        # The command centre's figures open the queue on exactly the records they count.
        if v.get("closed_from"):
            queryset = queryset.filter(closed_at__gte=_local_midnight(v["closed_from"]))
        if v.get("closed_to"):
            end = _local_midnight(v["closed_to"] + timedelta(days=1))
            queryset = queryset.filter(closed_at__lt=end)
        if v.get("flagged_overdue"):
            queryset = queryset.filter(is_overdue=True)
        if v.get("returned"):
            returned = CaseEvent.objects.filter(case=OuterRef("pk"), action="return")
            queryset = queryset.filter(Exists(returned))
        for name, column in (("unit", "owner_id"), ("grid", "grid_id")):
            value = v.get(name)  # an id, or "none": the cases without one
            if value == "none":
                queryset = queryset.filter(**{f"{column}__isnull": True})
            elif value and value.isdigit():
                queryset = queryset.filter(**{column: int(value)})
        return queryset

    def sort(self, queryset):
        key = self.values().get("sort") or DEFAULT_SORT
        return SORTS.get(key, SORTS[DEFAULT_SORT])[1](queryset)

    @property
    def active(self) -> bool:
        """Whether any filter (not the sort order) is set."""
        return any(k != "sort" for k in self.values())


def first_level_categories():
    return Category.objects.filter(parent__isnull=True, enabled=True).order_by("order", "path")


class CaseFilterForm(_CaseFilterMixin, forms.Form):
    """The dispatcher's queue: the filter bar above the table."""

    q = forms.CharField(
        label=_("Number or words"),
        required=False,
        max_length=60,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Case number, or words of the report")}
        ),
    )
    state = forms.MultipleChoiceField(
        label=_("State"), choices=State.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("All categories"),
    )
    region = forms.ChoiceField(label=_("Place"), required=False)
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All channels")), *Channel.choices]
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    due_soon = forms.BooleanField(label=_("Due soon (unit warned)"), required=False)
    awaiting_callback = forms.BooleanField(label=_("Awaiting callback"), required=False)
    date_from = forms.DateField(
        label=_("Reported from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Reported until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[(key, label) for key, (label, _fn) in SORTS.items()],
    )
    # Set by the command centre's figures (hidden: kept as the bar's filters change).
    closed_from = forms.DateField(label=_("Closed from"), required=False, widget=forms.HiddenInput)
    closed_to = forms.DateField(label=_("Closed until"), required=False, widget=forms.HiddenInput)
    flagged_overdue = forms.BooleanField(
        label=_("Flagged overdue"), required=False, widget=forms.HiddenInput
    )
    returned = forms.BooleanField(
        label=_("Returned by a unit"), required=False, widget=forms.HiddenInput
    )
    unit = forms.CharField(
        label=_("Lead unit"), required=False, max_length=12, widget=forms.HiddenInput
    )
    grid = forms.CharField(label=_("Grid"), required=False, max_length=12, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            # Said, rather than answering "no cases" for a period that cannot hold any.
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def __init__(self, data=None, *, viewer, **kwargs):
        super().__init__(data, **kwargs)
        self.viewer = viewer
        self.fields["category"].queryset = first_level_categories()
        regions = list(
            Region.objects.visible_to(viewer)
            .filter(level__in=(RegionLevel.COUNTY, RegionLevel.TOWNSHIP))
            .only("code", "name", "level", "path")
            .order_by("path")
        )
        self.region_by_code = {r.code: r for r in regions}
        self.fields["region"].choices = [("", _("All places"))] + [
            (r.code, ("\u3000" if r.level == RegionLevel.TOWNSHIP else "") + r.name)
            for r in regions
        ]


class MapFilterForm(_CaseFilterMixin, forms.Form):
    """The map of open cases: category, state (open states only), overdue."""

    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("All categories"),
    )
    state = forms.MultipleChoiceField(
        label=_("State"),
        choices=[(value, label) for value, label in State.choices if value in OPEN_STATES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    region_by_code: dict = {}

    def __init__(self, data=None, *, viewer=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["category"].queryset = first_level_categories()


def reporters_words(*, case, viewer):
    """How ``viewer`` reads the words a reporter wrote (title, description): a viewer who may
    unmask nothing (a leader) reads them with phone numbers, ID numbers and house addresses
    masked; the reporter, and anyone whose work needs some personal data, as written."""
    if unmaskable_kinds(viewer) or (viewer is not None and case.reporter_id == viewer.pk):
        return lambda text: text
    return masking.mask_personal_in_text
