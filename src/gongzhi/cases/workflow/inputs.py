"""An action's input, parsed and checked the same way for the case page, the API and
Open311: which units may be chosen, which case one may merge into, the dates and yes/no
answers; and which actions a page offers its viewer now."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Organisation, OrganisationKind
from gongzhi.cases.models import Case
from gongzhi.cases.workflow import routing
from gongzhi.core.db import MAX_ID
from gongzhi.core.errors import ServiceError

# The kinds of unit a case may be dispatched to or shared with.
DISPATCH_KINDS = (
    OrganisationKind.DEPARTMENT,
    OrganisationKind.TOWNSHIP,
    OrganisationKind.COMMUNITY,
)


class _Fields:
    """A form's ``get``/``getlist`` over a QueryDict or a JSON object alike."""

    def __init__(self, data):
        self.data = data if data is not None else {}

    def get(self, key: str, default: str = "") -> str:
        if hasattr(self.data, "getlist"):
            return self.data.get(key, default)
        value = self.data.get(key, default)
        if isinstance(value, list):
            value = value[-1] if value else default
        if isinstance(value, bool):
            return "yes" if value else "no"
        return default if value is None else str(value)

    def getlist(self, key: str) -> list[str]:
        if hasattr(self.data, "getlist"):
            return self.data.getlist(key)
        value = self.data.get(key)
        if value is None:
            return []
        return [str(v) for v in (value if isinstance(value, list) else [value])]


TEXT_PARAMS = {
    "accept": ("note",),
    "reject": ("reason",),
    "dispatch": ("note",),
    "transfer": ("reason",),
    "withdraw": ("reason",),
    "sign_for": ("note",),
    "return": ("reason",),
    "add_co_handlers": ("task",),
    "resolve": ("result",),
    "verify_pass": ("note",),
    "verify_fail": ("reason",),
    "escalate": ("reason",),
    "merge": ("note",),
    "supervise": ("note",),
    "request_extension": ("reason",),
    "decide_extension": ("note",),
    "comment": ("note",),
    "callback": ("comment",),
    "answer": ("answer",),
    "split": ("note",),
    "request_suspension": ("reason",),
    "decide_suspension": ("note",),
    "resume": ("note",),
}
# 拆分: at most this many parts, each posted as part-<i>-title, part-<i>-description,
# part-<i>-category (an id) and part-<i>-organisation (an id, optional), from 0.
MAX_PARTS = 6
PART_FIELDS = ("title", "description", "category", "organisation")
PHOTO_ACTIONS = {"resolve", "verify_pass", "verify_fail"}
YES = {"1", "yes", "true", "on"}
NO = {"0", "no", "false", "off"}


def _pk_list(values) -> list[int]:
    try:
        ids = [int(v) for v in values if str(v).strip()]
    except (TypeError, ValueError):
        ids = [0]
    # An id no row can have is refused here, not handed to the database (out of its range).
    if any(not 0 < i <= MAX_ID for i in ids):
        raise ServiceError(
            "unknown_organisation", _("One of the chosen units does not exist."), "organisation"
        )
    return ids


def parse(user, case, action: str, data) -> dict:
    """An action's input as its handler's keyword arguments (see ``actions``). ``data`` is a
    posted form (a QueryDict) or the API's JSON parameters (a dict): the same fields."""
    post = _Fields(data)
    params = {key: post.get(key, "") for key in TEXT_PARAMS.get(action, ())}
    if action == "dispatch":
        chosen = _pk_list([post.get("organisation", "")])
        if chosen:
            suggested = routing.route_owner(case)
            _check_offered(user, case, chosen, "organisation", also=suggested)
            params["organisation"] = chosen[0]
    elif action == "transfer":
        chosen = _pk_list([post.get("organisation", "")])
        if chosen:
            _check_offered(user, case, chosen, "organisation")
            params["organisation"] = chosen[0]
    elif action == "add_co_handlers":
        chosen = _pk_list(post.getlist("organisations"))
        _check_offered(user, case, chosen, "organisations")
        params["organisations"] = chosen
    elif action == "merge":
        number = post.get("into", "").strip().upper()
        # Only into a case the viewer may see: the same answer as for a missing one.
        target = Case.objects.visible_to(user).filter(number=number).first() if number else None
        if target is None:
            raise ServiceError("unknown_case", _("There is no case with that number."), "into")
        params["into"] = target
    elif action == "request_extension":
        raw = post.get("new_due", "").strip()
        try:
            value = parse_datetime(raw) if raw else None
        except ValueError:  # well formed but impossible, e.g. 2026-02-30T08:00
            value = None
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value)
        params["new_due"] = value  # None: the action says what is missing
    elif action == "answer":
        entry = post.get("entry", "").strip()
        if entry:
            if not entry.isdigit() or not 0 < int(entry) <= MAX_ID:
                raise ServiceError(
                    "unknown_answer", _("That knowledge-base answer does not exist."), "entry"
                )
            params["entry"] = int(entry)
    elif action == "split":
        params["parts"] = split_parts(user, case, post)
    elif action == "request_suspension":
        raw = post.get("resume_on", "").strip()
        try:
            params["resume_on"] = parse_date(raw[:10]) if raw else None
        except ValueError:  # well formed but impossible, e.g. 2026-02-30
            params["resume_on"] = None
    elif action in ("decide_extension", "decide_suspension"):
        choice = post.get("approve", "").strip().lower()
        if choice not in YES | NO:
            message = (
                _("Approve or deny the request.")
                if action == "decide_extension"
                else _("Approve or refuse the request.")
            )
            raise ServiceError("required", message, "approve")
        params["approve"] = choice in YES
    elif action == "categorise":
        params["category"] = post.get("category", "").strip()  # an id: the action looks it up
    elif action == "callback":
        resolved = post.get("resolved", "").strip().lower()
        params["resolved"] = True if resolved in YES else False if resolved in NO else None
        params["satisfaction"] = post.get("satisfaction", "")
        if post.get("reopen_offered"):
            params["reopen"] = post.get("reopen", "").strip().lower() in YES
    return params


def split_parts(user, case, post) -> list[dict]:
    """The parts of a split as posted (blank trailing parts left out); the split service
    checks what they say (``intake.split``). Units must be ones the page offered."""
    parts = []
    for i in range(MAX_PARTS + 1):
        part = {f: post.get(f"part-{i}-{f}", "").strip() for f in PART_FIELDS}
        if any(part.values()):
            part["index"] = i
            parts.append(part)
    if len(parts) > MAX_PARTS:
        raise ServiceError(
            "too_many_parts",
            _("A case may be split into at most %(n)d parts.") % {"n": MAX_PARTS},
            "parts",
        )
    for part in parts:
        if part["organisation"]:
            chosen = _pk_list([part["organisation"]])
            _check_offered(user, case, chosen, f"part-{part['index']}-organisation")
            part["organisation"] = chosen[0]
        else:
            part["organisation"] = None
    return parts


def dispatch_units(user, case):
    """Units a case may be dispatched to or shared with: the active departments,
    townships and communities in the viewer's scope that serve the case's place — its
    county and below, or a region above it (a city department)."""
    units = Organisation.objects.visible_to(user).filter(is_active=True, kind__in=DISPATCH_KINDS)
    codes = [c for c in (case.region_path or "").strip("/").split("/") if c]
    if len(codes) >= 3:
        above = ["/" + "/".join(codes[:i]) + "/" for i in range(1, len(codes) + 1)]
        county = above[2]
        units = units.filter(
            Q(regions__path__in=above) | Q(regions__path__startswith=county)
        ).distinct()
    return units


def units_for_select(queryset) -> list[Organisation]:
    """Departments first, then townships, then communities; by place within each."""
    order = {kind: i for i, kind in enumerate(DISPATCH_KINDS)}
    return sorted(queryset, key=lambda u: (order.get(u.kind, 9), u.path))


def _check_offered(user, case, chosen: list[int], field: str, *, also=None) -> None:
    """Only a unit the page offered (in the viewer's scope, or the routed one)."""
    wanted = set(chosen) - ({also.pk} if also is not None else set())
    if wanted and dispatch_units(user, case).filter(pk__in=wanted).count() != len(wanted):
        raise ServiceError("unknown_organisation", _("Choose one of the units offered."), field)


# The order a case page offers actions in: first those that move the case on.
ACTION_ORDER = [
    "accept",
    "dispatch",
    "sign_for",
    "resolve",
    "verify_pass",
    "verify_fail",
    "callback",
    "answer",
    "decide_extension",
    "decide_suspension",
    "resume",
    "add_co_handlers",
    "request_extension",
    "return",
    "transfer",
    "request_suspension",
    "split",
    "escalate",
    "merge",
    "reject",
    "withdraw",
    "supervise",
    "comment",
]


def already_rated(case, callbacks) -> bool:
    return case.closed_at is not None and any(cb.created_at >= case.closed_at for cb in callbacks)


_UNSET = object()


def offered(
    case, actor, *, allowed=None, pending=_UNSET, callbacks=None, suspensions=None
) -> list[str]:
    """The actions a case page offers its viewer now, in its order (the API lists these):
    those the table allows, less what there is nothing to do for (no extension request to
    decide, one already asked for, a case already rated since it closed), and setting the
    category last, which the page leaves to the triage queue."""
    from gongzhi.cases.workflow.table import allowed_actions

    allowed = allowed if allowed is not None else allowed_actions(case, actor)
    if pending is _UNSET:
        pending = case.extension_requests.filter(status="pending").first()
    suspension_asked = any(n in allowed for n in ("decide_suspension", "request_suspension")) and (
        any(s.status == "pending" for s in suspensions)
        if suspensions is not None
        else case.suspensions.filter(status="pending").exists()
    )
    callbacks = callbacks if callbacks is not None else list(case.callbacks.all())
    names = []
    for name in sorted(allowed, key=lambda n: ACTION_ORDER.index(n) if n in ACTION_ORDER else 99):
        if name == "categorise":
            continue
        if name == "decide_extension" and pending is None:
            continue  # nothing to decide
        if name == "request_extension" and pending is not None:
            continue  # one request at a time
        if name == "callback" and already_rated(case, callbacks):
            continue
        if name == "decide_suspension" and not suspension_asked:
            continue  # nothing to decide
        if name == "request_suspension" and suspension_asked:
            continue  # one request at a time
        names.append(name)
    return names + (["categorise"] if "categorise" in allowed else [])
