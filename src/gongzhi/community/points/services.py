"""Points (积分制): awards by rule, reversals, the shop's goods and its counter's redemptions.

``do_award`` is what the other rooms call (volunteering hours, a rated repair, …; a meeting
attended comes from the deliberation hall through ``people.signals`` and ``hooks``). An
event corrected or undone later moves its award with one more entry (``do_correct_hours``,
``do_withdraw_award``), taking back only what the balance still holds. Every change of a
balance goes through ``_post``: one conditional ``UPDATE`` of the account row (``balance >=
n`` for a debit, so two debits at once never take it below zero; the check constraint is
the last guard) and one entry carrying the balance after it.

The resident's redemption code is signed (``django.core.signing``) and names the household,
a nonce and the minute it was made; it is good for ``CODE_TTL`` and for one redemption
(``Redemption.code_nonce`` and the entry's ``source`` are unique).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import Conflict, NotAllowed, NotFound, ServiceError
from gongzhi.people import members

from ..models import Goods, PointAccount, PointEntry, PointRule, Redemption, Shop

# A hand award's submit key: what crypto.randomUUID() or secrets.token_urlsafe() make.
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
CODE_TTL = dt.timedelta(minutes=5)
CODE_SALT = "gongzhi.community.points.redeem"
MAX_QUANTITY = 99
MAX_HOURS = 24


# Reading -----------------------------------------------------------------------------------


def household(household_id):
    from gongzhi.people.models import Household

    found = Household.objects.filter(pk=household_id).only("id", "region_id", "region_path")
    found = found.first() if household_id else None
    if found is None:
        raise NotFound("not_found", _("No such household."), "household")
    return found


def applicable_rules(region_path: str):
    """The rules that may apply in a place: shared ones and those of the place or above."""
    return [
        r
        for r in PointRule.objects.select_related("region")
        if r.region_id is None or region_path.startswith(r.region.path)
    ]


def rule_for(code: str, region_path: str) -> PointRule | None:
    """The rule an event's code means in this place: the most specific rule named by that
    code (or naming it as its source), the village's own before the shared one."""
    candidates = [
        r
        for r in applicable_rules(region_path)
        if r.code == code or (r.source == code and r.region_id is not None)
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda r: len(r.region.path) if r.region_id else 0)


def hand_rules(region_path: str) -> list[PointRule]:
    """What staff may award (or deduct) by hand in a place: enabled rules with no event."""
    return [r for r in applicable_rules(region_path) if r.enabled and not r.source]


def may_manage(user, region_path: str) -> bool:
    """The village's committee (and its clerk) award, reverse, run the shop and the counter."""
    return members.is_committee(user, region_path)


def account_of(household_id) -> PointAccount | None:
    return PointAccount.objects.filter(household_id=household_id).first()


# The ledger --------------------------------------------------------------------------------


def _account(hh) -> PointAccount:
    account = PointAccount.objects.filter(household_id=hh.pk).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return PointAccount.objects.create(
                household_id=hh.pk, region_id=hh.region_id, region_path=hh.region_path
            )
    except IntegrityError:  # made at the same instant by another award
        return PointAccount.objects.get(household_id=hh.pk)


def _short(points: int, balance: int) -> ServiceError:
    return ServiceError(
        "insufficient",
        _(
            "The household has %(balance)s points: taking %(points)s would leave its "
            "balance below zero."
        )
        % {"balance": balance, "points": points},
        "points",
    )


def _post(
    account: PointAccount,
    *,
    points: int,
    reason: str,
    now,
    rule=None,
    source: str = "",
    by=None,
    reverses=None,
    spent: bool = False,
) -> PointEntry:
    """Move the balance and write the entry, in one savepoint: a debit the balance cannot
    bear raises and changes nothing; a ``source`` already used raises IntegrityError."""
    with transaction.atomic():
        rows = PointAccount.objects.filter(pk=account.pk)
        change = {"balance": F("balance") + points}
        if spent:
            change["spent"] = F("spent") - points
        else:
            change["earned"] = F("earned") + points
        if points < 0:
            rows = rows.filter(balance__gte=-points)
        if not rows.update(**change):
            balance = PointAccount.objects.values_list("balance", flat=True).get(pk=account.pk)
            raise _short(-points, balance)
        # The row is ours until commit: the balance read now is the one this entry made.
        balance = PointAccount.objects.values_list("balance", flat=True).get(pk=account.pk)
        entry = PointEntry(
            account=account,
            region_id=account.region_id,
            region_path=account.region_path,
            rule=rule,
            points=points,
            reason=reason[:200],
            source=source,
            by=by if getattr(by, "is_authenticated", False) else None,
            reverses=reverses,
            balance_after=balance,
        )
        entry.save()
        if now is not None:  # the demo dates its history in the past
            PointEntry.objects.filter(pk=entry.pk).update(created_at=now)
            entry.created_at = now
        return entry


def _quantity(value, *, per_hour: bool):
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        number = Decimal(-1)
    limit = MAX_HOURS if per_hour else MAX_QUANTITY
    if not number.is_finite() or number <= 0 or number > limit:
        raise ServiceError(
            "invalid", _("Give a quantity from 1 to %(n)s.") % {"n": limit}, "quantity"
        )
    return number


def do_award(
    *,
    household_id: int,
    rule_code: str,
    source: str,
    quantity=1,
    by=None,
    reason: str = "",
    now=None,
):
    """Award the household the rule's points (times ``quantity`` for a per-hour rule), once
    per ``source``. Returns the entry, or None when the rule is missing or disabled or the
    source was already awarded. Call inside the caller's transaction."""
    if not source:
        raise ServiceError("invalid", _("An award names what gave it."), "source")
    hh = household(household_id)
    rule = rule_for(rule_code, hh.region_path)
    if rule is None or not rule.enabled:
        return None
    if PointEntry.objects.filter(source=source).exists():
        return None
    amount = _quantity(quantity, per_hour=rule.per_hour)
    points = int(
        (Decimal(rule.points) * (amount if rule.per_hour else 1)).quantize(0, ROUND_HALF_UP)
    )
    if not points:
        return None
    text = rule.name
    if rule.per_hour:
        text = _("%(rule)s: %(hours)s h") % {"rule": rule.name, "hours": amount.normalize()}
    if reason:
        text = f"{text} · {reason}"
    account = _account(hh)
    try:
        return _post(account, points=points, reason=text, now=now, rule=rule, source=source, by=by)
    except IntegrityError:  # awarded at the same instant by another call
        return None


def _take_back(
    account_id, *, points: int, reason: str, now, rule=None, source="", by=None, reverses=None
):
    """Take ``points`` back for an automatic award that no longer holds (hours corrected, a
    sign-in undone). The event stands whatever the household has spent since: the entry
    takes what the balance holds and says how much it could not (balances never go below
    zero). The account row is locked so a redemption at the counter waits for it."""
    account = PointAccount.objects.select_for_update().get(pk=account_id)
    taken = min(points, account.balance)
    if taken < points:
        reason = "{} · {}".format(
            reason,
            _("%(n)s points not taken back: the household has already spent them")
            % {"n": points - taken},
        )
    return _post(
        account,
        points=-taken,
        reason=reason,
        now=now,
        rule=rule,
        source=source,
        by=by,
        reverses=reverses,
    )


def meeting_source(meeting: str, household_id) -> str:
    return f"meeting:{meeting}:{household_id}"


def do_award_meeting(*, household_id, meeting: str, title: str, on, when=None) -> PointEntry | None:
    """A household attended a meeting (people.signals.meeting_attended): the rule
    ``meeting_attended`` once per household and meeting, however many of it signed in or
    however often the signal came. The entry names the meeting."""
    return do_award(
        household_id=household_id,
        rule_code="meeting_attended",
        source=meeting_source(meeting, household_id),
        reason=_("%(title)s (%(date)s)") % {"title": title, "date": on.isoformat()},
        now=when,
    )


def do_withdraw_award(*, source: str, reason: str, now=None) -> PointEntry | None:
    """Undo an automatic award whose event was undone: a reversal of the entry (once; an
    entry already reversed, or never made, is left alone)."""
    with transaction.atomic():
        entry = PointEntry.objects.filter(source=source).first() if source else None
        if entry is None or entry.points <= 0:
            return None
        if PointEntry.objects.filter(reverses=entry).exists():
            return None
        try:
            with transaction.atomic():
                return _take_back(
                    entry.account_id,
                    points=entry.points,
                    reason=_("Reversed: %(reason)s") % {"reason": reason},
                    now=now,
                    rule=entry.rule,
                    reverses=entry,
                )
        except IntegrityError:  # reversed at the same instant by another call
            return None


def do_correct_hours(
    *, source: str, old, hours, by=None, reason: str = "", now=None
) -> PointEntry | None:
    """The hours behind a per-hour award (``source``, e.g. ``signup:12``) were corrected: one
    entry moves the points to what the new hours earn under the rule the award was made by.

    The sign-up's entries (the award, its corrections ``<source>:fix<n>`` and any staff
    reversal of them) always aim at that figure, so a correction repeated changes nothing
    and points not taken back for want of balance are taken from a later raise. An award
    the committee reversed stays reversed; a sign-up never awarded (no household, the rule
    off) gets nothing now. Call inside the caller's transaction."""
    award = PointEntry.objects.select_related("rule").filter(source=source).first()
    if award is None or award.rule is None or not award.rule.per_hour:
        return None
    if PointEntry.objects.filter(reverses=award).exists():
        return None
    with transaction.atomic():
        account = PointAccount.objects.select_for_update().get(pk=award.account_id)
        family = PointEntry.objects.filter(account=account).filter(
            Q(source=source) | Q(source__startswith=f"{source}:")
        )
        given = sum(family.values_list("points", flat=True)) + sum(
            PointEntry.objects.filter(reverses__in=family).values_list("points", flat=True)
        )
        due = int((Decimal(award.rule.points) * Decimal(str(hours))).quantize(0, ROUND_HALF_UP))
        if due == given:
            return None
        text = _("%(rule)s: hours corrected from %(old)s h to %(new)s h") % {
            "rule": award.rule.name,
            "old": Decimal(str(old)).normalize(),
            "new": Decimal(str(hours)).normalize(),
        }
        if reason:
            text = f"{text} · {reason}"
        fix = f"{source}:fix{family.count()}"
        if due > given:
            return _post(
                account,
                points=due - given,
                reason=text,
                now=now,
                rule=award.rule,
                source=fix,
                by=by,
            )
        return _take_back(
            account.pk, points=given - due, reason=text, now=now, rule=award.rule, source=fix, by=by
        )


def check_by_hand(*, actor, household_id, rule_code: str, reason: str):
    hh = household(household_id)
    if not may_manage(actor, hh.region_path):
        raise NotAllowed(
            "forbidden", _("Only the committee of the household's village awards its points.")
        )
    rule = next((r for r in hand_rules(hh.region_path) if r.code == rule_code), None)
    if rule is None:
        raise ServiceError("invalid", _("Choose a rule of this village."), "rule")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("required", _("Say why: every entry is explained."), "reason")
    if len(reason) > 150:
        raise ServiceError("invalid", _("Keep the reason under 150 characters."), "reason")
    return hh, rule, reason


def _hand_source(actor, key) -> str:
    """The entry's source for a keyed submit: the form's (or API client's) key bound to the
    person who sent it, so someone else's key never hands them another's entry."""
    if key in (None, ""):
        return ""
    if not isinstance(key, str) or not KEY_RE.match(key):
        raise ServiceError(
            "invalid_idempotency_key",
            _("The submit key must be 8 to 64 letters, digits, “-” or “_”: reload the page."),
            "key",
        )
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"award:{actor.pk}:{key}".encode(), hashlib.sha256
    ).hexdigest()
    return f"hand:{digest[:40]}"


def _replayed(source: str) -> PointEntry | None:
    entry = PointEntry.objects.filter(source=source).first() if source else None
    if entry is not None:
        entry.replayed = True
    return entry


def do_award_by_hand(
    *, actor, household_id, rule_code: str, reason: str, key=None, now=None
) -> PointEntry:
    """Staff award (or, with a negative rule, deduct) a rule's points with their reason. A
    deduction the balance cannot bear is refused: balances never go below zero.

    ``key`` (the form's hidden token, the API's ``Idempotency-Key``) makes a double submit
    one entry: the same key again returns the first entry (``replayed`` set) and writes
    nothing."""
    source = _hand_source(actor, key)
    hh, rule, reason = check_by_hand(
        actor=actor, household_id=household_id, rule_code=rule_code, reason=reason
    )
    first = _replayed(source)
    if first is not None:
        return first
    account = _account(hh)
    try:
        return _post(
            account,
            points=rule.points,
            reason=f"{rule.name} · {reason}",
            now=now,
            rule=rule,
            source=source,
            by=actor,
        )
    except IntegrityError:  # the same submit at the same instant: the first one stands
        first = _replayed(source)
        if first is None:
            raise
        return first


def do_reverse(*, actor, entry_id, reason: str, now=None) -> PointEntry:
    """Undo an entry with a reason: a new entry of the opposite points that ``reverses`` it.
    One reversal per entry; a redemption is not reversed here; a reversal that would take
    the balance below zero fails and changes nothing."""
    entry = (
        PointEntry.objects.visible_to(actor).select_related("account").filter(pk=entry_id).first()
        if str(entry_id).isdigit()
        else None
    )
    if entry is None:
        raise NotFound("not_found", _("No such entry."), "entry")
    if not may_manage(actor, entry.region_path):
        raise NotAllowed(
            "forbidden", _("Only the committee of the household's village reverses its entries.")
        )
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("required", _("Say why the entry is reversed."), "reason")
    if len(reason) > 150:
        raise ServiceError("invalid", _("Keep the reason under 150 characters."), "reason")
    if entry.reverses_id:
        raise ServiceError("invalid", _("A reversal is not reversed again."), "entry")
    if Redemption.objects.filter(entry=entry).exists():
        raise ServiceError("invalid", _("A redemption at the shop is not reversed."), "entry")
    if PointEntry.objects.filter(reverses=entry).exists():
        raise Conflict("reversed", _("This entry was already reversed."), "entry")
    try:
        return _post(
            entry.account,
            points=-entry.points,
            reason=_("Reversed: %(reason)s") % {"reason": reason},
            now=now,
            rule=entry.rule,
            by=actor,
            reverses=entry,
        )
    except IntegrityError:  # reversed at the same instant by someone else
        raise Conflict("reversed", _("This entry was already reversed."), "entry") from None


# The shop ----------------------------------------------------------------------------------


def shop_for(region) -> Shop:
    shop = Shop.objects.filter(region=region).order_by("pk").first()
    if shop is None:
        shop = Shop.objects.create(
            region=region, name=_("%(place)s points shop") % {"place": region.name}
        )
    return shop


def do_save_goods(
    *, actor, region, name: str, price, stock, enabled=True, goods_id=None, now=None
) -> Goods:
    """Add or change goods of the village's shop (the committee keeps the shelf)."""
    if not may_manage(actor, region.path):
        raise NotAllowed("forbidden", _("Only the village's committee keeps its shop."))
    errors = []
    name = (name or "").strip()
    if not name or len(name) > 100:
        errors.append(ServiceError("required", _("Name the goods (up to 100 characters)."), "name"))
    try:
        price = int(price)
    except (TypeError, ValueError):
        price = 0
    if not 1 <= price <= 100000:
        errors.append(ServiceError("invalid", _("Give a price from 1 to 100000 points."), "price"))
    try:
        stock = int(stock)
    except (TypeError, ValueError):
        stock = -1
    if not 0 <= stock <= 100000:
        errors.append(ServiceError("invalid", _("Give a stock from 0 to 100000."), "stock"))
    goods = None
    if goods_id is not None:
        goods = Goods.objects.filter(pk=goods_id, shop__region=region).first()
        if goods is None:
            errors.append(NotFound("not_found", _("No such goods in this shop."), "goods"))
    if errors:
        raise ServiceError.first_of(errors)
    with transaction.atomic():
        if goods is None:
            goods = Goods.objects.create(
                shop=shop_for(region), name=name, price=price, stock=stock, enabled=bool(enabled)
            )
        else:
            Goods.objects.filter(pk=goods.pk).update(
                name=name, price=price, stock=stock, enabled=bool(enabled)
            )
            goods.refresh_from_db()
    return goods


def goods_of(region_path: str, *, all_of_them: bool = False):
    rows = Goods.objects.filter(shop__region_path=region_path, shop__enabled=True)
    if not all_of_them:
        rows = rows.filter(enabled=True)
    return rows.select_related("shop")


# Codes and the counter ---------------------------------------------------------------------


def make_code(*, household_id: int, now=None) -> tuple[str, str]:
    """A fresh code for the household's phone: (token, nonce)."""
    now = now or timezone.now()
    nonce = secrets.token_urlsafe(12)
    token = signing.dumps(
        {"h": household_id, "n": nonce, "t": int(now.timestamp())}, salt=CODE_SALT
    )
    return token, nonce


def read_code(token: str, *, now=None) -> tuple[int, str]:
    """The household and nonce a code names; a forged, expired or used code is refused."""
    now = now or timezone.now()
    try:
        data = signing.loads((token or "").strip(), salt=CODE_SALT)
        household_id, nonce, made = int(data["h"]), str(data["n"]), int(data["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ServiceError("forged", _("This is not a code of our points shop."), "code") from None
    age = now.timestamp() - made
    if age > CODE_TTL.total_seconds() or age < -60:
        raise ServiceError(
            "expired", _("This code has expired: ask the resident to show a new one."), "code"
        )
    if Redemption.objects.filter(code_nonce=nonce).exists():
        raise Conflict("used", _("This code was already used: ask for a new one."), "code")
    return household_id, nonce


def do_redeem(*, actor, code: str, goods_id, quantity=1, now=None) -> Redemption:
    """The counter takes the goods' price times the quantity from the household's balance and
    the quantity from the stock, both or neither; one redemption per code."""
    household_id, nonce = read_code(code, now=now)
    hh = household(household_id)
    if not may_manage(actor, hh.region_path):
        raise NotAllowed(
            "forbidden", _("This code belongs to a household of another village."), "code"
        )
    goods = (
        goods_of(hh.region_path).filter(pk=goods_id).first() if str(goods_id).isdigit() else None
    )
    if goods is None:
        raise ServiceError("invalid", _("Choose goods of this village's shop."), "goods")
    amount = _quantity(quantity, per_hour=False)
    if amount != amount.to_integral_value():
        raise ServiceError("invalid", _("Give a whole quantity."), "quantity")
    quantity = int(amount)
    points = goods.price * quantity
    account = _account(hh)
    try:
        with transaction.atomic():
            if not Goods.objects.filter(pk=goods.pk, stock__gte=quantity).update(
                stock=F("stock") - quantity
            ):
                left = Goods.objects.values_list("stock", flat=True).get(pk=goods.pk)
                raise ServiceError(
                    "out_of_stock",
                    _("Only %(n)s of these goods are left.") % {"n": left},
                    "quantity",
                )
            entry = _post(
                account,
                points=-points,
                reason=_("Redeemed: %(goods)s × %(n)s") % {"goods": goods.name, "n": quantity},
                now=now,
                source=f"redeem:{nonce}",
                by=actor,
                spent=True,
            )
            redemption = Redemption.objects.create(
                region_id=hh.region_id,
                region_path=hh.region_path,
                shop=goods.shop,
                goods=goods,
                household_id=hh.pk,
                quantity=quantity,
                points=points,
                entry=entry,
                by=actor,
                code_nonce=nonce,
            )
            if now is not None:
                Redemption.objects.filter(pk=redemption.pk).update(created_at=now)
    except IntegrityError:  # the same code at the same instant at another till
        raise Conflict(
            "used", _("This code was already used: ask for a new one."), "code"
        ) from None
    return redemption


def redemption_of(*, household_id: int, nonce: str) -> Redemption | None:
    return (
        Redemption.objects.filter(household_id=household_id, code_nonce=nonce)
        .select_related("goods")
        .first()
    )
