"""A repair request's owner and deadlines: its estate's property company, on the company's
promised times (``ServicePromise``). Called by the case engine for every case; answers
None for every case that is not a repair, without a query."""

from __future__ import annotations

from gongzhi.cases.choices import Channel
from gongzhi.core.workdays import deadline


def _estate_id(case):
    if case.channel != Channel.REPAIR:
        return None
    found = (case.attributes or {}).get("estate")
    if found:
        return int(found)
    if case.pk is not None:
        from gongzhi.community.models import RepairRequest

        return (
            RepairRequest.objects.filter(case_id=case.pk)
            .values_list("estate_id", flat=True)
            .first()
        )
    return None


def _company_id(case):
    estate_id = _estate_id(case)
    if estate_id is None:
        return None
    from gongzhi.community.models import Estate

    return Estate.objects.filter(pk=estate_id).values_list("company_id", flat=True).first()


def owner(case):
    """The estate's property company, for a repair case; None otherwise."""
    company_id = _company_id(case)
    if company_id is None:
        return None
    from gongzhi.accounts.models import Organisation

    return Organisation.objects.filter(pk=company_id, is_active=True).first()


def promise_for(company_id, category_id):
    """The company's promise for the category (or the nearest category above it), else its
    default row."""
    from gongzhi.community.models import ServicePromise
    from gongzhi.taxonomy.models import Category

    rows = {
        p.category_id: p for p in ServicePromise.objects.filter(company_id=company_id, enabled=True)
    }
    if not rows:
        return None
    node = Category.objects.filter(pk=category_id).values_list("path", flat=True).first() or ""
    codes = [c for c in node.strip("/").split("/") if c]
    if codes:
        by_code = dict(Category.objects.filter(code__in=codes).values_list("code", "pk"))
        for code in reversed(codes):
            if by_code.get(code) in rows:
                return rows[by_code[code]]
    return rows.get(None)


def deadlines(case, *, start):
    """(sign_for_due, resolve_due) from the company's promise while the company has the
    case; None (the engine's own SLA) once it went elsewhere, e.g. escalated to the
    community, or when the company has no promise rows."""
    company_id = _company_id(case)
    if company_id is None:
        return None
    if case.owner_id is not None and case.owner_id != company_id:
        return None
    promise = promise_for(company_id, case.category_id)
    if promise is None:
        return None
    return (
        deadline(start, promise.respond_value, promise.respond_unit),
        deadline(start, promise.repair_value, promise.repair_unit),
    )
