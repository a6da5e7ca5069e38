"""What each workflow action does to a case, after the table allowed it.

Each handler validates its input (raising ServiceError with a message for the user),
changes the case's fields (never ``state``: the transition function does that) and says
what to write on the timeline and what to do after the commit.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Organisation
from gongzhi.cases import notes
from gongzhi.cases.choices import (
    FINAL_STATES,
    ExtensionStatus,
    Satisfaction,
    State,
    SuspensionStatus,
)
from gongzhi.cases.models import Answer, Callback, Case, CoHandler, ExtensionRequest, Suspension
from gongzhi.cases.workflow import deadlines, routing, suspension
from gongzhi.core.errors import ServiceError
from gongzhi.core.workflow import Outcome, text_param
from gongzhi.taxonomy.models import Category

_text = text_param  # free text from the form or the API, checked alike


def _clear_deadlines(case: Case) -> None:
    case.sign_for_due = case.resolve_due = None
    case.signed_at = case.resolved_at = None
    case.sign_for_met = case.resolve_met = None
    case.is_overdue = False
    case.warned_at = case.overdue_notified_at = None


def accept(*, case, actor, now, params) -> Outcome:
    case.accepted_at = now
    if case.accept_due is not None:
        case.accept_met = now <= case.accept_due
    deadlines.start_dispatch_clock(case, start=now)
    data = {"dispatch_due": case.dispatch_due.isoformat()} if case.dispatch_due else {}
    return Outcome(note=_text(params, "note", required=False, label=_("a note")), data=data)


def reject(*, case, actor, now, params) -> Outcome:
    reason = _text(params, "reason", required=True, label=_("the reason for rejecting"))
    case.closed_at = now
    return Outcome(note=reason)


def dispatch(*, case, actor, now, params) -> Outcome:
    organisation = params.get("organisation") or routing.route_owner(case)
    if organisation is None:
        raise ServiceError(
            "no_owner",
            _("No unit owns this category here: choose the unit to dispatch to."),
            "organisation",
        )
    if not isinstance(organisation, Organisation):
        organisation = Organisation.objects.filter(pk=organisation, is_active=True).first()
        if organisation is None:
            raise ServiceError(
                "unknown_organisation", _("That unit does not exist."), "organisation"
            )
    # The first dispatch the clock decided (a case back with the command centre runs the
    # clock again, warned and marked overdue, but the rate counts each case once).
    if case.dispatch_due is not None and case.dispatch_met is None:
        case.dispatch_met = now <= case.dispatch_due
    _clear_deadlines(case)
    case.owner = organisation
    case.dispatched_at = now
    case.sign_for_due, case.resolve_due = routing.deadlines(case, start=now)
    return Outcome(
        note=_text(params, "note", required=False, label=_("a note")),
        data={
            "organisation": organisation.code,
            "organisation_name": organisation.name,
            "sign_for_due": case.sign_for_due.isoformat() if case.sign_for_due else None,
            "resolve_due": case.resolve_due.isoformat() if case.resolve_due else None,
        },
    )


def _unit(value, field: str) -> Organisation:
    if not isinstance(value, Organisation):
        value = Organisation.objects.filter(pk=value, is_active=True).first() if value else None
    if value is None:
        raise ServiceError("unknown_organisation", _("That unit does not exist."), field)
    return value


def transfer(*, case, actor, now, params) -> Outcome:
    """转派: the command centre moves a case in hand to another unit; the new unit's
    clocks start again from now, the old unit is told."""
    if not params.get("organisation"):
        raise ServiceError("required", _("Choose the unit to transfer to."), "organisation")
    reason = _text(params, "reason", required=True, label=_("the reason for transferring"))
    organisation = _unit(params["organisation"], "organisation")
    if organisation.pk == case.owner_id:
        raise ServiceError("same_unit", _("The case is already with that unit."), "organisation")
    previous = case.owner
    _clear_deadlines(case)
    case.owner = organisation
    case.dispatched_at = now
    case.sign_for_due, case.resolve_due = routing.deadlines(case, start=now)
    CoHandler.objects.filter(case=case, organisation=organisation).delete()
    return Outcome(
        note=reason,
        data={
            "from": previous.code if previous else None,
            "organisation": organisation.code,
            "organisation_name": organisation.name,
            "sign_for_due": case.sign_for_due.isoformat() if case.sign_for_due else None,
            "resolve_due": case.resolve_due.isoformat() if case.resolve_due else None,
        },
    )


def withdraw(*, case, actor, now, params) -> Outcome:
    """撤销: the reporter takes back a report not yet resolved; it closes as withdrawn."""
    reason = _text(params, "reason", required=True, label=_("the reason for withdrawing"))
    case.closed_at = now
    case.is_overdue = False
    case.warned_at = case.overdue_notified_at = None
    return Outcome(note=reason, data={"organisation": case.owner.code if case.owner_id else None})


def sign_for(*, case, actor, now, params) -> Outcome:
    case.signed_at = now
    case.sign_for_met = case.sign_for_due is None or now <= case.sign_for_due
    # The sign-for deadline is met or missed now; the resolve deadline gets its own notice.
    if case.resolve_due is None or now < case.resolve_due:
        case.is_overdue = False
        case.overdue_notified_at = None
    return Outcome(note=_text(params, "note", required=False, label=_("a note")))


def return_case(*, case, actor, now, params) -> Outcome:
    reason = _text(params, "reason", required=True, label=_("the reason for returning"))
    previous = case.owner
    _clear_deadlines(case)
    case.owner = None
    deadlines.start_dispatch_clock(case, start=now)  # the command centre has it again
    return Outcome(
        note=reason,
        data={"organisation": previous.code if previous else None},
    )


def add_co_handlers(*, case, actor, now, params) -> Outcome:
    organisations = [o for o in params.get("organisations") or [] if o]
    if not organisations:
        raise ServiceError("required", _("Choose at least one co-handling unit."), "organisations")
    units = list(
        Organisation.objects.filter(
            pk__in=[getattr(o, "pk", o) for o in organisations], is_active=True
        )
    )
    if len(units) != len(set(getattr(o, "pk", o) for o in organisations)):
        raise ServiceError(
            "unknown_organisation", _("One of the chosen units does not exist."), "organisations"
        )
    if any(u.pk == case.owner_id for u in units):
        raise ServiceError(
            "is_owner", _("The lead unit cannot also be a co-handler."), "organisations"
        )
    task = _text(params, "task", required=False, label=_("the task"), max_length=200)
    for unit in units:
        CoHandler.objects.get_or_create(case=case, organisation=unit, defaults={"task": task})
    return Outcome(
        note=task,
        data={"organisations": [u.code for u in units], "names": [u.name for u in units]},
    )


def resolve(*, case, actor, now, params) -> Outcome:
    case.result = _text(params, "result", required=True, label=_("the handling result"))
    case.resolved_at = now
    case.resolve_met = case.resolve_due is None or now <= case.resolve_due
    return Outcome(note=case.result)


def verify_pass(*, case, actor, now, params) -> Outcome:
    case.closed_at = now
    case.is_overdue = False if case.resolve_met else case.is_overdue
    return Outcome(
        note=_text(params, "note", required=False, label=_("a note")),
    )


def verify_fail(*, case, actor, now, params) -> Outcome:
    reason = _text(params, "reason", required=True, label=_("what is still wrong"))
    case.resolved_at = None
    case.resolve_met = None
    deadlines.start_dispatch_clock(case, start=now)  # reopened: to be dispatched again
    return Outcome(note=reason)


def escalate(*, case, actor, now, params) -> Outcome:
    reason = _text(params, "reason", required=True, label=_("the reason for escalating"))
    upper = routing.upper_command(case)
    if upper is None:
        raise ServiceError("no_upper_level", _("There is no command centre above this one."))
    previous = case.command
    case.command = upper
    if case.state == State.REPORTED and case.accept_due is not None:
        # Handing an unaccepted report up ends the lower centre's acceptance step.
        case.accept_met = now <= case.accept_due
    deadlines.start_dispatch_clock(case, start=now)  # the upper centre's, to dispatch it
    return Outcome(
        note=reason,
        data={"from": previous.code if previous else None, "to": upper.code},
    )


def merge(*, case, actor, now, params) -> Outcome:
    target = params.get("into")
    if not isinstance(target, Case):
        target = Case.objects.filter(number=(target or "").strip()).first()
    if target is None:
        raise ServiceError("unknown_case", _("There is no case with that number."), "into")
    if target.pk == case.pk or target.state in FINAL_STATES:
        raise ServiceError(
            "bad_merge_target", _("A case can only be merged into another open case."), "into"
        )
    case.merged_into = target
    case.closed_at = now
    from gongzhi.cases.workflow.table import FLOW  # the table imports these handlers

    # The target's entry is written under its row's lock, so it queues behind a step on it;
    # its state is the one the dispatcher merged into (a replayed history's, for the demo).
    list(Case.objects.select_for_update(of=("self",)).filter(pk=target.pk).values_list("pk"))
    FLOW.record(
        target,
        "merged_in",
        actor=actor,
        before=target.state,
        after=target.state,
        data={"case": case.number},
        is_public=False,
    )
    return Outcome(
        note=_text(params, "note", required=False, label=_("a note")),
        data={"into": target.number},
    )


def supervise(*, case, actor, now, params) -> Outcome:
    note = _text(params, "note", required=True, label=_("the supervision note"))
    case.supervision_count += 1
    return Outcome(note=note, data={"count": case.supervision_count})


def max_extension_days() -> int:
    return int(settings.GONGZHI.get("MAX_EXTENSION_DAYS", 30))


def request_extension(*, case, actor, now, params) -> Outcome:
    new_due = params.get("new_due")
    reason = _text(
        params, "reason", required=True, label=_("the reason for the extension"), max_length=300
    )
    if case.is_overdue or (case.resolve_due and case.resolve_due <= now):
        raise ServiceError(
            "overdue",
            _(
                "The deadline has passed: an extension must be asked for before it. Resolve "
                "the case, or explain the delay in a comment."
            ),
            "new_due",
        )
    if not isinstance(new_due, datetime):
        raise ServiceError("required", _("Choose the new deadline."), "new_due")
    if new_due <= now or (case.resolve_due and new_due <= case.resolve_due):
        raise ServiceError(
            "not_later", _("The new deadline must be later than the current one."), "new_due"
        )
    days = max_extension_days()
    if new_due > (case.resolve_due or now) + timedelta(days=days):
        raise ServiceError(
            "too_far",
            _("An extension may move the deadline by at most %(days)d days.") % {"days": days},
            "new_due",
        )
    if case.extension_requests.filter(status=ExtensionStatus.PENDING).exists():
        raise ServiceError(
            "pending_request", _("An extension request is already waiting for a decision.")
        )
    request = ExtensionRequest.objects.create(
        case=case, requested_by=actor, new_due=new_due, reason=reason
    )
    return Outcome(
        note=reason,
        data={"request": request.pk, "new_due": new_due.isoformat()},
    )


def decide_extension(*, case, actor, now, params) -> Outcome:
    request = case.extension_requests.filter(status=ExtensionStatus.PENDING).first()
    if request is None:
        raise ServiceError("no_request", _("There is no extension request waiting for a decision."))
    approve = bool(params.get("approve"))
    request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.DENIED
    request.decided_by, request.decided_at = actor, now
    request.save()
    if approve:
        case.resolve_due = request.new_due
        if now < request.new_due:
            case.is_overdue = False
            case.warned_at = case.overdue_notified_at = None
    return Outcome(
        note=_text(params, "note", required=False, label=_("a note")),
        data={"request": request.pk, "approved": approve, "new_due": request.new_due.isoformat()},
    )


def categorise(*, case, actor, now, params) -> Outcome:
    """The dispatcher's category (from the triage queue): a Category row or its id."""
    category = params.get("category")
    if category is not None and not isinstance(category, Category):  # an id from a form
        text = str(category)
        category = (
            Category.objects.filter(pk=int(text), enabled=True).first() if text.isdigit() else None
        )
    if category is None:
        raise ServiceError("required", _("Please choose a category."), "category")
    before = case.category
    case.category = category
    return Outcome(
        note=_(notes.CATEGORY_SET) % {"name": category.full_name},
        data={"from": before.code, "to": category.code, "to_name": category.full_name},
    )


def comment(*, case, actor, now, params) -> Outcome:
    return Outcome(note=_text(params, "note", required=True, label=_("the comment")))


def callback(*, case, actor, now, params) -> Outcome:
    satisfaction = params.get("satisfaction")
    own = actor is not None and actor.pk == case.reporter_id  # the reporter, not an operator
    errors = []
    if params.get("resolved") is None:
        errors.append(
            ServiceError("required", _("Say whether the problem was solved."), "resolved")
        )
    if satisfaction not in Satisfaction.values:
        message = (
            _("Choose how satisfied you are.")
            if own
            else _("Choose how satisfied the reporter is.")
        )
        errors.append(ServiceError("required", message, "satisfaction"))
    if errors:
        raise ServiceError.first_of(errors)
    if case.callbacks.filter(created_at__gte=case.closed_at).exists():
        raise ServiceError(
            "already_answered", _("This case has already been rated since it was closed.")
        )
    resolved = bool(params["resolved"])
    by_phone = actor is None or actor.pk != case.reporter_id
    Callback.objects.create(
        case=case,
        resolved=resolved,
        satisfaction=satisfaction,
        comment=_text(params, "comment", required=False, label=_("the comment"), max_length=500),
        by_phone=by_phone,
        recorded_by=actor,
    )
    unhappy = satisfaction == Satisfaction.UNSATISFIED or not resolved
    reopen = unhappy and params.get("reopen", True)
    outcome = Outcome(
        note=params.get("comment", ""),
        data={
            "resolved": resolved,
            "satisfaction": satisfaction,
            "by_phone": by_phone,
            "reopened": bool(reopen),
        },
    )
    if reopen:
        case.closed_at = None
        deadlines.start_dispatch_clock(case, start=now)  # back to the command centre
    outcome.branch = "reopen" if reopen else "kept"
    return outcome


# -- 直接答复: a consultation answered on the phone -------------------------------------------


def answer(*, case, actor, now, params) -> Outcome:
    """The operator answered the caller's question: the case closes at once with the answer
    as its result, never dispatched (it counts apart from the cases units handle). An answer
    taken from the knowledge base counts as one more use of it."""
    text = _text(params, "answer", required=True, label=_("the answer"), max_length=2000)
    entry = params.get("entry")
    if entry is not None and not isinstance(entry, Answer):
        entry = Answer.objects.filter(pk=entry, enabled=True).first()
        if entry is None:
            raise ServiceError(
                "unknown_answer", _("That knowledge-base answer does not exist."), "entry"
            )
    if case.accepted_at is None:
        case.accepted_at = now
        if case.accept_due is not None:
            case.accept_met = now <= case.accept_due
    case.dispatch_due = None  # not a case for dispatching: out of the dispatch rate
    case.result = text
    case.closed_at = now
    case.is_overdue = False
    case.warned_at = case.overdue_notified_at = None
    if entry is not None:
        Answer.objects.filter(pk=entry.pk).update(times_used=F("times_used") + 1)
    return Outcome(note=text, data={"entry": entry.pk} if entry is not None else {})


# -- 拆分: one call, several problems -----------------------------------------------------------


def split(*, case, actor, now, params) -> Outcome:
    """The original keeps the first problem (its own title, description and category); the
    other problems were made cases of their own by the split service (``intake.split``), which
    hands them in as ``into``."""
    part, into = params.get("part") or {}, params.get("into") or []
    if len(into) < 1:
        raise ServiceError("too_few_parts", _("Split a case into at least two parts."), "parts")
    before = case.category
    case.title = part["title"]
    case.description = part["description"]
    case.category = part["category"]
    for other in into:
        other.split_from = case
        other.save(update_fields=["split_from", "updated_at"])
    return Outcome(
        note=_text(params, "note", required=False, label=_("a note")),
        data={
            "cases": [c.number for c in into],
            "from": before.code,
            "to": case.category.code,
        },
    )


# -- 挂起: suspension, with the command centre's approval -------------------------------------


def request_suspension(*, case, actor, now, params) -> Outcome:
    reason = _text(
        params, "reason", required=True, label=_("the reason for suspending"), max_length=300
    )
    resume_on = params.get("resume_on")
    today = timezone.localtime(now).date()
    if not isinstance(resume_on, date):
        raise ServiceError("required", _("Choose the expected resume date."), "resume_on")
    if resume_on <= today:
        raise ServiceError(
            "not_later", _("The expected resume date must be after today."), "resume_on"
        )
    days = suspension.max_days()
    if resume_on > today + timedelta(days=days):
        raise ServiceError(
            "too_far",
            _("A case may be suspended for at most %(days)d days.") % {"days": days},
            "resume_on",
        )
    if case.is_overdue or (case.resolve_due and case.resolve_due <= now):
        raise ServiceError(
            "overdue",
            _("The deadline has passed: a case can only be suspended before it is due."),
            "resume_on",
        )
    if suspension.pending(case) is not None:
        raise ServiceError(
            "pending_request", _("A suspension request is already waiting for a decision.")
        )
    request = Suspension.objects.create(
        case=case, requested_by=actor, reason=reason, resume_on=resume_on
    )
    return Outcome(note=reason, data={"request": request.pk, "resume_on": resume_on.isoformat()})


def decide_suspension(*, case, actor, now, params) -> Outcome:
    request = suspension.pending(case)
    if request is None:
        raise ServiceError(
            "no_request", _("There is no suspension request waiting for a decision.")
        )
    approve = bool(params.get("approve"))
    request.decided_by, request.decided_at = actor, now
    if approve:
        request.status = SuspensionStatus.ACTIVE
        request.from_state = case.state
        request.started_at = now
    else:
        request.status = SuspensionStatus.REFUSED
    request.save()
    outcome = Outcome(
        note=_text(params, "note", required=False, label=_("a note")),
        data={
            "request": request.pk,
            "approved": approve,
            "resume_on": request.resume_on.isoformat(),
        },
    )
    outcome.branch = "approved" if approve else "refused"
    return outcome


# The states a case goes back to on resuming (the one it was suspended from).
RESUME_TO = ("dispatched", "in_progress")


def resume(*, case, actor, now, params) -> Outcome:
    """The clocks run again, each deadline moved on by the time the case was suspended."""
    held = suspension.active(case)
    if held is None:  # suspended without a record (cannot happen through the table)
        raise ServiceError("no_suspension", _("This case is not suspended."))
    sign_unit, resolve_unit = suspension.units(case)
    start = held.started_at or now
    data = {"request": held.pk, "from_state": held.from_state}
    if case.sign_for_due is not None and case.signed_at is None:
        case.sign_for_due = suspension.push(case.sign_for_due, sign_unit, start, now)
        data["sign_for_due"] = case.sign_for_due.isoformat()
    if case.resolve_due is not None and case.resolved_at is None:
        case.resolve_due = suspension.push(case.resolve_due, resolve_unit, start, now)
        data["resolve_due"] = case.resolve_due.isoformat()
    case.warned_at = None  # the moved deadline is warned of afresh
    held.status, held.ended_at = SuspensionStatus.ENDED, now
    held.save(update_fields=["status", "ended_at", "updated_at"])
    if params.get("automatic"):
        data["automatic"] = True
    outcome = Outcome(note=_text(params, "note", required=False, label=_("a note")), data=data)
    back = str(held.from_state)
    outcome.branch = back if back in RESUME_TO else str(State.IN_PROGRESS.value)
    return outcome
