"""Consoles: the dispatcher's queue, a department's inbox, a grid worker's tasks, the case
page with its actions, the map of open cases, and the three rates.

Every list, page and map layer here starts from ``Case.objects.visible_to(viewer)``; the
views parse input, call one service and render (ARCHITECTURE.md, rules 1 and 3). State
changes go through ``services.do_transition`` → ``workflow.transition`` only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from gongzhi.accounts.models import Organisation, Role
from gongzhi.accounts.roles import HOTLINE_ROLES, STAFF_DESK, UNIT_DESK, is_staff, roles_of
from gongzhi.cases import channels, media, queries, stats
from gongzhi.cases.queries import CaseFilterForm, MapFilterForm, with_overdue
from gongzhi.cases.workflow import inputs, relations, routing, suspension
from gongzhi.cases.workflow import services as transitions
from gongzhi.cases.workflow import table as workflow
from gongzhi.cases.workflow.actions import max_extension_days
from gongzhi.core.errors import ServiceError
from gongzhi.regions.models import GridAssignment
from gongzhi.taxonomy.models import Category

from ..answers import do_save as save_to_knowledge_base
from ..choices import OPEN_STATES, OVERDUE_COLOUR, Satisfaction, State
from ..models import Answer, Attachment, Case, CoHandler
from .common import ROW_RELATED, case_or_404, home_console

PER_PAGE = 50
INBOX_LIMIT = 100
RECENT_DAYS = 7
# The map draws the newest open cases in its view, at most these (zoom in for the rest).
MAP_MAX_POINTS = 2_000
# The queue shows states in the order a case lives through them.
STATE_ORDER = State.ordered()


# -- who may use which console ---------------------------------------------------------------


def _is_htmx_for(request, target: str) -> bool:
    return bool(request.headers.get("HX-Request")) and request.headers.get("HX-Target") == target


# -- 1. the dispatcher's queue ----------------------------------------------------------------


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def queue(request):
    roles = roles_of(request.user)
    if not roles & STAFF_DESK:
        return redirect(home_console(roles))
    now = timezone.now()
    form = CaseFilterForm(request.GET, viewer=request.user)
    unfiltered_states = form.apply(Case.objects.visible_to(request.user), states=False, now=now)
    # Counted up to a bound, and paged by a bounded offset over an index in the sort's
    # order: the queue costs the same at 5 K cases and at 1 M (issue 25).
    counts, over = queries.bounded_state_counts(unfiltered_states)
    cases = form.sort(form.apply_states(unfiltered_states)).select_related(*ROW_RELATED)
    chosen = set(form.values().get("state") or [])
    total = sum(counts.values())
    known = None if chosen else (total, bool(over) or total > queries.COUNT_LIMIT)
    page = queries.BoundedPaginator(cases, PER_PAGE, known=known).get_page(request.GET.get("page"))
    chips = [
        {
            "state": s,
            "label": State.label_of(s),
            "count": counts.get(s, 0),
            "more": s in over,
            "on": s in chosen,
        }
        for s in STATE_ORDER
    ]
    context = {
        "form": form,
        "page": page,
        "chips": chips,
        "total": total,
        "now": now,
    }
    if _is_htmx_for(request, "queue-results"):
        context["partial"] = True  # the state chips' counts follow out of band
        return render(request, "cases/console/_queue_results.html", context)
    return render(request, "cases/console/queue.html", context)


# -- 2. a unit's inbox ------------------------------------------------------------------------


def _units_q(lookup: str, units) -> Q:
    """The rows of these units (``relations.handling_units``), each with its sub-units or not."""
    condition = Q(pk__in=[])
    for path, subtree in units:
        condition |= Q(**{f"{lookup}__startswith" if subtree else lookup: path})
    return condition


@login_required
@require_GET
def inbox(request):
    roles = roles_of(request.user)
    if not roles & (UNIT_DESK | {Role.ADMINISTRATOR}):
        return redirect(home_console(roles))
    now = timezone.now()
    units = relations.handling_units(request.user)
    co_handled = CoHandler.objects.filter(_units_q("organisation__path", units)).values("case_id")
    mine = Case.objects.visible_to(request.user).filter(
        _units_q("owner__path", units) | Q(pk__in=co_handled)
    )
    mine = with_overdue(mine, now).select_related(*ROW_RELATED)
    groups = [
        {
            "key": "to_sign",
            "title": _("To sign for"),
            "cases": mine.filter(state=State.DISPATCHED).order_by("sign_for_due", "created_at"),
        },
        {
            "key": "in_progress",
            "title": _("In progress"),
            # A suspended case stays in the unit's hands (its badge says it is paused).
            "cases": mine.filter(state__in=[State.IN_PROGRESS, State.SUSPENDED]).order_by(
                "resolve_due", "created_at"
            ),
        },
        {
            "key": "recent",
            "title": _("Returned or resolved in the last %(days)d days") % {"days": RECENT_DAYS},
            "cases": mine.filter(
                state__in=[State.RESOLVED, State.RETURNED, State.REOPENED, State.CLOSED],
                updated_at__gte=now - timedelta(days=RECENT_DAYS),
            ).order_by("-updated_at"),
        },
    ]
    for group in groups:
        rows = list(group["cases"][: INBOX_LIMIT + 1])
        group["more"] = len(rows) > INBOX_LIMIT
        group["cases"] = rows[:INBOX_LIMIT]
        for case in rows:
            case.is_co_handled = not relations.handles(units, case.owner)
    return render(
        request,
        "cases/console/inbox.html",
        {
            "groups": groups,
            "units": Organisation.objects.filter(path__in=[p for p, _s in units]).order_by("path"),
            "now": now,
            "has_units": bool(units),
        },
    )


# -- 3. a grid worker's tasks -----------------------------------------------------------------


@login_required
@require_GET
def tasks(request):
    roles = roles_of(request.user)
    if Role.GRID_WORKER not in roles and Role.ADMINISTRATOR not in roles:
        return redirect(home_console(roles))
    now = timezone.now()
    assignments = list(
        GridAssignment.objects.filter(user=request.user, grid__is_active=True).select_related(
            "grid"
        )
    )
    grid_ids = [a.grid_id for a in assignments]
    cases = with_overdue(
        Case.objects.visible_to(request.user).filter(grid_id__in=grid_ids), now
    ).select_related("category", "grid")
    to_verify = list(cases.filter(state=State.RESOLVED).order_by("resolved_at", "id")[:200])
    still_open = list(
        cases.filter(state__in=OPEN_STATES)
        .exclude(state=State.RESOLVED)
        .order_by("-is_urgent", "-created_at")[:200]
    )
    return render(
        request,
        "cases/console/tasks.html",
        {
            "grids": [a.grid for a in assignments],
            "to_verify": to_verify,
            "still_open": still_open,
            "now": now,
        },
    )


# -- 4. the case page and its actions ---------------------------------------------------------


@dataclass
class ActionForm:
    """One action the viewer may take now, with what its form needs."""

    name: str
    label: str
    kind: str = "normal"  # normal | primary | danger
    extra: dict = field(default_factory=dict)

    @property
    def template(self) -> str:
        return f"cases/console/actions/{self.name}.html"


ACTION_KIND = {
    "accept": "primary",
    "dispatch": "primary",
    "sign_for": "primary",
    "resolve": "primary",
    "verify_pass": "primary",
    "callback": "primary",
    "reject": "danger",
    "verify_fail": "danger",
    "return": "danger",
    "withdraw": "danger",
    "answer": "primary",
    "decide_suspension": "primary",
    "resume": "primary",
}
# The parts a split form shows at first (more on asking, up to ``inputs.MAX_PARTS``).
SPLIT_PARTS = 3


def _split_categories(case) -> list[Category]:
    """The categories a part may take: enabled, offered on the case's channel, by path."""
    rows = Category.objects.filter(enabled=True).only("id", "path", "full_name").order_by("path")
    return channels.offered(list(rows), channel=case.channel)


# Shown first: the actions that move the case on.
def _local_input(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _action_forms(
    request, case, allowed, pending, callbacks, action_posted=None, suspensions=None
) -> list[ActionForm]:
    user = request.user
    result = []
    offered = inputs.offered(
        case, user, allowed=allowed, pending=pending, callbacks=callbacks, suspensions=suspensions
    )
    for name in offered:
        if name == "categorise":
            continue  # set on the triage page, where the model's suggestions are
        form = ActionForm(name, str(workflow.RULES[name].label), ACTION_KIND.get(name, "normal"))
        if name == "dispatch":
            suggested = routing.route_owner(case)
            units = inputs.units_for_select(inputs.dispatch_units(user, case))
            if suggested is not None and all(u.pk != suggested.pk for u in units):
                units.insert(0, suggested)
            form.extra = {"units": units, "suggested": suggested}
        elif name == "transfer":
            form.extra = {
                "units": inputs.units_for_select(
                    inputs.dispatch_units(user, case).exclude(pk=case.owner_id or 0)
                ),
                "current": case.owner,
            }
        elif name == "add_co_handlers":
            present = {c.organisation_id for c in case.co_handlers.all()}
            form.extra = {
                "units": inputs.units_for_select(
                    inputs.dispatch_units(user, case).exclude(pk__in=present | {case.owner_id or 0})
                )
            }
        elif name == "decide_extension":
            form.extra = {"request": pending}
        elif name == "split":
            try:
                count = int(request.GET.get("parts", SPLIT_PARTS))
            except ValueError:
                count = SPLIT_PARTS
            count = max(2, min(count, inputs.MAX_PARTS))
            may_dispatch = workflow.FLOW.permitted(workflow.RULES["dispatch"], user, case)
            posted = request.POST if request.method == "POST" and action_posted == "split" else {}
            if posted:  # shown again as sent, with the message about what is wrong
                count = max(
                    count,
                    *(
                        i + 1
                        for i in range(inputs.MAX_PARTS)
                        if posted.get(f"part-{i}-description") or posted.get(f"part-{i}-title")
                    ),
                    2,
                )
            parts = []
            for i in range(count):
                first = i == 0 and not posted
                parts.append(
                    {
                        "i": i,
                        "title": posted.get(f"part-{i}-title", "")
                        if posted
                        else (case.title if first else ""),
                        "description": posted.get(f"part-{i}-description", "")
                        if posted
                        else (case.description if first else ""),
                        "category": posted.get(f"part-{i}-category", "")
                        if posted
                        else (str(case.category_id) if first else ""),
                        "organisation": posted.get(f"part-{i}-organisation", "") if posted else "",
                    }
                )
            form.extra = {
                "parts": parts,
                "more": count + 1 if count < inputs.MAX_PARTS else None,
                "categories": _split_categories(case),
                "units": inputs.units_for_select(inputs.dispatch_units(user, case))
                if may_dispatch
                else [],
            }
        elif name in ("decide_suspension", "resume"):
            status = "pending" if name == "decide_suspension" else "active"
            form.extra = {
                "request": next((s for s in suspensions if s.status == status), None)
                if suspensions is not None
                else case.suspensions.filter(status=status).first()
            }
        elif name == "request_suspension":
            today = timezone.localdate()
            form.extra = {
                "min": (today + timedelta(days=1)).isoformat(),
                "max": (today + timedelta(days=suspension.max_days())).isoformat(),
            }
        elif name == "request_extension":
            now = timezone.now()
            if case.is_overdue or (case.resolve_due and case.resolve_due <= now):
                form.extra = {"overdue": True}  # said, rather than a form that would be refused
            else:
                start = case.resolve_due or now
                last = start + timedelta(days=max_extension_days())
                form.extra = {
                    "due": case.resolve_due,
                    "min": _local_input(start),
                    "max": _local_input(last),
                    "suggest": _local_input(min(start + timedelta(days=3), last)),
                }
        elif name == "callback":
            form.extra = {
                "by_phone": case.reporter_id != user.pk,
                "satisfaction": Satisfaction.choices,
            }
        result.append(form)
    return result


def _photo_url(attachment, size: str) -> str:
    # Through the scoped view: uploads have no public URL.
    return reverse("cases:photo", args=[attachment.case.number, attachment.pk, size])


def _detail_context(request, case, *, error=None, error_action=None) -> dict:
    user = request.user
    roles = roles_of(user)
    staff = is_staff(roles)
    events = case.events.select_related("actor", "actor_organisation").order_by("at", "id")
    if not staff:
        events = events.filter(is_public=True)
    attachments = list(case.attachments.order_by("created_at", "id"))
    photos = []
    for stage, label in Attachment.Stage.choices:
        items = [
            {"thumb": _photo_url(a, "thumb"), "full": _photo_url(a, "full"), "a": a}
            for a in attachments
            if a.stage == stage
        ]
        if items:
            photos.append({"stage": stage, "label": label, "items": items})
    co_handlers = list(case.co_handlers.select_related("organisation").order_by("created_at"))
    callbacks = list(case.callbacks.select_related("recorded_by"))
    extensions = list(
        case.extension_requests.select_related("requested_by", "decided_by").order_by("-created_at")
    )
    pending = next((x for x in extensions if x.status == "pending"), None)
    suspensions = list(
        case.suspensions.select_related("requested_by", "decided_by").order_by("-created_at")
    )
    allowed = workflow.allowed_actions(case, user)
    actions = _action_forms(
        request, case, allowed, pending, callbacks, error_action, suspensions=suspensions
    )
    grid_boundary = case.grid.boundary if case.grid_id and case.grid.boundary else None
    shown = queries.reporters_words(case=case, viewer=user)
    return {
        "case": case,
        "shown_title": shown(case.title),
        "shown_description": shown(case.description or case.title),
        "staff": staff,
        "events": list(events),
        "photos": photos,
        "co_handlers": co_handlers,
        "callbacks": callbacks,
        "extensions": extensions if staff else [],
        "suspensions": suspensions if staff else [],
        "suspended": next((x for x in suspensions if x.status == "active"), None),
        "split_from": case.split_from,
        "split_cases": list(case.split_cases.order_by("id").only("number", "title", "state")),
        "may_save_answer": staff and case.state == State.ANSWERED and bool(roles & HOTLINE_ROLES),
        "saved_answer": Answer.objects.filter(source_case=case).first()
        if case.state == State.ANSWERED
        else None,
        "actions": actions,
        "error": error,
        "error_action": error_action,
        "posted": request.POST if error is not None else {},
        "map_data": {
            "point": [case.lng, case.lat]
            if case.lng is not None and case.lat is not None
            else None,
            "grid": grid_boundary,
            "grid_name": case.grid.name if case.grid_id else "",
            "colour": State.colour_of(case.state),
        },
        "now": timezone.now(),
        "back_url": home_console(roles) if staff else "",
    }


@login_required
@require_GET
def detail(request, number):
    case = case_or_404(request.user, number)
    return render(request, "cases/console/detail.html", _detail_context(request, case))


# What each action reads from the form. Free-text fields go to the action as they are; the
# action validates them (required, length) and says what is wrong.
@login_required
@require_POST
def act(request, number, action):
    """Take an action from the case page (a split has its own view: ``intake.views.split``)."""
    case = case_or_404(request.user, number)
    photos = request.FILES.getlist("photos") if action in inputs.PHOTO_ACTIONS else ()
    expected = request.POST.get("expected_state") or None
    try:
        transitions.do_transition(
            case=case,
            action=action,
            actor=request.user,
            data=request.POST,
            photos=photos,
            expected_state=expected,
        )
    except ServiceError as error:
        case = case_or_404(request.user, number)  # as it is now: nothing was changed
        context = _detail_context(request, case, error=error, error_action=action)
        return render(request, "cases/console/detail.html", context, status=error.status)
    rule = workflow.RULES[action]
    messages.success(request, _("Done: %(action)s.") % {"action": rule.label})
    if Case.objects.visible_to(request.user).filter(pk=case.pk).exists():
        target = reverse("cases:detail", args=[case.number])
    else:  # e.g. returned by a unit: no longer theirs to see
        target = home_console(roles_of(request.user))
    if request.headers.get("HX-Request") and target != reverse("cases:detail", args=[case.number]):
        response = HttpResponse(status=200)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


@login_required
@require_POST
def save_answer(request, number):
    """Save a case's direct answer to the knowledge base, in one click."""
    case = case_or_404(request.user, number)
    try:
        _entry, created = save_to_knowledge_base(case=case, user=request.user)
    except ServiceError as error:
        context = _detail_context(request, case, error=error, error_action="save_answer")
        return render(request, "cases/console/detail.html", context, status=error.status)
    messages.success(
        request,
        _("The answer is saved to the knowledge base.")
        if created
        else _("This answer is already in the knowledge base."),
    )
    return redirect("cases:detail", number=case.number)


@login_required
@require_GET
def photo(request, number, pk, size="full"):
    """A case photo, served only to those who may see the case."""
    case = case_or_404(request.user, number)
    try:
        return media.photo_response(case=case, attachment_id=pk, size=size)
    except ServiceError:
        raise Http404 from None


# -- 5. the map of open cases -----------------------------------------------------------------


@login_required
@require_GET
def case_map(request):
    roles = roles_of(request.user)
    if not is_staff(roles):
        return redirect(home_console(roles))
    form = MapFilterForm(request.GET, viewer=request.user)
    legend = [
        {"state": s, "label": State.label_of(s), "colour": State.colour_of(s)}
        for s in STATE_ORDER
        if s in OPEN_STATES
    ]
    return render(
        request,
        "cases/console/map.html",
        {
            "form": form,
            "legend": legend,
            "map_config": {
                "colours": State.colours(),
                "overdue": OVERDUE_COLOUR,
                "texts": {
                    "count": _("%(n)s open cases on the map"),
                    "truncated": _(
                        "(only the newest %(n)s in view are shown: zoom in for the rest)"
                    )
                    % {"n": MAP_MAX_POINTS},
                    "open": _("Open the case"),
                    "overdue": _("Overdue"),
                    "urgent": _("Urgent"),
                    "failed": _("The cases could not be loaded."),
                },
            },
            "overdue_colour": OVERDUE_COLOUR,
        },
    )


def map_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    """The view's box "west,south,east,north" (degrees) as floats; None for none given.
    Raises ServiceError when it is not four numbers of a box on the earth."""
    if value is None or value == "":
        return None
    try:
        west, south, east, north = (float(part) for part in value.split(","))
    except ValueError:
        raise ServiceError(
            "bad_bbox", _("The map's box must be four numbers: west,south,east,north."), "bbox"
        ) from None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise ServiceError(
            "bad_bbox",
            _("The map's box must lie on the earth, with west before east and south before north."),
            "bbox",
        )
    return west, south, east, north


@login_required
@require_GET
def map_data(request):
    """GeoJSON of the viewer's open cases with a point in the view's box (``bbox``), filtered
    like the map's form: the newest MAP_MAX_POINTS, ``truncated`` when there are more."""
    if not is_staff(roles_of(request.user)):
        return JsonResponse({"error": "forbidden"}, status=403)
    try:
        bbox = map_bbox(request.GET.get("bbox"))
    except ServiceError as error:
        return JsonResponse(error.as_dict(), status=400)
    form = MapFilterForm(request.GET, viewer=request.user)
    cases = form.apply(
        Case.objects.visible_to(request.user).filter(
            state__in=OPEN_STATES, lng__isnull=False, lat__isnull=False
        )
    )
    if bbox is not None:
        west, south, east, north = bbox
        cases = cases.filter(lng__gte=west, lng__lte=east, lat__gte=south, lat__lte=north)
    rows = list(
        with_overdue(cases)
        .order_by("-created_at", "-id")
        .values_list(
            "number", "title", "state", "lng", "lat", "late", "is_urgent", "category__full_name"
        )[: MAP_MAX_POINTS + 1]
    )
    truncated = len(rows) > MAP_MAX_POINTS
    template = reverse("cases:detail", args=["HD-00000000-000000"]).replace(
        "HD-00000000-000000", "{}"
    )
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(lng, 6), round(lat, 6)]},
            "properties": {
                "number": number,
                "title": title,
                "state": state,
                "state_label": State.label_of(state),
                "overdue": bool(late),
                "urgent": urgent,
                "category": category,
                "url": template.format(number),
            },
        }
        for number, title, state, lng, lat, late, urgent, category in rows[:MAP_MAX_POINTS]
    ]
    return JsonResponse(
        {
            "type": "FeatureCollection",
            "features": features,
            "count": len(features),
            "truncated": truncated,
        }
    )


# -- 6. the three rates -----------------------------------------------------------------------

RATE_GROUPS = [
    ("unit", gettext_lazy("Lead unit")),
    ("county", gettext_lazy("County / district")),
    ("township", gettext_lazy("Township / subdistrict")),
    ("category", gettext_lazy("Category")),
    ("month", gettext_lazy("Month")),
    ("week", gettext_lazy("Week")),
    ("day", gettext_lazy("Day")),
]
RATE_PERIOD_DAYS = 30
PERIOD_FORMATS = {"month": "%Y-%m", "week": "%Y-%m-%d", "day": "%Y-%m-%d"}


# The days a period may start or end on: beyond them the calendar arithmetic overflows (year
# 9999) or meets the local mean time offsets of the distant past (year 1).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
BAD_DAY = gettext_lazy("Enter a date between 2000-01-01 and 2099-12-31.")


def _day_field(label):
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[
            MinValueValidator(FIRST_DAY, message=BAD_DAY),
            MaxValueValidator(LAST_DAY, message=BAD_DAY),
        ],
        error_messages={"invalid": BAD_DAY},
    )


class RatesForm(forms.Form):
    group_by = forms.ChoiceField(
        label=gettext_lazy("Group by"), choices=RATE_GROUPS, required=False
    )
    start = _day_field(gettext_lazy("From"))
    end = _day_field(gettext_lazy("Until"))

    def date_error(self) -> str:
        """The message for a day given wrongly (empty when both are fine or not given)."""
        self.is_valid()
        for name in ("start", "end"):
            if self.errors.get(name):
                return f"{self.fields[name].label}: {self.errors[name][0]}"
        return ""

    def period(self):
        """(group_by, first day, last day) with the defaults: by unit, the last 30 days."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or end - timedelta(days=RATE_PERIOD_DAYS - 1)
        if start > end:
            start, end = end, start
        return data.get("group_by") or "unit", start, end


def _label(row: dict, group_by: str) -> str:
    key = row.get("label")
    if isinstance(key, datetime):
        if timezone.is_aware(key):
            key = timezone.localtime(key)
        return key.strftime(PERIOD_FORMATS.get(group_by, "%Y-%m-%d"))
    if not key:
        return _("(no lead unit)") if group_by == "unit" else _("(unknown)")
    return str(key)


CHART_TOP = 15


@login_required
@require_GET
def rates(request):
    roles = roles_of(request.user)
    if not is_staff(roles):
        return redirect(home_console(roles))
    data = rates_table(request)
    bad_day = data["form"].date_error()
    if bad_day:  # shown above the default period, with a 400 for whoever sent it
        messages.error(request, bad_day)
    rows = data["rows"]
    # Hundreds of units make an unreadable chart: it shows the busiest, the table shows all.
    # A row without any rate yet (cases nobody has taken on) would only be an empty slot.
    rated_rows = [
        rl
        for rl in data["table"]
        if any(
            rl[0][k] is not None for k in ("response_rate", "resolution_rate", "satisfaction_rate")
        )
    ]
    charted = sorted(rated_rows, key=lambda rl: -rl[0]["total"])[:CHART_TOP]
    chart = {
        "labels": [label for _row, label in charted],
        "series": [
            {"name": name, "data": [_as_pct(row[key]) for row, _label_ in charted]}
            for key, name in (
                ("response_rate", _("Response rate")),
                ("resolution_rate", _("Resolution rate")),
                ("satisfaction_rate", _("Satisfaction rate")),
            )
        ],
    }
    return render(
        request,
        "cases/console/rates.html",
        {
            **data,
            "sort_columns": [
                {"key": key, "title": title, "largest_first": RATE_SORTS[key][1]}
                for key, title in (
                    ("total", _("Cases")),
                    ("response", _("Response rate")),
                    ("resolution", _("Resolution rate")),
                    ("satisfaction", _("Satisfaction rate")),
                    ("overdue", _("Overdue")),
                )
            ],
            "chart": chart,
            "chart_is_partial": len(rows) > CHART_TOP,
            "chart_top": CHART_TOP,
        },
        status=400 if bad_day else 200,
    )


# A column to sort the rates table by: its figure, and whether the largest comes first. Rates
# go lowest first (where a leader looks), an empty rate last.
RATE_SORTS = {
    "total": ("total", True),
    "response": ("response_rate", False),
    "resolution": ("resolution_rate", False),
    "satisfaction": ("satisfaction_rate", False),
    "overdue": ("overdue", True),
}


def rates_table(request) -> dict:
    """The rates of the viewer's scope for the asked grouping, period and order (the page
    and its export show the same)."""
    form = RatesForm(request.GET)
    group_by, first_day, last_day = form.period()
    start = timezone.make_aware(datetime.combine(first_day, time.min))
    end = timezone.make_aware(datetime.combine(last_day + timedelta(days=1), time.min))
    rows = stats.rates(viewer=request.user, group_by=group_by, start=start, end=end)
    overall = stats.rates(viewer=request.user, group_by="all", start=start, end=end)
    table = list(zip(rows, [_label(row, group_by) for row in rows], strict=True))
    sort = request.GET.get("sort")
    if sort in RATE_SORTS:
        key, largest_first = RATE_SORTS[sort]
        sign = -1 if largest_first else 1
        # Ties: the unit with more cases first (0 of 10 in time matters more than 0 of 1).
        table.sort(key=lambda rl: (rl[0][key] is None, sign * (rl[0][key] or 0), -rl[0]["total"]))
    return {
        "form": form,
        "group_by": group_by,
        "group_label": dict(RATE_GROUPS).get(group_by, group_by),
        "first_day": first_day,
        "last_day": last_day,
        "rows": rows,
        "table": table,
        "sort": sort if sort in RATE_SORTS else "",
        "overall": overall[0] if overall else None,
    }


def _as_pct(value):
    return None if value is None else round(value * 100, 1)
