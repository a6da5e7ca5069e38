"""The points room's JSON API, under /api/v1/community/.

GET  /points/me                          the caller's household: balance and entries
POST /points/me/code                     a fresh redemption code (token, nonce, expiry)
GET  /points/me/code/{nonce}             whether that code was redeemed (and what for)
GET  /points/entries?region=             staff: their area's entries (``reveal=true``: the
                                         heads' names and phones, audited)
POST /points/awards                      staff: award (or deduct) a rule by hand, with reason
                                         (an Idempotency-Key header makes a retry one entry)
POST /points/entries/{id}/reverse        staff: reverse an entry, with reason
GET  /points/goods?region=               the shop's goods (the caller's village by default)
POST /points/redeem                      counter: redeem a code for goods

Every read starts from ``visible_to`` (a resident: their own household; staff: their area).
Errors: ``{"error", "message", "field"}``.
"""

import datetime as dt

from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Router, Schema, Status

from gongzhi.core.api import ErrorOut, Id
from gongzhi.core.errors import NotFound
from gongzhi.people import members
from gongzhi.regions.models import Region

from .. import reveal as reveal_names
from . import queries, services

router = Router(tags=["community points"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class PointEntryOut(Schema):
    id: int
    at: dt.datetime
    points: int
    balance_after: int
    reason: str
    rule: str | None
    reverses: int | None
    reversed: bool


class PointAccountOut(Schema):
    household: Id
    balance: int
    earned: int
    spent: int
    entries: list[PointEntryOut]


def _entry(e) -> dict:
    return {
        "id": e.pk,
        "at": e.created_at,
        "points": e.points,
        "balance_after": e.balance_after,
        "reason": e.reason,
        "rule": e.rule.code if e.rule_id else None,
        "reverses": e.reverses_id,
        "reversed": hasattr(e, "reversed_by"),
    }


def _me(request):
    me = members.villager(request.user)
    if me is None:
        raise NotFound("not_found", _("You are not in a household of the register."))
    return me


@router.get("/points/me", response={200: PointAccountOut, **ERRORS}, summary="My points")
def my_points(request):
    me = _me(request)
    account = services.account_of(me.household_id)
    return {
        "household": me.household_id,
        "balance": account.balance if account else 0,
        "earned": account.earned if account else 0,
        "spent": account.spent if account else 0,
        "entries": [_entry(e) for e in queries.entries(request.user, household_id=me.household_id)],
    }


class PointCodeOut(Schema):
    token: str
    nonce: str
    expires_at: dt.datetime


@router.post("/points/me/code", response={200: PointCodeOut, **ERRORS}, summary="My code")
def my_code(request):
    me = _me(request)
    now = timezone.now()
    token, nonce = services.make_code(household_id=me.household_id, now=now)
    return {"token": token, "nonce": nonce, "expires_at": now + services.CODE_TTL}


class RedemptionOut(Schema):
    id: int
    at: dt.datetime
    goods: str
    quantity: int
    points: int
    balance_after: int


def _redemption(r) -> dict:
    return {
        "id": r.pk,
        "at": r.created_at,
        "goods": r.goods.name,
        "quantity": r.quantity,
        "points": r.points,
        "balance_after": r.entry.balance_after,
    }


class PointCodeStateOut(Schema):
    redeemed: bool
    redemption: RedemptionOut | None = None


@router.get(
    "/points/me/code/{nonce}",
    response={200: PointCodeStateOut, **ERRORS},
    summary="My code's state",
)
def my_code_state(request, nonce: str):
    me = _me(request)
    r = services.redemption_of(household_id=me.household_id, nonce=nonce[:40])
    return {"redeemed": r is not None, "redemption": _redemption(r) if r else None}


class PointStaffEntryOut(PointEntryOut):
    household: int
    region_path: str
    name: str = Field(description="the household head's name, masked unless revealed")
    phone: str = Field(description="the household head's phone, masked unless revealed")


@router.get(
    "/points/entries", response={200: list[PointStaffEntryOut], **ERRORS}, summary="Entries"
)
def list_entries(
    request, region: str | None = None, household: int | None = None, reveal: bool = False
):
    """The entries the caller sees (a resident their household's, staff their area's).
    ``reveal=true``: the heads' names and phones in full where the caller may see them
    (the staff of the place, not a leader), each person audited; 403 if nowhere."""
    rows = queries.entries(request.user, household_id=household, region_path=region, limit=200)
    prefetch_related_objects(rows, "account__household__head")
    opened = (
        reveal_names.opened(
            request, rows, head=lambda e: e.account.household.head, reason="points entries api"
        )
        if reveal
        else set()
    )
    out = []
    for e in rows:
        name, phone = reveal_names.shown(e.account.household.head, reveal=e.pk in opened)
        out.append(
            {
                **_entry(e),
                "household": e.account.household_id,
                "region_path": e.region_path,
                "name": name,
                "phone": phone,
            }
        )
    return out


class PointAwardIn(Schema):
    household: int
    rule: str = Field(max_length=40)
    reason: str = Field(max_length=200)


@router.post(
    "/points/awards",
    response={201: PointEntryOut, 200: PointEntryOut, **ERRORS},
    summary="Award by hand",
)
def award(
    request, data: PointAwardIn, idempotency_key: str | None = Header(None, alias="Idempotency-Key")
):
    """Send a fresh ``Idempotency-Key`` with each award: a retry with the same key returns the
    first entry (status 200) and records nothing."""
    entry = services.do_award_by_hand(
        actor=request.user,
        household_id=data.household,
        rule_code=data.rule,
        reason=data.reason,
        key=idempotency_key,
    )
    return Status(200 if getattr(entry, "replayed", False) else 201, _entry(entry))


class PointReverseIn(Schema):
    reason: str = Field(max_length=200)


@router.post(
    "/points/entries/{entry_id}/reverse",
    response={201: PointEntryOut, **ERRORS},
    summary="Reverse an entry",
)
def reverse(request, entry_id: int, data: PointReverseIn):
    entry = services.do_reverse(actor=request.user, entry_id=entry_id, reason=data.reason)
    return 201, _entry(entry)


class ShopGoodsOut(Schema):
    id: int
    name: str
    price: int
    stock: int
    shop: str


@router.get("/points/goods", response={200: list[ShopGoodsOut], **ERRORS}, summary="Goods")
def goods(request, region: str | None = None):
    """The goods of a village's shop: the caller's own village, or (staff) ``region`` by path."""
    if region:
        place = Region.objects.filter(path=region).first()
        if place is None or not (
            services.may_manage(request.user, place.path)
            or members.oversees(request.user, place.path)
            or getattr(members.villager(request.user), "region_path", None) == place.path
        ):
            raise NotFound("not_found", _("No such village."), "region")
        path = place.path
    else:
        path = _me(request).region_path
    return [
        {"id": g.pk, "name": g.name, "price": g.price, "stock": g.stock, "shop": g.shop.name}
        for g in services.goods_of(path)
    ]


class PointRedeemIn(Schema):
    code: str = Field(max_length=400)
    goods: Id
    quantity: int = Field(1, ge=1, le=services.MAX_QUANTITY)


@router.post("/points/redeem", response={201: RedemptionOut, **ERRORS}, summary="Redeem")
def redeem(request, data: PointRedeemIn):
    r = services.do_redeem(
        actor=request.user, code=data.code, goods_id=data.goods, quantity=data.quantity
    )
    return 201, _redemption(r)
