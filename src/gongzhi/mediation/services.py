"""Disputes: register, act, move up by time, remind of performance. The only module other
apps import; views and the API call these with keyword-only arguments.

``check_*`` validates and checks access and writes nothing; ``do_*`` writes, in one
transaction, through the workflow engine for every step (``workflow.FLOW``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.validators import normalise_phone, validate_id_number
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.core.scope import scope_for
from gongzhi.regions.models import Grid, Region

from . import levels, numbers
from .choices import CONCLUDED, IN_HAND, Level, PartyKind, Risk, Side, Source, State
from .models import Dispute, DisputeType, Party
from .workflow import FLOW, RULES

REPEAT_WINDOW = dt.timedelta(days=365)


@dataclass
class PartyIn:
    side: str
    name: str
    kind: str = PartyKind.PERSON
    id_number: str = ""
    phone: str = ""
    address: str = ""
    claims: str = ""
    people: int = 1
    is_vulnerable: bool = False
    petitions: int = 0


@dataclass
class DisputeIn:
    title: str
    type_id: int | None
    facts: str
    source: str
    region_id: int | None = None
    grid_id: int | None = None
    amount: str | Decimal | None = None
    source_ref: str = ""
    external_ref: str = ""
    campaign_id: int | None = None
    parties: list[PartyIn] = field(default_factory=list)


def _check_party(i: int, p: PartyIn) -> Party:
    where = f"parties[{i}]"
    name = (p.name or "").strip()
    if len(name) < 2:
        raise ServiceError("required", _("Party %(n)d needs a name.") % {"n": i + 1}, where)
    if p.side not in Side.values or p.kind not in PartyKind.values:
        raise ServiceError(
            "invalid", _("Party %(n)d: choose a side and a kind.") % {"n": i + 1}, where
        )
    id_number = (p.id_number or "").strip().upper()
    if id_number and p.kind == PartyKind.PERSON:
        try:
            validate_id_number(id_number)
        except ValidationError:
            raise ServiceError(
                "invalid_id_number",
                _("Party %(n)d: the ID number is not valid.") % {"n": i + 1},
                where,
            ) from None
    phone = (p.phone or "").strip()
    if phone:
        phone = normalise_phone(phone) or ""
        if not phone:
            raise ServiceError(
                "invalid_phone",
                _("Party %(n)d: the phone number is not valid.") % {"n": i + 1},
                where,
            )
    if not (1 <= int(p.people or 1) <= 100_000) or not (0 <= int(p.petitions or 0) <= 100):
        raise ServiceError(
            "invalid", _("Party %(n)d: the numbers are out of range.") % {"n": i + 1}, where
        )
    return Party(
        side=p.side,
        kind=p.kind,
        name=name[:100],
        id_number=id_number[:18],
        phone=phone,
        address=(p.address or "").strip()[:200],
        claims=(p.claims or "").strip()[:4000],
        people=int(p.people or 1),
        is_vulnerable=bool(p.is_vulnerable),
        petitions=int(p.petitions or 0),
    )


def check_register(*, data: DisputeIn, actor) -> tuple[dict, list[Party]]:
    """Everything a new dispute needs, named at once where several things are wrong."""
    errors: list[ServiceError] = []
    title = (data.title or "").strip()
    facts = (data.facts or "").strip()
    if len(title) < 2 or len(title) > 120:
        errors.append(ServiceError("required", _("Give the dispute a short title."), "title"))
    if len(facts) < 5:
        errors.append(ServiceError("required", _("Describe the facts."), "facts"))
    kind = (
        DisputeType.objects.filter(pk=data.type_id, enabled=True).first() if data.type_id else None
    )
    if kind is None:
        errors.append(ServiceError("required", _("Choose the type of dispute."), "type"))
    if data.source not in Source.values:
        errors.append(ServiceError("invalid", _("Choose where the dispute came from."), "source"))
    grid = (
        Grid.objects.filter(pk=data.grid_id, is_active=True).select_related("community").first()
        if data.grid_id
        else None
    )
    region = grid.community if grid else None
    if region is None and data.region_id:
        region = Region.objects.filter(pk=data.region_id).first()
    if region is None:
        errors.append(ServiceError("required", _("Say where the dispute arose."), "region"))
    elif actor is not None and not scope_for(actor).covers_region_path(region.path):
        errors.append(ServiceError("out_of_scope", _("That place is outside your area."), "region"))
    amount = None
    if data.amount not in (None, ""):
        try:
            amount = Decimal(str(data.amount)).quantize(Decimal("0.01"))
            if amount < 0 or amount >= Decimal("1e12"):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.append(ServiceError("invalid", _("The amount is not a valid sum."), "amount"))
    parties = []
    for i, p in enumerate(data.parties):
        try:
            parties.append(_check_party(i, p))
        except ServiceError as error:
            errors.append(error)
    if data.campaign_id:
        from .campaigns import visible_campaigns  # campaigns reads these services

        campaign = visible_campaigns(actor).filter(pk=data.campaign_id).first() if actor else None
        if campaign is None:
            errors.append(
                ServiceError("invalid", _("Choose one of your screening rounds."), "campaign")
            )
        elif region is not None and not (grid.region_path if grid else region.path).startswith(
            campaign.region.path
        ):
            errors.append(
                ServiceError(
                    "invalid", _("That place is outside the screening round's area."), "campaign"
                )
            )
    sides = {p.side for p in parties}
    if not errors and sides != {Side.APPLICANT, Side.RESPONDENT}:
        errors.append(
            ServiceError(
                "parties", _("A dispute needs at least one party on each side."), "parties"
            )
        )
    if errors:
        raise ServiceError.first_of(errors)
    fields = {
        "title": title,
        "facts": facts,
        "type": kind,
        "source": data.source,
        "source_ref": (data.source_ref or "")[:60],
        "external_ref": (data.external_ref or "")[:60],
        "region": region,
        "grid": grid,
        "amount": amount,
        "campaign_id": data.campaign_id,
    }
    return fields, parties


def find_repeat(*, region: Region, type_id: int, parties: list[Party], now) -> Dispute | None:
    """The latest dispute within 12 months that shares a party (ID number, or name and
    phone) or the same place and type: the new one is a repeat of it."""
    since = now - REPEAT_WINDOW
    same_party = Q()
    for p in parties:
        if p.id_number:
            same_party |= Q(parties__id_number=p.id_number)
        if p.phone:
            same_party |= Q(parties__name=p.name, parties__phone=p.phone)
    place = Q(region=region, type_id=type_id)
    match = (same_party | place) if same_party else place
    return (
        Dispute.objects.filter(created_at__gte=since)
        .filter(match)
        .order_by("-created_at", "-id")
        .first()
    )


def do_register(*, data: DisputeIn, actor, now=None) -> Dispute:
    """Register a dispute at the lowest level that serves its place and may hold its risk;
    link it to the dispute it repeats; tell the holder (and leaders, if it is risky)."""
    fields, parties = check_register(data=data, actor=actor)
    now = now or timezone.now()
    with transaction.atomic():
        repeat = find_repeat(
            region=fields["region"], type_id=fields["type"].pk, parties=parties, now=now
        )
        text = " ".join([fields["title"], fields["facts"], *(p.claims for p in parties)])
        risk, reasons = levels.assess(
            text=text, parties=parties, amount=fields["amount"], is_repeat=repeat is not None
        )
        level, holder = levels.first_level(fields["region"], risk)
        dispute = Dispute.objects.create(
            number=numbers.next_number(now),
            **fields,
            region_path=(fields["grid"].region_path if fields["grid"] else fields["region"].path),
            level=level,
            holder=holder,
            level_since=now,
            level_due=levels.due(level, now),
            risk=risk,
            risk_reasons=reasons,
            registered_by=actor,
            repeat_of=repeat,
        )
        for party in parties:
            party.dispute = dispute
        Party.objects.bulk_create(parties)
        FLOW.record(
            dispute,
            "register",
            actor=actor,
            now=now,
            before="",
            after=State.REGISTERED,
            data={"level": level, "risk": risk, "repeat_of": repeat.number if repeat else None},
        )
    return dispute


def check_transition(*, dispute: Dispute, action: str, actor, expected_state=None) -> None:
    FLOW.check(dispute, action, actor, expected_state=expected_state)


def do_transition(
    *, dispute: Dispute, action: str, actor, expected_state=None, **params
) -> Dispute:
    """A user's action through the table; a risk judged above what the level may hold
    moves the dispute up at once, in the same transaction."""
    with transaction.atomic():
        dispute = FLOW.transition(
            pk=dispute.pk, action=action, actor=actor, expected_state=expected_state, **params
        )
        if action == "judge_risk":
            dispute = _escalate_for_risk(dispute)
    return dispute


def _escalate_for_risk(dispute: Dispute) -> Dispute:
    if dispute.state not in IN_HAND or levels.may_hold(dispute.level, dispute.risk):
        return dispute
    target, _holder = levels.first_level(dispute.region, dispute.risk, lowest=dispute.level)
    if target == dispute.level:
        return dispute
    return FLOW.transition(
        pk=dispute.pk,
        action="escalate",
        actor=None,
        level=target,
        why="risk",
        reason=_("The risk is above what this level may hold."),
    )


def escalate_overdue(*, now=None) -> int:
    """Move up every dispute whose time at its level has run out, once: the transition
    locks the row and re-checks the deadline, so two schedulers move each one once."""
    now = now or timezone.now()
    due = Dispute.objects.filter(
        state__in=IN_HAND,
        level_due__lt=now,
        level__in=[Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY],
    ).values_list("pk", flat=True)
    moved = 0
    for pk in list(due):
        with transaction.atomic():
            row = (
                Dispute.objects.select_for_update()
                .filter(pk=pk, level_due__lt=now, state__in=IN_HAND)
                .first()
            )
            if row is None:
                continue  # another scheduler moved it, or it was concluded meanwhile
            FLOW.transition(
                pk=pk,
                action="escalate",
                actor=None,
                held=row,
                now=now,
                why="time",
                reason=_("Its time at this level ran out."),
            )
            moved += 1
    return moved


def reveal_parties(*, viewer, dispute: Dispute, request=None) -> list[dict]:
    """The parties' real data that the viewer's role may unmask (a mediator: names, phones
    and addresses; ID numbers only for those whose role needs them), every field audited."""
    from gongzhi.accounts.services import reveal, unmaskable_kinds

    if not Dispute.objects.visible_to(viewer).filter(pk=dispute.pk).exists():
        raise NotAllowed("not_permitted", _("You may not see this dispute."))
    kinds = unmaskable_kinds(viewer)
    # A role that may unmask nothing asks for everything: the refusal is audited too.
    fields = [f for f, kind in Party.sensitive_fields.items() if kind in kinds] or None
    try:
        return [
            {
                "id": p.pk,
                **reveal(
                    viewer=viewer, obj=p, fields=fields, request=request, reason=dispute.number
                ),
            }
            for p in dispute.parties.all()
        ]
    except PermissionDenied:
        raise NotAllowed(
            "not_permitted", _("Your role may not see the parties' personal data.")
        ) from None


__all__ = [
    "CONCLUDED",
    "RULES",
    "DisputeIn",
    "PartyIn",
    "Risk",
    "check_register",
    "check_transition",
    "do_register",
    "do_transition",
    "escalate_overdue",
    "find_repeat",
    "reveal_parties",
]
