"""The lists of applications the pages and the API show, each from ``visible_to``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from gongzhi.core.scope import scope_for

from ..models.aid import AidMatterType, Application
from ..staff import aid_director_paths, aid_reviewer_paths, justice_bureau_paths
from .choices import State

RELATED = ("matter_type", "region", "lawyer")


@dataclass
class Filters:
    state: list[str] | None = None
    matter_type: str | None = None  # code
    region_path: str | None = None  # places within it
    urgent: bool | None = None
    overdue: bool | None = None
    q: str | None = None  # part of the number
    ordering: str = "newest"  # newest, oldest, due


def filtered(qs, f: Filters | None):
    if f is None:
        return qs
    if f.state:
        qs = qs.filter(state__in=f.state)
    if f.matter_type:
        qs = qs.filter(matter_type__code=f.matter_type)
    if f.region_path:
        qs = qs.filter(region_path__startswith=f.region_path)
    if f.urgent is not None:
        qs = qs.filter(urgent=f.urgent)
    if f.overdue is not None:
        qs = qs.filter(overdue=f.overdue)
    if f.q:
        qs = qs.filter(number__icontains=f.q.strip())
    order = {
        "newest": ["-received_at", "-id"],
        "oldest": ["received_at", "id"],
        "due": ["decision_due", "id"],
    }.get(f.ordering, ["-received_at", "-id"])
    return qs.order_by(*order)


def visible(user, f: Filters | None = None):
    """Every application the user may see (the API's list)."""
    return filtered(Application.objects.visible_to(user).select_related(*RELATED), f)


def mine(user, f: Filters | None = None):
    """The applicant's own (applied themselves or entered for them by this user)."""
    qs = Application.objects.visible_to(user).filter(Q(applicant=user) | Q(entered_by=user))
    return filtered(qs.select_related(*RELATED), f)


def desk(user, f: Filters | None = None):
    """The 法律援助中心's desk: the county's applications (undecided first by due date by
    default in the page; pass ``Filters(state=[...])``)."""
    paths = aid_reviewer_paths(scope_for(user))
    if not paths and not scope_for(user).everything:
        return Application.objects.none()
    qs = Application.objects.visible_to(user)
    if not scope_for(user).everything:
        cond = Q(pk__in=[])
        for p in paths:
            cond |= Q(region_path__startswith=p)
        qs = qs.filter(cond)
    return filtered(qs.select_related(*RELATED), f)


def to_decide(user):
    """The director's queue: undecided, by decision due date (paused ones last)."""
    return (
        desk(user)
        .filter(state__in=[State.SUBMITTED, State.UNDER_REVIEW, State.AWAITING_DOCUMENTS])
        .order_by("decision_due", "id")
    )


def to_assign(user):
    """Granted and waiting for a lawyer, by assign due date."""
    if not aid_director_paths(scope_for(user)) and not scope_for(user).everything:
        return Application.objects.none()
    return desk(user).filter(state=State.GRANTED).order_by("assign_due", "id")


def lawyer_cases(user, f: Filters | None = None):
    """The lawyer's assigned cases."""
    qs = Application.objects.visible_to(user).filter(lawyer=user)
    return filtered(qs.select_related(*RELATED), f)


def objections(user, f: Filters | None = None):
    """The 司法局's: refused and objected applications of its county (objected first)."""
    paths = justice_bureau_paths(scope_for(user))
    if not paths and not scope_for(user).everything:
        return Application.objects.none()
    qs = Application.objects.visible_to(user).filter(
        Q(state__in=[State.OBJECTED, State.REFUSED]) | Q(objected_at__isnull=False)
    )
    if not scope_for(user).everything:
        cond = Q(pk__in=[])
        for p in paths:
            cond |= Q(region_path__startswith=p)
        qs = qs.filter(cond)
    if f is None:
        return qs.select_related(*RELATED).order_by("objection_due", "-id")
    return filtered(qs.select_related(*RELATED), f)


def counts_by_state(qs) -> dict[str, int]:
    return dict(qs.order_by().values_list("state").annotate(n=Count("id")))


def matter_types():
    return AidMatterType.objects.filter(enabled=True).order_by("order", "code")


def timeline(application, *, public_only: bool = False):
    events = application.events.select_related("actor").order_by("at", "id")
    return events.filter(is_public=True) if public_only else events


def failed_mediations(user, *, days: int = 90, limit: int = 10):
    """Disputes the user sees whose mediation failed in the last ``days`` and that no
    application follows yet: where a failed mediation leads to legal aid. Only for those
    who enter applications for others (the centre, the units running service points)."""
    from datetime import timedelta

    from django.utils import timezone

    from gongzhi.mediation.choices import State as DisputeState
    from gongzhi.mediation.models import Dispute

    from .forms import may_enter_for_others

    if not may_enter_for_others(user):
        return []
    since = timezone.now() - timedelta(days=days)
    return list(
        Dispute.objects.visible_to(user)
        .filter(state=DisputeState.FAILED, concluded_at__gte=since, aid_applications=None)
        .select_related("type")
        .order_by("-concluded_at", "-id")[:limit]
    )
