"""Template helpers of the case consoles: state badges, deadlines with a countdown, rates.

{% load gongzhi_cases %}
{% state_badge case.state %}
{% deadline case %}                 the running deadline, its countdown, overdue in red
{{ row.response_rate|pct }}         0.8532 → 85.3%
{{ event.action|action_label }}
{% for label, value in event.data|event_details %}…{% endfor %}
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.cases.queries import (
    ACCEPT_RUNNING,
    DISPATCH_RUNNING,
    RESOLVE_RUNNING,
    SIGN_FOR_RUNNING,
)
from gongzhi.cases.workflow import deadlines
from gongzhi.taxonomy.models import ClockStage

from ..choices import OPEN_STATES, Channel, Satisfaction, State
from ..choices import OVERDUE_COLOUR as OVERDUE_COLOUR

register = template.Library()

# The states' colours live on the choice set (``State.colour_of``, ``State.colours()``).
# STATE_COLOURS and OVERDUE_COLOUR are kept here for the views that still import them.
STATE_COLOURS = State.colours()

# Timeline entries that are not workflow actions.
EXTRA_ACTION_LABELS = {
    "report": gettext_lazy("Reported"),
    "merged_in": gettext_lazy("Another case merged into this one"),
    "deadline_warning": gettext_lazy("Deadline warning"),
    "overdue": gettext_lazy("Overdue"),
    "split_from": gettext_lazy("Split off another case"),
}

EVENT_DATA_LABELS = {
    "channel": gettext_lazy("channel"),
    "grid": gettext_lazy("grid"),
    "organisation": gettext_lazy("unit code"),
    "organisation_name": gettext_lazy("unit"),
    "organisations": gettext_lazy("unit codes"),
    "names": gettext_lazy("units"),
    "stage": gettext_lazy("step"),
    "dispatch_due": gettext_lazy("dispatch by"),
    "sign_for_due": gettext_lazy("sign for by"),
    "resolve_due": gettext_lazy("resolve by"),
    "new_due": gettext_lazy("new deadline"),
    "approved": gettext_lazy("approved"),
    "request": gettext_lazy("request"),
    "count": gettext_lazy("times supervised"),
    "into": gettext_lazy("merged into"),
    "case": gettext_lazy("case"),
    "from": gettext_lazy("from"),
    "to": gettext_lazy("to"),
    "resolved": gettext_lazy("problem solved"),
    "satisfaction": gettext_lazy("satisfaction"),
    "by_phone": gettext_lazy("by phone"),
    "reopened": gettext_lazy("reopened"),
    "cases": gettext_lazy("new cases"),
    "resume_on": gettext_lazy("expected resume date"),
    "from_state": gettext_lazy("back to"),
    "automatic": gettext_lazy("automatically"),
}
# Codes that mean little to a reader next to the names shown beside them.
HIDDEN_EVENT_KEYS = {"organisation", "organisations", "request", "entry"}


def state_label(state: str) -> str:
    return State.label_of(state)


@register.simple_tag
def state_badge(state: str):
    return format_html(
        '<span class="badge state state-{}" data-testid="state" data-state="{}">{}</span>',
        state,
        state,
        state_label(state),
    )


@register.filter
def state_colour(state: str) -> str:
    return State.colour_of(state)


@register.filter
def action_label(action: str) -> str:
    from gongzhi.cases.workflow.table import RULES

    rule = RULES.get(action)
    if rule is not None:
        return str(rule.label)
    return str(EXTRA_ACTION_LABELS.get(action, action))


@register.filter
def pct(value) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.1f}%"


def human_duration(delta: timedelta) -> str:
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": mins}
    if not mins:
        return _("under a minute")  # "0 min left" reads as if the time were already up
    return _("%(minutes)d min") % {"minutes": mins}


def deadline_info(case, now=None) -> dict:
    """The running deadline of a case, or how its deadlines ended."""
    now = now or timezone.now()
    info: dict = {"due": None, "late": False, "label": "", "countdown": "", "outcome": ""}
    start = case.dispatched_at
    # Due soon: for resolving, from when the deadline scan warns the owner; accepting,
    # dispatching and signing for are counted in minutes or hours, so only their last fifth.
    if case.state in ACCEPT_RUNNING and case.accept_due:
        info.update(due=case.accept_due, label=_("Accept by"))
        minimum, start = deadlines.STAGE_WARN_MIN, case.created_at
    elif case.state in DISPATCH_RUNNING and case.dispatch_due:
        info.update(due=case.dispatch_due, label=_("Dispatch by"))
        minimum, start = deadlines.STAGE_WARN_MIN, case.dispatch_from or case.accepted_at
    elif case.state in SIGN_FOR_RUNNING and case.sign_for_due:
        info.update(due=case.sign_for_due, label=_("Sign for by"))
        minimum = timedelta(0)
    elif case.state in RESOLVE_RUNNING and case.resolve_due:
        info.update(due=case.resolve_due, label=_("Resolve by"))
        minimum = deadlines.WARN_MIN
    if info["due"] is not None:
        left = info["due"] - now
        info["late"] = left.total_seconds() < 0 or bool(case.is_overdue)
        if start is not None:
            info["soon_from"] = deadlines.warn_from(start, info["due"], minimum=minimum)
            info["soon"] = not info["late"] and now >= info["soon_from"]
        if left.total_seconds() < 0:
            info["countdown"] = _("overdue by %(time)s") % {"time": human_duration(left)}
        else:
            info["countdown"] = _("%(time)s left") % {"time": human_duration(left)}
        return info
    if case.resolve_met is not None:
        info["met"] = case.resolve_met
        info["outcome"] = _("Resolved in time") if case.resolve_met else _("Resolved late")
    elif case.sign_for_met is False:
        info["met"] = False
        info["outcome"] = _("Signed for late")
    info["late"] = bool(case.is_overdue) and case.state in OPEN_STATES
    return info


@register.inclusion_tag("cases/console/_deadline.html")
def deadline(case, now=None):
    return {"d": deadline_info(case, now), "case": case}


# Codes stored in timeline data that have a readable label.
CODED_EVENT_VALUES = {
    "channel": Channel,
    "satisfaction": Satisfaction,
    "stage": ClockStage,
    "from_state": State,
}


def _display(value, key=""):
    choices = CODED_EVENT_VALUES.get(key)
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, str) and len(value) >= 19 and value[4:5] == "-" and "T" in value:
        parsed = parse_datetime(value)
        if isinstance(parsed, datetime):
            if timezone.is_aware(parsed):
                parsed = timezone.localtime(parsed)
            return date_format(parsed, "Y-m-d H:i")
    if value is None:
        return "—"
    return value


@register.filter
def event_details(data) -> list[tuple[str, object]]:
    """The timeline entry's data as (label, readable value) pairs."""
    if not isinstance(data, dict):
        return []
    return [
        (str(EVENT_DATA_LABELS.get(key, key)), _display(value, key))
        for key, value in data.items()
        if key not in HIDDEN_EVENT_KEYS and value not in (None, "", [])
    ]


@register.inclusion_tag("cases/console/_countdown_i18n.html")
def countdown_i18n():
    """The countdown's words for console.js, from the same messages as the server's."""
    return {
        "fmt": {
            "days": _("%(days)d d %(hours)d h"),
            "hours": _("%(hours)d h %(minutes)d min"),
            "minutes": _("%(minutes)d min"),
            "under": _("under a minute"),
            "left": _("%(time)s left"),
            "overdue": _("overdue by %(time)s"),
        }
    }


@register.simple_tag
def deadline_rows(case, now=None) -> list[dict]:
    """A case's deadlines (accept, dispatch, sign for, resolve): when due, whether met (and
    when), the countdown if running."""
    now = now or timezone.now()
    rows = []
    for label, due, met, done_at, running_states, start, minimum in (
        (
            _("Accept by"),
            case.accept_due,
            case.accept_met,
            case.accepted_at,
            ACCEPT_RUNNING,
            case.created_at,
            deadlines.STAGE_WARN_MIN,
        ),
        (
            _("Dispatch by"),
            case.dispatch_due,
            case.dispatch_met,
            case.dispatched_at if case.dispatch_met is not None else None,
            DISPATCH_RUNNING,
            case.dispatch_from or case.accepted_at,
            deadlines.STAGE_WARN_MIN,
        ),
        (
            _("Sign for by"),
            case.sign_for_due,
            case.sign_for_met,
            case.signed_at,
            SIGN_FOR_RUNNING,
            case.dispatched_at,
            timedelta(0),
        ),
        (
            _("Resolve by"),
            case.resolve_due,
            case.resolve_met,
            case.resolved_at,
            RESOLVE_RUNNING,
            case.dispatched_at,
            deadlines.WARN_MIN,
        ),
    ):
        if due is None:
            continue
        running = case.state in running_states and met is None
        left = due - now
        late = running and left.total_seconds() < 0
        countdown, soon_from = "", None
        if running and start is not None:
            soon_from = deadlines.warn_from(start, due, minimum=minimum)
        if running:
            countdown = (_("overdue by %(time)s") if late else _("%(time)s left")) % {
                "time": human_duration(left)
            }
        rows.append(
            {
                "label": label,
                "due": due,
                "met": met,
                "done_at": done_at,
                "running": running,
                "late": late,
                "soon": bool(soon_from) and not late and now >= soon_from,
                "soon_from": soon_from,
                "countdown": countdown,
            }
        )
    return rows
