"""Referral keys: a court (诉前调解) or another system (110's non-police incidents) refers a
dispute and reads its outcome with a key, ``Authorization: Bearer md_…``.

A key is issued in the admin and shown once; only its SHA-256 is kept (it is 24 random
bytes, so a plain hash is as good as a slow one and finds its row through a unique index).
A key refers disputes in its region only, as its source (court or police), and reads the
outcome of the disputes it referred, nothing else: no party, no facts, no other dispute.

The referrer's own reference (``external_ref``) is required and names one dispute per key
(``Dispute.referral`` and ``external_ref``, unique together): the same case referred again
returns the dispute already registered for it and changes nothing, as a court's system
that resends a case expects. The timeline keeps a ``refer`` entry naming the key, for the
people who read it. An ``Idempotency-Key`` sent with a referral is bound to the key: a
retry returns the first dispute, the same key with a different referral is refused.
"""

from __future__ import annotations

import dataclasses
import hashlib

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongzhi.core.errors import ServiceError
from gongzhi.regions.models import Grid, Region

from . import services
from .choices import SETTLED_STATES, State
from .models import Dispute, Obligation, ReferralToken
from .workflow import FLOW

PREFIX = "md_"
REFER = "refer"  # the timeline entry that names the key (for people; the link is a column)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def key_for(raw: str) -> ReferralToken | None:
    """The enabled key (with its region) for ``raw``, or None."""
    raw = (raw or "").strip()
    if not raw.startswith(PREFIX) or len(raw) > 100:
        return None
    return (
        ReferralToken.objects.select_related("region")
        .only("id", "name", "source", "enabled", "region__id", "region__path")
        .filter(key_hash=_hash(raw), enabled=True)
        .first()
    )


def do_issue(*, token: ReferralToken) -> str:
    """A new key for ``token`` (saved; any earlier key stops working). Returns the key,
    which is shown once and never stored."""
    raw = token.issue()
    with transaction.atomic():
        if token.pk is None:
            token.save()
        else:
            token.save(update_fields=["key_hash", "updated_at"])
    return raw


def find(*, token: ReferralToken, external_ref: str) -> Dispute | None:
    """The dispute this key referred under ``external_ref``, or None (also for a dispute
    another key referred under the same reference)."""
    return (
        Dispute.objects.filter(referral=token, external_ref=external_ref.strip())
        .select_related("holder")
        .first()
    )


def check_place(*, token: ReferralToken, data: services.DisputeIn) -> None:
    """A key refers disputes in its own region; without a place, the region itself."""
    if data.grid_id:
        path = Grid.objects.filter(pk=data.grid_id).values_list("region_path", flat=True).first()
    elif data.region_id:
        path = Region.objects.filter(pk=data.region_id).values_list("path", flat=True).first()
    else:
        data.region_id, path = token.region_id, token.region.path
    if path is not None and not path.startswith(token.region.path):
        raise ServiceError(
            "out_of_scope", _("This key may not refer disputes in that place."), "region"
        )


def do_refer(*, token: ReferralToken, data: services.DisputeIn) -> tuple[Dispute, bool]:
    """Register a referred dispute (no user acts: the key does), or return the one this key
    already referred under the same reference: (dispute, created). ``data.idempotency_key``
    is the sender's raw ``Idempotency-Key``, if any."""
    ref = (data.external_ref or "").strip()
    if not ref or len(ref) > 60:
        raise ServiceError(
            "required", _("Give your own reference for this referral."), "external_ref"
        )
    key = services.scoped_key(owner=f"referral:{token.pk}", raw=data.idempotency_key)
    with transaction.atomic():
        # One referral of a key at a time, so that a retry sent before the first answer
        # came back finds the first dispute instead of making a second (the constraint on
        # key and reference stands behind it).
        ReferralToken.objects.select_for_update().filter(pk=token.pk).first()
        data = dataclasses.replace(
            data,
            external_ref=ref,
            source=token.source,
            source_ref=(data.source_ref or ref)[:60],
            idempotency_key=key,
        )
        check_place(token=token, data=data)
        # A retry under the same Idempotency-Key: the first dispute, or refused if changed.
        digest = services.request_digest(data)
        replayed = services.replay(key, digest)
        if replayed is not None:
            return replayed, False
        found = find(token=token, external_ref=ref)
        if found is not None:
            return found, False
        try:
            dispute, created = services.do_register_once(data=data, actor=None, referral=token)
        except IntegrityError:
            found = find(token=token, external_ref=ref)
            if found is None:
                raise
            return found, False  # the same case referred at the same moment
        if created:
            FLOW.record(
                dispute,
                REFER,
                actor=None,
                note=token.name,
                data={"key": token.pk, "external_ref": ref},
            )
    return dispute, created


OUTCOME_STATES = (
    State.SETTLED,
    State.PERFORMED,
    State.NOT_PERFORMED,
    State.FAILED,
    State.WITHDRAWN,
    State.DECLINED,
)


def _concluded_as(dispute: Dispute) -> str:
    """How the mediation ended: pending while in hand; for a closed dispute, the outcome it
    was closed with (from its timeline)."""
    if dispute.state in OUTCOME_STATES:
        return State.SETTLED if dispute.state in SETTLED_STATES else dispute.state
    if dispute.state != State.CLOSED:
        return "pending"
    last = (
        dispute.events.filter(to_state__in=OUTCOME_STATES)
        .exclude(from_state__in=OUTCOME_STATES)
        .order_by("-at", "-id")
        .values_list("to_state", flat=True)
        .first()
    )
    if last is None:
        return "closed"
    return State.SETTLED if last in SETTLED_STATES else last


def _performance(agreement) -> str | None:
    if agreement is None:
        return None
    statuses = set(agreement.obligations.values_list("status", flat=True))
    if Obligation.Status.NOT_PERFORMED in statuses:
        return "not_performed"
    if Obligation.Status.DUE in statuses or not statuses:
        return "pending"
    return "performed"


def outcome(dispute: Dispute) -> dict:
    """What a referrer may read of its dispute: where it stands and how it ended."""
    agreement = getattr(dispute, "agreement", None)
    return {
        "external_ref": dispute.external_ref,
        "number": dispute.number,
        "state": dispute.state,
        "state_label": str(State.label_of(dispute.state)),
        "level": dispute.level,
        "unit": dispute.holder.name if dispute.holder_id else None,
        "outcome": _concluded_as(dispute),
        "agreement_number": agreement.number if agreement else None,
        "agreement_form": agreement.form if agreement else None,
        "confirmation": (agreement.confirmation or None) if agreement else None,
        "performance": _performance(agreement),
        "registered_at": dispute.created_at,
        "concluded_at": dispute.concluded_at,
        "closed_at": dispute.closed_at,
    }
