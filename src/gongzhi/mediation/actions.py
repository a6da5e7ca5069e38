"""What each mediation action does to a dispute, after the table allowed it.

Each handler validates its input (raising ServiceError with a message for the user),
changes the dispute's fields (never ``state``: the engine takes it from the table) and
says what to write on the timeline.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Role
from gongzhi.core.errors import ServiceError
from gongzhi.core.workflow import Outcome, text_param

from . import levels
from .choices import AgreementForm, Confirmation, Level, Risk
from .models import Agreement, Obligation, Session

# Disputes tell longer stories than cases: up to 4,000 characters unless said otherwise.
_text = functools.partial(text_param, max_length=4000)


def accept(*, dispute, actor, now, params) -> Outcome:
    return Outcome(note=_text(params, "note", label=_("a note"), required=False))


def decline(*, dispute, actor, now, params) -> Outcome:
    reason = _text(params, "reason", label=_("why it is declined and where to go instead"))
    dispute.decline_reason = reason
    dispute.concluded_at = now
    return Outcome(note=reason)


def related(user, dispute) -> bool:
    """A mediator related to a party steps aside: the same name, phone or ID number as a
    party (the platform's knowledge of kinship ends there; a mediator declares the rest)."""
    marks = {v for v in (user.display_name, user.mobile, user.id_number) if v}
    return any(marks & {p.name, p.phone, p.id_number} - {""} for p in dispute.parties.all())


def _mediators(dispute, ids) -> list:
    """The chosen people, who must be mediators of the unit that holds the dispute."""
    User = get_user_model()
    people = list(
        User.objects.filter(
            pk__in=ids,
            is_active=True,
            memberships__organisation=dispute.holder,
            memberships__role__in=[Role.MEDIATOR, Role.LEADER],
        ).distinct()
    )
    if len(people) != len(set(ids)):
        raise ServiceError("unknown_mediator", _("Choose one of the mediators offered."), "lead")
    for person in people:
        if related(person, dispute):
            raise ServiceError(
                "related_mediator",
                _("%(name)s is related to a party and must step aside.")
                % {"name": person.masked_name},
                "lead",
            )
    return people


def start(*, dispute, actor, now, params) -> Outcome:
    lead = params.get("lead") or (actor.pk if actor else None)
    if not lead:
        raise ServiceError("required", _("Choose the lead mediator."), "lead")
    helpers = [h for h in params.get("helpers") or [] if h and h != lead]
    people = _mediators(dispute, [lead, *helpers])
    dispute.lead_mediator = next(p for p in people if p.pk == int(lead))
    dispute.helpers.set([p for p in people if p.pk != int(lead)])
    return Outcome(
        note=_text(params, "note", label=_("a note"), required=False),
        data={"lead": dispute.lead_mediator.masked_name, "helpers": len(helpers)},
    )


def recuse(*, dispute, actor, now, params) -> Outcome:
    """The lead mediator steps aside (related to a party, or otherwise); another takes it."""
    reason = _text(params, "reason", label=_("the reason for stepping aside"))
    new_lead = params.get("lead")
    if not new_lead or int(new_lead) == dispute.lead_mediator_id:
        raise ServiceError("required", _("Choose another lead mediator."), "lead")
    (person,) = _mediators(dispute, [int(new_lead)])
    dispute.lead_mediator = person
    return Outcome(note=reason, data={"lead": person.masked_name})


def record_session(*, dispute, actor, now, params) -> Outcome:
    held_at = params.get("held_at") or now
    if held_at > now + dt.timedelta(minutes=5):
        raise ServiceError(
            "in_future", _("A session cannot be recorded before it is held."), "held_at"
        )
    session = Session.objects.create(
        dispute=dispute,
        held_at=held_at,
        place=_text(params, "place", label=_("the place"), max_length=100),
        attendees=_text(params, "attendees", label=_("who attended")),
        summary=_text(params, "summary", label=_("what was said")),
        next_step=_text(params, "next_step", label=_("the next step"), required=False),
        next_at=params.get("next_at"),
        recorded_by=actor,
    )
    return Outcome(note=session.summary[:200], data={"session": session.pk})


def _obligations(params) -> list[dict]:
    rows = []
    for i, row in enumerate(params.get("obligations") or []):
        party = (row.get("party") or "").strip()
        what = (row.get("what") or "").strip()
        due_on = row.get("due_on")
        if isinstance(due_on, str):
            try:
                due_on = dt.date.fromisoformat(due_on.strip())
            except ValueError:
                due_on = None
        if not (party or what):
            continue
        if not party or len(what) < 2 or due_on is None:
            raise ServiceError(
                "bad_obligation",
                _("Obligation %(n)d needs who, what and by when.") % {"n": i + 1},
                "obligations",
            )
        rows.append(
            {
                "party": party[:100],
                "what": what,
                "how": (row.get("how") or "")[:200],
                "due_on": due_on,
            }
        )
    return rows


def settle(*, dispute, actor, now, params) -> Outcome:
    form = params.get("form") or AgreementForm.WRITTEN
    if form not in AgreementForm.values:
        raise ServiceError("invalid", _("Choose a written or an oral agreement."), "form")
    matters = _text(params, "disputed_matters", label=_("the main facts and disputed matters"))
    rows = _obligations(params)
    if not rows:
        raise ServiceError(
            "no_obligations",
            _("An agreement needs at least one obligation: who does what, how and by when."),
            "obligations",
        )
    from . import numbers

    agreement = Agreement.objects.create(
        dispute=dispute,
        number=numbers.agreement_number(dispute, now),
        form=form,
        disputed_matters=matters,
    )
    Obligation.objects.bulk_create(Obligation(agreement=agreement, **row) for row in rows)
    dispute.settled_at = dispute.concluded_at = now
    return Outcome(
        note=_text(params, "note", label=_("a note"), required=False),
        data={"agreement": agreement.number, "form": form, "obligations": len(rows)},
    )


def fail(*, dispute, actor, now, params) -> Outcome:
    reason = _text(params, "reason", label=_("why mediation failed"))
    dispute.outcome_note, dispute.concluded_at = reason, now
    return Outcome(note=reason)


def withdraw(*, dispute, actor, now, params) -> Outcome:
    reason = _text(params, "reason", label=_("why the request is withdrawn"))
    dispute.outcome_note, dispute.concluded_at = reason, now
    return Outcome(note=reason)


def check_performance(*, dispute, actor, now, params) -> Outcome:
    """履行回访: each obligation due by now is found performed or not; the dispute moves on
    once every obligation has an answer (one not performed: not performed)."""
    agreement = dispute.agreement
    answers = params.get("performed") or {}
    note = _text(params, "note", label=_("what the check found"))
    checked = 0
    for obligation in agreement.obligations.filter(status=Obligation.Status.DUE):
        answer = answers.get(str(obligation.pk))
        if answer is None:
            continue
        obligation.status = (
            Obligation.Status.PERFORMED if answer else Obligation.Status.NOT_PERFORMED
        )
        obligation.checked_at, obligation.check_note = now, note
        obligation.save(update_fields=["status", "checked_at", "check_note"])
        checked += 1
    if not checked:
        raise ServiceError(
            "required", _("Say for each obligation whether it was performed."), "performed"
        )
    statuses = set(agreement.obligations.values_list("status", flat=True))
    branch = "pending"
    if Obligation.Status.DUE not in statuses:
        branch = "not_performed" if Obligation.Status.NOT_PERFORMED in statuses else "performed"
    return Outcome(note=note, data={"checked": checked}, branch=branch)


def close(*, dispute, actor, now, params) -> Outcome:
    dispute.closed_at = now
    return Outcome(note=_text(params, "note", label=_("a note"), required=False))


def escalate(*, dispute, actor, now, params) -> Outcome:
    """To the level above (or the one named), with its unit; by hand, by risk or by time."""
    target = params.get("level") or (levels.levels_above(dispute.level) or [None])[0]
    if target is None or target not in levels.levels_above(dispute.level):
        raise ServiceError("top_level", _("There is no level above this one."), "level")
    region = dispute.region
    level, holder = target, levels.holder_at(region, target)
    if holder is None and target != Level.COURT:
        level, holder = levels.first_level(region, dispute.risk, lowest=target)
    before = dispute.level
    dispute.level, dispute.holder = level, holder
    dispute.level_since = now
    dispute.level_due = levels.due(level, now)
    dispute.lead_mediator = None
    dispute.concluded_at = None
    why = params.get("why") or "hand"
    reason = _text(params, "reason", label=_("the reason"), required=why == "hand")
    return Outcome(
        note=reason,
        data={"from": before, "to": level, "why": why, "holder": holder.code if holder else None},
    )


def judge_risk(*, dispute, actor, now, params) -> Outcome:
    risk = params.get("risk")
    if risk not in Risk.values:
        raise ServiceError("invalid", _("Choose a risk level."), "risk")
    reason = _text(params, "reason", label=_("the reason for this judgement"))
    dispute.judged_risk = risk
    dispute.risk = levels.higher(dispute.risk, risk) if risk != Risk.GENERAL else dispute.risk
    reasons = [r for r in dispute.risk_reasons if not r.startswith("调解员研判")]
    dispute.risk_reasons = [*reasons, f"调解员研判：{reason}"]
    return Outcome(note=reason, data={"risk": dispute.risk})


def confirmation(*, dispute, actor, now, params) -> Outcome:
    """司法确认 (art. 33): applied for within 30 days of the agreement, then the result."""
    agreement = getattr(dispute, "agreement", None)
    if agreement is None or agreement.form != AgreementForm.WRITTEN:
        raise ServiceError("no_agreement", _("Only a written agreement can be confirmed."))
    status = params.get("status")
    if status == Confirmation.APPLIED:
        if agreement.confirmation:
            raise ServiceError("already_applied", _("Confirmation was already applied for."))
        applied = params.get("on") or timezone.localdate(now)
        if (applied - timezone.localdate(agreement.created_at)).days > 30:
            raise ServiceError(
                "too_late",
                _("Judicial confirmation must be applied for within 30 days of the agreement."),
                "on",
            )
        agreement.confirmation, agreement.confirmation_applied_on = status, applied
        agreement.confirmation_court = _text(params, "court", label=_("the court"), max_length=100)
    elif status in (Confirmation.CONFIRMED, Confirmation.REFUSED):
        if agreement.confirmation != Confirmation.APPLIED:
            raise ServiceError("not_applied", _("Record the application first."))
        agreement.confirmation = status
        agreement.confirmation_decided_on = params.get("on") or timezone.localdate(now)
    else:
        raise ServiceError("invalid", _("Choose what happened."), "status")
    agreement.save()
    return Outcome(note=str(Confirmation.label_of(status)), data={"confirmation": status})


def comment(*, dispute, actor, now, params) -> Outcome:
    return Outcome(note=_text(params, "note", label=_("the comment")))
