"""A case of a dispute category (矛盾纠纷) taken from the case queue into mediation.

The dispute is registered through ``services.do_register`` (source "case", the case's
number as its reference); the case is told through its own workflow
(``cases.workflow.services.do_transition``), never by writing its table: a comment
saying which dispute it became, and later one with the dispute's outcome. Closing or
resolving the case stays with the units the case's table names: a mediator is rarely
among them, and the case's verification and callback follow their own rules.
"""

from __future__ import annotations

import logging
from dataclasses import fields as dataclass_fields

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Role
from gongzhi.cases.choices import FINAL_STATES
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.workflow import services as case_services
from gongzhi.core.errors import Conflict, NotAllowed, ServiceError
from gongzhi.core.scope import scope_for
from gongzhi.taxonomy.models import Category

from . import services
from .choices import Source, State
from .models import Dispute, DisputeType

log = logging.getLogger(__name__)

# The words that mark a category, or one above it, as a dispute between people: the
# governance tree's 矛盾纠纷 and its children, and the 问政 scheme's 医患纠纷, 宅基地纠纷,
# 劳动合同纠纷 and the like.
DISPUTE_WORDS = ("纠纷", "矛盾")
CONVERTERS = frozenset({Role.DISPATCHER, Role.LEADER})
# How each ending of a dispute reads on the case's timeline.
OUTCOMES = {
    State.SETTLED: "settled",
    State.PERFORMED: "settled",
    State.NOT_PERFORMED: "settled",
    State.FAILED: "failed",
    State.WITHDRAWN: "withdrawn",
    State.DECLINED: "declined",
}


def is_dispute_category(category: Category | None) -> bool:
    """A category is a dispute category when its name or the name of a category above it
    contains 纠纷 or 矛盾 (``full_name`` holds the names from the first level down)."""
    if category is None:
        return False
    return any(word in category.full_name for word in DISPUTE_WORDS)


def dispute_categories():
    """The same rule as a queryset, for a case queue's filter."""
    condition = Q(pk__in=[])
    for word in DISPUTE_WORDS:
        condition |= Q(full_name__contains=word)
    return Category.objects.filter(condition)


def suggested_type(category: Category | None) -> DisputeType | None:
    """The dispute type whose name the category's names share (邻里纠纷 → 邻里纠纷,
    婚姻家庭纠纷 → 婚姻家庭), as the form's first choice; None when nothing matches."""
    if category is None:
        return None
    text = category.full_name
    for kind in DisputeType.objects.filter(enabled=True):
        stem = kind.name.removesuffix("纠纷")
        if len(stem) >= 2 and stem in text:
            return kind
    return None


def converted_from(case: Case) -> Dispute | None:
    return Dispute.objects.filter(source=Source.CASE, source_ref=case.number).order_by("pk").first()


def _party(p) -> services.PartyIn:
    if isinstance(p, services.PartyIn):
        return p
    names = {f.name for f in dataclass_fields(services.PartyIn)}
    return services.PartyIn(**{k: v for k, v in dict(p).items() if k in names})


def check_convert_case(*, case: Case, actor, type_id, parties) -> services.DisputeIn:
    """The dispute the case would become, once the actor may convert it."""
    scope = scope_for(actor)
    if not (scope.everything or scope.roles & CONVERTERS) or not (
        Case.objects.visible_to(actor).filter(pk=case.pk).exists()
    ):
        raise NotAllowed(
            "not_permitted", _("Only a dispatcher or a leader who sees the case may convert it.")
        )
    if not is_dispute_category(case.category):
        raise ServiceError(
            "not_a_dispute", _("Only a case of a dispute category can become a dispute.")
        )
    if case.state in FINAL_STATES:
        raise ServiceError("case_ended", _("Only an open case can become a dispute."))
    earlier = converted_from(case)
    if earlier is not None:
        raise Conflict(
            "already_converted",
            _("This case already became dispute %(number)s.") % {"number": earlier.number},
        )
    description = (case.description or "").strip()
    return services.DisputeIn(
        title=case.title,
        type_id=type_id,
        facts=description if len(description) >= 5 else f"{case.title}。{description}".strip(),
        source=Source.CASE,
        source_ref=case.number,
        grid_id=case.grid_id,
        region_id=case.region_id,
        parties=[_party(p) for p in parties or []],
    )


def do_convert_case(*, case: Case, actor, type_id, parties) -> Dispute:
    """Register the case as a dispute and say so on the case's timeline, in one
    transaction: a case the actor may not comment on converts nothing."""
    with transaction.atomic():
        # Two dispatchers converting the same case at once: the second waits here, then
        # finds the first one's dispute and is refused.
        case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
        data = check_convert_case(case=case, actor=actor, type_id=type_id, parties=parties)
        dispute = services.do_register(data=data, actor=actor)
        case_services.do_transition(
            case=case,
            action="comment",
            actor=actor,
            data={"note": _("Converted to dispute %(number)s") % {"number": dispute.number}},
        )
    return dispute


def outcome_note(dispute: Dispute) -> str:
    ending = OUTCOMES.get(dispute.state)
    if ending is None:  # closed: what it ended as is in its fields
        ending = "settled" if dispute.settled_at else "declined" if dispute.decline_reason else ""
    texts = {
        "": _("Mediation of dispute %(number)s ended on %(day)s: %(why)s"),
        "settled": _("Dispute %(number)s was settled by mediation on %(day)s."),
        "failed": _("Mediation of dispute %(number)s failed on %(day)s: %(why)s"),
        "withdrawn": _("Dispute %(number)s was withdrawn on %(day)s: %(why)s"),
        "declined": _("Dispute %(number)s was not taken up on %(day)s: %(why)s"),
    }
    return texts[ending] % {
        "number": dispute.number,
        "day": f"{timezone.localdate(dispute.concluded_at):%Y-%m-%d}",
        "why": dispute.decline_reason or dispute.outcome_note,
    }


def sync_case_outcome(dispute: Dispute) -> Case | None:
    """Tell the case a dispute came from how the dispute ended: a comment by the platform
    on the case's timeline, if the case is still open. Once per outcome: called again (a
    retried effect, a scheduler) it finds its comment and does nothing. Returns the case
    when it commented."""
    if dispute.source != Source.CASE or not dispute.source_ref or dispute.concluded_at is None:
        return None
    case = Case.objects.filter(number=dispute.source_ref).first()
    if case is None or case.state in FINAL_STATES:
        return None
    note = outcome_note(dispute)
    if CaseEvent.objects.filter(case=case, action="comment", note=note).exists():
        return None
    return case_services.do_transition(case=case, action="comment", actor=None, data={"note": note})


def follow_outcome(dispute: Dispute, event) -> None:
    """The effect for the workflow's effects table (after settle, fail, withdraw and
    decline): the case follows the dispute's outcome. A case that refuses the comment (it
    ended meanwhile) must not cost the dispute's other effects: logged, not raised."""
    try:
        sync_case_outcome(dispute)
    except ServiceError:
        log.warning("case %s was not told of dispute %s", dispute.source_ref, dispute.number)
