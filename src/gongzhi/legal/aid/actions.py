"""What each legal-aid action does to an application, after the table allowed it.

Each handler validates its input (raising ServiceError with a message for the user),
changes the application's fields (never ``state``: the engine takes it from the table) and
says what to write on the timeline. A refused action changes nothing: the engine's
transaction is rolled back.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Role
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.core.workflow import Outcome, text_param

from . import deadlines
from .choices import AdvanceReview, DocumentKind, Hardship, ProgressKind, State, Termination

_text = functools.partial(text_param, max_length=4000)
MAX_ITEMS = 20


def _note(params) -> str:
    return _text(params, "note", label=_("a note"), required=False)


def _items(params) -> list[str]:
    raw = params.get("items") or []
    if isinstance(raw, str):
        raw = raw.splitlines()
    items = [str(i).strip()[:200] for i in raw if str(i).strip()]
    if not items:
        raise ServiceError(
            "required", _("List every missing document, one per line, in one request."), "items"
        )
    if len(items) > MAX_ITEMS:
        raise ServiceError(
            "too_many",
            _("At most %(n)d missing documents per request.") % {"n": MAX_ITEMS},
            "items",
        )
    return items


def request_documents(*, application, actor, now, params) -> Outcome:
    """One request listing all the missing documents (办理法律援助案件程序规定 art. 15)."""
    if application.documents_requested_at is not None:
        raise ServiceError(
            "already_requested",
            _("Missing documents may be requested only once, all of them at once."),
            "items",
        )
    items = _items(params)
    days = params.get("days")
    try:
        days = deadlines.supplement_days() if days in (None, "") else int(days)
    except (TypeError, ValueError):
        days = -1
    if not 1 <= days <= 60:
        raise ServiceError("invalid", _("Give between 1 and 60 days to supply them."), "days")
    application.missing_items = items
    application.documents_requested_at = now
    application.supplement_due = deadlines.supplement_due(now, days)
    return Outcome(
        note="\n".join(items),
        data={"items": items, "due": application.supplement_due.isoformat()},
    )


def supply_documents(*, application, actor, now, params) -> Outcome:
    """The documents came: the decision clock restarts, moved on by the days it stopped."""
    new = application.documents.filter(uploaded_at__gte=application.documents_requested_at)
    if not new.exists():
        raise ServiceError(
            "no_documents", _("Upload the missing documents first, then send them."), "documents"
        )
    paused = deadlines.paused_days(application.documents_requested_at, now)
    application.documents_supplied_at = now
    application.paused_working_days = paused
    if application.decision_due is not None:
        application.decision_due = deadlines.pushed(application.decision_due, paused)
    application.supplement_due = None
    return Outcome(note=_note(params), data={"paused_working_days": paused})


def lapse(*, application, actor, now, params) -> Outcome:
    if actor is not None:
        raise NotAllowed("platform_only", _("Only the platform withdraws for silence."))
    application.ended_at = now
    application.supplement_due = None
    return Outcome(note=_("The missing documents did not come in time."))


def mark_urgent(*, application, actor, now, params) -> Outcome:
    reason = _text(params, "reason", label=_("why it is urgent"), max_length=200)
    application.urgent = True
    application.urgent_reason = reason
    return Outcome(note=reason)


def _incomplete(application) -> None:
    """A decision on an incomplete application is refused (and changes nothing)."""
    if application.state == State.AWAITING_DOCUMENTS:
        raise ServiceError(
            "incomplete",
            _(
                "The missing documents requested have not been supplied yet (%(items)s): "
                "decide once they are, or when the time runs out."
            )
            % {"items": "、".join(application.missing_items)},
        )
    if not application.pledge:
        raise ServiceError(
            "incomplete",
            _("The applicant has not given the integrity pledge: the application is incomplete."),
            "pledge",
        )


def _decided(application, actor, now) -> None:
    application.decided_at = now
    application.decided_by = actor
    application.overdue = False


def grant(*, application, actor, now, params) -> Outcome:
    _incomplete(application)
    if application.hardship == Hardship.EXCEEDS:
        raise ServiceError(
            "not_eligible",
            _(
                "The applicant's income is above the county's standard and no exemption "
                "applies: refuse the application with the reason."
            ),
        )
    _decided(application, actor, now)
    application.assign_due = deadlines.assign_due(now)
    return Outcome(note=_note(params), data={"assign_due": application.assign_due.isoformat()})


def refuse(*, application, actor, now, params) -> Outcome:
    reason = _text(params, "reason", label=_("the reason for the refusal"))
    _incomplete(application)
    _decided(application, actor, now)
    application.refusal_reason = reason
    application.objection_window_ends = deadlines.objection_window_ends(now)
    return Outcome(note=reason)


def grant_first(*, application, actor, now, params) -> Outcome:
    """Art. 44: an urgent matter gets aid first; the review follows."""
    if not (application.urgent or deadlines.is_urgent_matter(application.matter_deadline, now)):
        raise ServiceError(
            "not_urgent",
            _(
                "Aid is given first only in an urgent matter: its deadline less than 7 days "
                "away, or marked urgent by the reviewer."
            ),
        )
    _decided(application, actor, now)
    application.advance = True
    application.advance_review = AdvanceReview.PENDING
    application.assign_due = deadlines.assign_due(now)
    return Outcome(note=_note(params), data={"advance": True})


def review_advance(*, application, actor, now, params) -> Outcome:
    if not application.advance or application.advance_review != AdvanceReview.PENDING:
        raise ServiceError("no_review", _("There is no pending review of aid given first."))
    confirmed = params.get("confirmed")
    if isinstance(confirmed, str):
        confirmed = confirmed.lower() in {"1", "true", "yes", "on"}
    if confirmed:
        if not application.pledge:
            raise ServiceError(
                "incomplete",
                _("The applicant has not given the integrity pledge: the review cannot confirm."),
                "pledge",
            )
        application.advance_review = AdvanceReview.CONFIRMED
        return Outcome(note=_note(params), branch="confirmed")
    reason = _text(params, "reason", label=_("why the aid is revoked"))
    application.advance_review = AdvanceReview.REVOKED
    application.termination = Termination.NO_LONGER_ELIGIBLE
    application.outcome = reason
    application.ended_at = now
    return Outcome(note=reason, branch="revoked")


def object_(*, application, actor, now, params) -> Outcome:
    """Art. 49: an objection to the 司法局, once, within the window after the refusal."""
    if application.objected_at is not None:
        raise ServiceError("already_objected", _("An objection has already been decided."))
    if application.objection_window_ends and now > application.objection_window_ends:
        raise ServiceError(
            "too_late", _("The time to object to this refusal has passed."), "reason"
        )
    reason = _text(params, "reason", label=_("why you object"))
    application.objected_at = now
    application.objection_reason = reason
    application.objection_due = deadlines.objection_due(now)
    return Outcome(note=reason, data={"due": application.objection_due.isoformat()})


def uphold(*, application, actor, now, params) -> Outcome:
    reason = _text(params, "reason", label=_("the reasons of the decision"))
    application.objection_decided_at = now
    application.objection_decision = reason
    application.overdue = False
    return Outcome(note=reason)


def order_aid(*, application, actor, now, params) -> Outcome:
    reason = _text(params, "reason", label=_("the reasons of the decision"))
    application.objection_decided_at = now
    application.objection_decision = reason
    application.overdue = False
    application.assign_due = deadlines.assign_due(now)
    return Outcome(note=reason)


def assign(*, application, actor, now, params) -> Outcome:
    lawyer_id = params.get("lawyer")
    User = get_user_model()
    lawyer = None
    if lawyer_id:
        try:
            lawyer = (
                User.objects.filter(
                    pk=int(lawyer_id),
                    is_active=True,
                    memberships__role=Role.LAWYER,
                    memberships__organisation__is_active=True,
                )
                .distinct()
                .first()
            )
        except (TypeError, ValueError):
            lawyer = None
    if lawyer is None:
        raise ServiceError("required", _("Choose a lawyer."), "lawyer")
    application.lawyer = lawyer
    application.assigned_at = now
    application.overdue = False
    return Outcome(note=_note(params), data={"lawyer": lawyer.masked_name})


def record_progress(*, application, actor, now, params) -> Outcome:
    from ..models.aid import AidProgress

    kind = params.get("kind") or ProgressKind.OTHER
    if kind not in ProgressKind.values:
        raise ServiceError("invalid", _("Choose what kind of step this is."), "kind")
    happened_on = params.get("happened_on") or timezone.localdate(now)
    if isinstance(happened_on, str):
        try:
            happened_on = dt.date.fromisoformat(happened_on.strip())
        except ValueError:
            raise ServiceError(
                "invalid", _("Give the date as YYYY-MM-DD."), "happened_on"
            ) from None
    note = _text(params, "note", label=_("what happened"))
    entry = AidProgress.objects.create(
        application=application,
        kind=kind,
        happened_on=happened_on,
        note=note,
        recorded_by=actor,
        recorded_at=now,
    )
    return Outcome(note=note[:200], data={"progress": entry.pk, "kind": kind})


def terminate(*, application, actor, now, params) -> Outcome:
    code = params.get("termination") or ""
    if code not in Termination.values:
        raise ServiceError("required", _("Choose why the aid ends."), "termination")
    reason = _text(params, "reason", label=_("the facts"))
    application.termination = code
    application.outcome = reason
    application.ended_at = now
    return Outcome(note=reason, data={"termination": code})


def conclude(*, application, actor, now, params) -> Outcome:
    outcome = _text(params, "outcome", label=_("the outcome"))
    application.outcome = outcome
    application.ended_at = now
    return Outcome(note=outcome)


def close(*, application, actor, now, params) -> Outcome:
    if not application.documents.filter(kind=DocumentKind.CLOSING).exists():
        raise ServiceError(
            "no_file", _("Upload the closing file before closing the case."), "documents"
        )
    application.closed_at = now
    return Outcome(note=_note(params))


def rate(*, application, actor, now, params) -> Outcome:
    if application.rating is not None:
        raise ServiceError("already_rated", _("You have already rated this aid."), "rating")
    try:
        score = int(params.get("rating"))
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ServiceError("invalid", _("Give a rating from 1 to 5."), "rating")
    application.rating = score
    application.rating_comment = _text(params, "comment", label=_("a comment"), required=False)
    application.rated_at = now
    return Outcome(note=application.rating_comment, data={"rating": score})


def withdraw(*, application, actor, now, params) -> Outcome:
    reason = _text(params, "reason", label=_("why you withdraw"), required=False)
    application.ended_at = now
    application.supplement_due = None
    return Outcome(note=reason)
