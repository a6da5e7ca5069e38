"""The points pages: thin, each parses its input, calls one service and renders.

- 我的积分 (``points``): the resident's household: balance, every entry explained, the
  village's goods and the button to show a redemption code;
- the code page: a QR code (and its text) the counter scans, polling until it is redeemed;
- the desk of a village's committee: the month's figures, the counter, awards by hand,
  reversals, the shelf;
- the board (积分榜): households by balance, names masked, open to everyone.
"""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from gongzhi.accounts.masking import mask_name
from gongzhi.core.errors import ServiceError
from gongzhi.people import members
from gongzhi.regions.models import Region

from .. import reveal as reveal_names
from ..models import PointAccount
from . import queries, services
from .forms import AwardForm, GoodsForm, RedeemForm, ReverseForm


def _htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
@require_GET
def home(request):
    me = members.villager(request.user)
    account = services.account_of(me.household_id) if me else None
    return render(
        request,
        "community/points/home.html",
        {
            "me": me,
            "account": account,
            "entries": queries.entries(request.user, household_id=me.household_id) if me else [],
            "goods": list(services.goods_of(me.region_path)) if me else [],
            "region": Region.objects.filter(pk=me.region_id).first() if me else None,
            "kept": queries.kept_regions(request.user),
        },
    )


def _qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


@never_cache
@login_required
@require_GET
def code(request):
    me = members.villager(request.user)
    if me is None:
        raise Http404
    token, nonce = services.make_code(household_id=me.household_id)
    return render(
        request,
        "community/points/code.html",
        {
            "token": token,
            "nonce": nonce,
            "svg": _qr_svg(token),
            "minutes": int(services.CODE_TTL.total_seconds() // 60),
            "account": services.account_of(me.household_id),
        },
    )


@never_cache
@login_required
@require_GET
def code_state(request, nonce):
    me = members.villager(request.user)
    if me is None:
        raise Http404
    redemption = services.redemption_of(household_id=me.household_id, nonce=nonce[:40])
    return render(
        request,
        "community/points/_code_state.html",
        {"nonce": nonce, "redemption": redemption},
    )


@require_GET
def board(request, region_id):
    region = get_object_or_404(Region, pk=region_id, level="community")
    return render(
        request,
        "community/points/board.html",
        {
            "region": region,
            "ranking": queries.ranking(region),
            "figures": queries.month_figures(region),
        },
    )


def _kept(request, region_id) -> Region:
    region = get_object_or_404(Region, pk=region_id, level="community")
    if not services.may_manage(request.user, region.path):
        raise Http404
    return region


def _desk(request, region, *, status=200, reveal=False, refused="", **forms):
    from gongzhi.people.models import Household

    accounts = {a.household_id: a for a in PointAccount.objects.filter(region=region)}
    households = []
    for h in (
        Household.objects.filter(region=region).select_related("head").order_by("number", "pk")
    ):
        name, phone = reveal_names.shown(h.head, reveal=reveal)
        households.append(
            {
                "id": h.pk,
                "number": h.number,
                "name": name or mask_name(queries.head_name(h)),
                "phone": phone,
                "balance": accounts[h.pk].balance if h.pk in accounts else 0,
                "head": h.head,
            }
        )
    if reveal:
        reveal_names.record(
            request, [h["head"] for h in households], reason=f"points desk {region.code}"
        )
    # The award form's list stays masked: it is posted back, not read.
    choices = [
        (h["id"], f"{h['number']} {mask_name(h['name']) if reveal else h['name']}")
        for h in households
    ]
    rules = services.hand_rules(region.path)
    goods = list(services.goods_of(region.path, all_of_them=True))
    context = {
        "region": region,
        "figures": queries.month_figures(region),
        "households": households,
        "entries": queries.entries(request.user, region_path=region.path, limit=30),
        "goods": goods,
        "award_form": forms.get("award_form") or AwardForm(households=choices, rules=rules),
        "redeem_form": forms.get("redeem_form")
        or RedeemForm(goods=[g for g in goods if g.enabled]),
        "goods_form": forms.get("goods_form") or GoodsForm(),
        "error": forms.get("error"),
        "reveal": reveal,
        "may_reveal": reveal_names.may_reveal(request.user, region.path),
        "refused": refused,
    }
    response = render(request, "community/points/desk.html", context, status=status)
    if reveal:
        add_never_cache_headers(response)
    return response


@login_required
@require_GET
def desk(request, region_id):
    """The desk; ``?reveal=1`` shows the households' heads' names and phones to those
    allowed (each audited), and a refusal to the others."""
    region = _kept(request, region_id)
    if request.GET.get("reveal") == "1":
        try:
            reveal_names.check_reveal(
                request=request, region_path=region.path, obj=region, reason="points desk"
            )
        except ServiceError as e:
            return _desk(request, region, status=e.status, refused=e.message)
        return _desk(request, region, reveal=True)
    return _desk(request, region)


def _fail(request, region, error: ServiceError, **forms):
    return _desk(request, region, status=error.status, error=error, **forms)


@login_required
@require_POST
def award(request, region_id):
    region = _kept(request, region_id)
    form = AwardForm(request.POST, households=None, rules=services.hand_rules(region.path))
    if not form.is_valid():
        return _fail(request, region, ServiceError("invalid", _("Check the award."), None))
    try:
        entry = services.do_award_by_hand(
            actor=request.user,
            household_id=form.cleaned_data["household"],
            rule_code=form.cleaned_data["rule"],
            reason=form.cleaned_data["reason"],
            key=form.cleaned_data["key"] or None,
        )
    except ServiceError as e:
        return _fail(request, region, e)
    messages.success(request, _("%(points)+d points recorded.") % {"points": entry.points})
    return redirect("community:points_desk", region.pk)


@login_required
@require_POST
def redeem(request, region_id):
    region = _kept(request, region_id)
    form = RedeemForm(request.POST, goods=list(services.goods_of(region.path)))
    if not form.is_valid():
        return _fail(
            request,
            region,
            ServiceError("invalid", _("Check the code, goods and quantity."), None),
            redeem_form=form,
        )
    try:
        r = services.do_redeem(
            actor=request.user,
            code=form.cleaned_data["code"],
            goods_id=form.cleaned_data["goods"],
            quantity=form.cleaned_data["quantity"],
        )
    except ServiceError as e:
        return _fail(request, region, e, redeem_form=form)
    messages.success(
        request,
        _("Redeemed %(goods)s × %(n)s for %(points)s points.")
        % {"goods": r.goods.name, "n": r.quantity, "points": r.points},
    )
    return redirect("community:points_desk", region.pk)


@login_required
@require_POST
def goods(request, region_id):
    region = _kept(request, region_id)
    form = GoodsForm(request.POST)
    if not form.is_valid():
        return _fail(
            request, region, ServiceError("invalid", _("Check the goods."), None), goods_form=form
        )
    data = form.cleaned_data
    try:
        services.do_save_goods(
            actor=request.user,
            region=region,
            name=data["name"],
            price=data["price"],
            stock=data["stock"],
            enabled=data["enabled"],
            goods_id=data["goods"] or None,
        )
    except ServiceError as e:
        return _fail(request, region, e, goods_form=form)
    messages.success(request, _("The shelf was saved."))
    return redirect("community:points_desk", region.pk)


@login_required
@require_POST
def reverse_entry(request, entry_id):
    form = ReverseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        entry = services.do_reverse(actor=request.user, entry_id=entry_id, reason=reason)
    except ServiceError as e:
        if e.status == 404:
            raise Http404 from None
        messages.error(request, e.message)
        region_id = request.POST.get("region", "")
        if region_id.isdigit():
            return redirect("community:points_desk", int(region_id))
        return redirect("community:points")
    messages.success(request, _("The entry was reversed."))
    return redirect("community:points_desk", entry.region_id)
