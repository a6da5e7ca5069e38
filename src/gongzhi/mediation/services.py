"""Disputes: register, act, move up by time, remind of performance. The only module other
apps import; views and the API call these with keyword-only arguments.

``check_*`` validates and checks access and writes nothing; ``do_*`` writes, in one
transaction, through the workflow engine for every step (``workflow.FLOW``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts import masking
from gongzhi.accounts.validators import normalise_phone, validate_id_number
from gongzhi.core import audit
from gongzhi.core.errors import Conflict, NotAllowed, ServiceError
from gongzhi.core.scope import scope_for
from gongzhi.regions.models import Grid, Region

from . import levels, numbers
from .choices import CONCLUDED, IN_HAND, Level, PartyKind, Risk, Side, Source, State
from .models import Dispute, DisputeType, Party, ReferralToken
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
    # A retry's key, bound to its sender (``scoped_key``): the same key finds the first
    # dispute. Not part of what was asked (``request_digest``).
    idempotency_key: str | None = None


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


def do_register(*, data: DisputeIn, actor, now=None, referral=None) -> Dispute:
    """Register a dispute (``do_register_once``) and return it, new or retried."""
    return do_register_once(data=data, actor=actor, now=now, referral=referral)[0]


def do_register_once(
    *, data: DisputeIn, actor, now=None, referral: ReferralToken | None = None
) -> tuple[Dispute, bool]:
    """Register a dispute at the lowest level that serves its place and may hold its risk;
    link it to the dispute it repeats; tell the holder (and leaders, if it is risky).
    Returns (dispute, created): with ``data.idempotency_key``, a retry of the same request
    returns the first dispute and writes nothing, and the key sent with a different request
    is refused (Conflict) — the sender reused a key meant for one registration.
    ``referral``: the key of the court or system that refers it (``referrals.do_refer``)."""
    digest = request_digest(data)
    found = replay(data.idempotency_key, digest)
    if found is not None:
        return found, False
    fields, parties = check_register(data=data, actor=actor)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            dispute = _register(
                fields,
                parties,
                actor=actor,
                now=now,
                referral=referral,
                key=data.idempotency_key,
                digest=digest,
            )
    except IntegrityError:
        found = replay(data.idempotency_key, digest)
        if found is not None:  # a concurrent retry won the race
            return found, False
        raise
    return dispute, True


def _register(fields, parties, *, actor, now, referral, key, digest) -> Dispute:
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
        referral=referral,
        idempotency_key=key or None,
        request_digest=digest if key else "",
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


# -- retries ---------------------------------------------------------------------------------

# What crypto.randomUUID() produces, with some slack (as the case intake API accepts).
IDEMPOTENCY_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def scoped_key(*, owner: str, raw: str | None) -> str | None:
    """The key stored on the dispute: the sender's ``Idempotency-Key`` bound to the sender
    (``user:<id>`` or ``referral:<id>``), so that somebody else's same key makes a dispute
    of its own instead of being handed another's. An HMAC: the stored key names nobody.
    A key that is not 8 to 64 letters, digits, "-" or "_" is refused."""
    if raw is None or raw == "":
        return None
    if not IDEMPOTENCY_KEY_RE.match(raw):
        raise ServiceError(
            "invalid_idempotency_key",
            _("The Idempotency-Key header must be 8 to 64 letters, digits, “-” or “_”."),
            "Idempotency-Key",
        )
    message = f"mediation:{owner}:{raw}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
    return f"md-{digest[:48]}"


def request_digest(data: DisputeIn) -> str:
    """A fingerprint of what was asked (the key itself left out): a retry gives the same."""
    asked = dataclasses.asdict(data)
    asked.pop("idempotency_key", None)
    text = json.dumps(asked, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def replay(key: str | None, digest: str) -> Dispute | None:
    if not key:
        return None
    # Nearly every key is new: ask the unique index for a bare id before reading a row.
    row = Dispute.objects.filter(idempotency_key=key).values_list("pk", "request_digest").first()
    if row is None:
        return None
    if row[1] != digest:
        raise Conflict(
            "idempotency_key_reused",
            _("This Idempotency-Key was sent before with a different request."),
            "Idempotency-Key",
        )
    return Dispute.objects.get(pk=row[0])


def check_transition(*, dispute: Dispute, action: str, actor, expected_state=None) -> None:
    FLOW.check(dispute, action, actor, expected_state=expected_state)


def do_transition(
    *,
    dispute: Dispute,
    action: str,
    actor,
    expected_state=None,
    now=None,
    tell: bool = True,
    **params,
) -> Dispute:
    """A user's action through the table; a risk judged above what the level may hold
    moves the dispute up at once, in the same transaction. ``now`` dates the step and
    ``tell=False`` sends nothing (a history replayed, as ``FLOW.transition``)."""
    with transaction.atomic():
        dispute = FLOW.transition(
            pk=dispute.pk,
            action=action,
            actor=actor,
            expected_state=expected_state,
            now=now,
            tell=tell,
            **params,
        )
        if action == "judge_risk":
            dispute = _escalate_for_risk(dispute, now=now, tell=tell)
    return dispute


def _escalate_for_risk(dispute: Dispute, *, now=None, tell: bool = True) -> Dispute:
    if dispute.state not in IN_HAND or levels.may_hold(dispute.level, dispute.risk):
        return dispute
    target, _holder = levels.first_level(dispute.region, dispute.risk, lowest=dispute.level)
    if target == dispute.level:
        return dispute
    return FLOW.transition(
        pk=dispute.pk,
        action="escalate",
        actor=None,
        now=now,
        tell=tell,
        level=target,
        why="risk",
        reason=_("The risk is above what this level may hold."),
    )


def escalate_overdue(*, now=None, tell: bool = True, disputes=None) -> int:
    """Move up every dispute whose time at its level has run out, once: the transition
    locks the row and re-checks the deadline, so two schedulers move each one once.
    ``now`` is the watcher's moment, ``tell=False`` sends nothing (a history replayed);
    ``disputes`` (a queryset) limits the scan to those."""
    now = now or timezone.now()
    due = (
        (disputes if disputes is not None else Dispute.objects)
        .filter(
            state__in=IN_HAND,
            level_due__lt=now,
            level__in=[Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY],
        )
        .values_list("pk", flat=True)
    )
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
                tell=tell,
                why="time",
                reason=_("Its time at this level ran out."),
            )
            moved += 1
    return moved


# -- free text -------------------------------------------------------------------------------

# Numbers typed into free text, as ``masking.mask_numbers_in_text`` finds them, one pattern
# per kind so that a role that may see phones (not ID numbers) has phones shown only.
NUMBERS_IN_TEXT = {
    masking.ID_NUMBER: re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)"),
    masking.MOBILE: re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"),
}


def scrubber(parties, *, keep=frozenset()):
    """A function that masks personal data wherever it appears in free text (facts, claims
    and session notes name the parties): the parties' own values, and any mobile or ID
    number besides. ``keep``: the kinds of data left as written (what a reveal may show)."""
    pairs = []
    for party in parties:
        for name, kind in masking.sensitive_fields(party).items():
            real = (getattr(party, name) or "").strip()
            if kind not in keep and len(real) >= 2:
                pairs.append((real, masking.masked_value(party, name)))
    pairs.sort(key=lambda pair: -len(pair[0]))  # "马福贵" before "马福"
    numbers = [(kind, p) for kind, p in NUMBERS_IN_TEXT.items() if kind not in keep]

    def scrub(text: str | None) -> str:
        if not text:
            return text or ""
        for real, masked in pairs:
            text = text.replace(real, masked)
        for kind, pattern in numbers:
            text = pattern.sub(lambda m, kind=kind: masking.mask(kind, m.group(0)), text)
        return text

    return scrub


def scrubbers(dispute_ids) -> dict:
    """For lists (the board, the desk, the export): each dispute's ``scrubber`` from one
    read of all their parties; a dispute without parties still has its numbers masked."""
    parties: dict[int, list] = {pk: [] for pk in dispute_ids}
    for party in Party.objects.filter(dispute_id__in=list(parties)):
        parties[party.dispute_id].append(party)
    return {pk: scrubber(found) for pk, found in parties.items()}


def reveal_texts(*, viewer, dispute: Dispute, request=None) -> dict:
    """The dispute's free text (title, facts, each side's claims, the sessions' notes) with
    what the viewer's role may unmask left as written, audited as one unmask of the
    dispute. Call after ``reveal_parties``, which refuses a viewer who may unmask nothing."""
    from gongzhi.accounts.services import UNMASK, unmaskable_kinds

    if not Dispute.objects.visible_to(viewer).filter(pk=dispute.pk).exists():
        raise NotAllowed("not_permitted", _("You may not see this dispute."))
    kinds = unmaskable_kinds(viewer)
    if not kinds & set(Party.sensitive_fields.values()):
        raise NotAllowed("not_permitted", _("Your role may not see the parties' personal data."))
    parties = list(dispute.parties.all())
    scrub = scrubber(parties, keep=kinds)
    texts = {
        "title": scrub(dispute.title),
        "facts": scrub(dispute.facts),
        "claims": [(p.side, scrub(p.claims)) for p in parties if p.claims],
        "sessions": [
            {
                "held_at": s.held_at,
                "place": scrub(s.place),
                "attendees": scrub(s.attendees),
                "summary": scrub(s.summary),
                "next_step": scrub(s.next_step),
            }
            for s in dispute.sessions.all()
        ],
    }
    with transaction.atomic():
        audit.record(
            actor=viewer,
            action=UNMASK,
            obj=dispute,
            fields=["title", "facts", "claims", "sessions"],
            reason=dispute.number,
            request=request,
        )
    return texts


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
    "do_register_once",
    "do_transition",
    "escalate_overdue",
    "find_repeat",
    "reveal_parties",
    "replay",
    "request_digest",
    "reveal_texts",
    "scoped_key",
    "scrubber",
]
