"""What the community home shows each person: a resident their household's open repairs,
unread notices, points, volunteer shifts and their village's 移风易俗 rules; a committee
its desk; a property company its repairs; township, county and city staff the figures.

The rooms' pages are linked by their paths (``ROOMS``), not by URL names: each room owns
its own patterns."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from gongzhi.accounts.models import Membership, OrganisationKind
from gongzhi.cases.choices import FINAL_STATES
from gongzhi.core.scope import scope_for
from gongzhi.people import members

from ..choices import CeremonyState, NoticeState, SignUpState, VolunteerState
from ..models import (
    Ceremony,
    CompanyScore,
    CustomRule,
    Notice,
    NoticeDelivery,
    Patrol,
    PointAccount,
    Redemption,
    RepairRequest,
    Shop,
    SignUp,
    Volunteer,
)
from . import figures

ROOMS = {
    "repairs": "/community/repairs/",
    "notices": "/community/notices/",
    "volunteers": "/community/volunteers/",
    "patrols": "/community/patrols/",
    "points": "/community/points/",
    "customs": "/community/customs/",
}
LISTED = 3


def company_ids(user) -> list[int]:
    """The property companies the user works for."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Membership.objects.filter(
            user=user, organisation__kind=OrganisationKind.PROPERTY_COMPANY
        ).values_list("organisation_id", flat=True)
    )


def has_place(user) -> bool:
    """Whether the community app has anything for ``user``: a resident in the register,
    committee or oversight staff, a property company's staff, an administrator."""
    scope = scope_for(user)
    if scope.everything or members.staff_paths(scope):
        return True
    return members.villager(user) is not None or bool(company_ids(user))


def _open_cases() -> Q:
    return ~Q(case__state__in=FINAL_STATES)


def resident(user, now: dt.datetime) -> dict | None:
    me = members.villager(user)
    if me is None:
        return None
    repairs = RepairRequest.objects.filter(_open_cases(), household_id=me.household_id)
    unread = NoticeDelivery.objects.filter(
        Q(notice__expires_at__isnull=True) | Q(notice__expires_at__gt=now),
        household_id=me.household_id,
        read_at__isnull=True,
        notice__state=NoticeState.PUBLISHED,
    )
    latest = (
        NoticeDelivery.objects.filter(
            household_id=me.household_id, notice__state=NoticeState.PUBLISHED
        )
        .select_related("notice")
        .order_by("-delivered_at", "-id")
        .first()
    )
    account = PointAccount.objects.filter(household_id=me.household_id).first()
    volunteer = Volunteer.objects.filter(user=user).first()
    shifts = []
    if volunteer is not None:
        shifts = list(
            SignUp.objects.filter(
                volunteer=volunteer, state=SignUpState.SIGNED_UP, shift__ends_at__gt=now
            )
            .select_related("shift")
            .order_by("shift__starts_at")[:LISTED]
        )
    return {
        "villager": me,
        "repairs": list(repairs.select_related("case").order_by("-created_at")[:LISTED]),
        "repairs_open": repairs.count(),
        "unread": unread.count(),
        "latest_notice": latest.notice if latest is not None else None,
        "balance": account.balance if account is not None else 0,
        "volunteer": volunteer,
        "shifts": shifts,
        "rules": rules_for(me.region_path),
    }


def rules_for(region_path: str) -> list[CustomRule]:
    """The 移风易俗 rules that apply in a village: for each kind, the most specific enabled
    row of the village or a region above it."""
    prefixes = [region_path[:n] for n in range(1, len(region_path) + 1)]
    chosen: dict[str, CustomRule] = {}
    for rule in CustomRule.objects.filter(enabled=True, region_path__in=prefixes):
        held = chosen.get(rule.kind)
        if held is None or len(rule.region_path) > len(held.region_path):
            chosen[rule.kind] = rule
    return sorted(chosen.values(), key=lambda r: r.kind, reverse=True)


def _where(paths) -> Q:
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(region_path__startswith=p)
    return q


def desk(user, now: dt.datetime) -> dict | None:
    """A community or village committee's desk (None for others)."""
    scope = scope_for(user)
    paths = members.committee_paths(scope)
    if not paths:
        return None
    where = _where(paths)
    today = timezone.localdate(now)
    start, end = figures.bounds(today, today)
    sent = list(
        Notice.objects.filter(author=user, state=NoticeState.PUBLISHED)
        .annotate(
            delivered=Count("deliveries"),
            read=Count("deliveries", filter=Q(deliveries__read_at__isnull=False)),
        )
        .order_by("-publish_at")[:LISTED]
    )
    for notice in sent:
        notice.read_share = figures.ratio(notice.read, notice.delivered)
    patrols = Patrol.objects.filter(where, started_at__gte=start, started_at__lt=end)
    return {
        "escalated": RepairRequest.objects.filter(
            where, _open_cases(), escalated_at__isnull=False
        ).count(),
        "sent": sent,
        "volunteers_pending": Volunteer.objects.filter(where, state=VolunteerState.PENDING).count(),
        "patrols_today": patrols.count(),
        "patrols_walking": patrols.filter(state="walking").count(),
        "shops": Shop.objects.filter(where, enabled=True).count(),
        "redeemed_today": Redemption.objects.filter(
            where, created_at__gte=start, created_at__lt=end
        ).count(),
        "ceremonies_waiting": Ceremony.objects.filter(
            where, state=CeremonyState.REGISTERED
        ).count(),
    }


def company_desk(user) -> dict | None:
    """A property company's repairs (None for others)."""
    ids = company_ids(user)
    if not ids:
        return None
    repairs = RepairRequest.objects.filter(_open_cases(), company_id__in=ids)
    return {
        "open": repairs.count(),
        "overdue": repairs.filter(case__is_overdue=True).count(),
        "escalated": repairs.filter(escalated_at__isnull=False).count(),
        "latest": list(repairs.select_related("case", "estate").order_by("-created_at")[:LISTED]),
        "scores": list(
            CompanyScore.objects.filter(company_id__in=ids)
            .select_related("company")
            .order_by("-month")[: len(ids)]
        ),
    }


def oversight(user, now: dt.datetime) -> dict | None:
    """This month's headline figures for township, county and city staff."""
    scope = scope_for(user)
    if not scope.everything and not members.oversight_paths(scope):
        return None
    today = timezone.localdate(now)
    return figures.figures(user=user, start=today.replace(day=1), end=today)["total"]


def home(user, *, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    return {
        "resident": resident(user, now),
        "desk": desk(user, now),
        "company": company_desk(user),
        "oversight": oversight(user, now),
        "reads_figures": figures.may_read(user),
        "rooms": ROOMS,
    }
