"""The reference rows routing reads, held per process.

Every report is routed through the same few thousand rows: units and the regions they
serve, routing rules, channel policies, SLA policies, acceptance and dispatch time limits,
categories, and the calendar days its deadlines are counted on. Reading them per report
cost some twenty queries (and parsing region boundaries nobody needed). They are
read once into a ``Table`` and reused while one cheap query, run at most once a second,
says none of them changed: an edit in the admin reaches every process within a second, and
the process that saved it at once (the save signals clear the table there).
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field

from django.db import connection

from gongzhi.accounts.models import Organisation
from gongzhi.cases.models import ChannelPolicy, RoutingRule
from gongzhi.core import holidays, workdays
from gongzhi.core.models import CalendarDay
from gongzhi.regions.models import Region
from gongzhi.taxonomy.models import Category, SlaPolicy, StageClock

URGENT_SLA_CODE = "urgent"
CHECK_EVERY = 1.0  # seconds between version checks


@dataclass
class CategoryRow:
    parent_id: int | None
    owner_id: int | None
    sla_id: int | None


@dataclass
class Table:
    version: tuple
    orgs: dict[int, Organisation] = field(default_factory=dict)
    serving: dict[str, list[int]] = field(default_factory=dict)  # region code → active units
    org_regions: dict[int, list[str]] = field(default_factory=dict)  # unit → region paths
    region_level: dict[str, str] = field(default_factory=dict)
    region_id: dict[str, int] = field(default_factory=dict)  # region code → primary key
    rules: dict[str, RoutingRule] = field(default_factory=dict)  # category code → rule
    policies: dict[str, ChannelPolicy] = field(default_factory=dict)
    slas: dict[int, SlaPolicy] = field(default_factory=dict)
    urgent: SlaPolicy | None = None
    clocks: list[StageClock] = field(default_factory=list)  # acceptance and dispatch limits
    categories: dict[int, CategoryRow] = field(default_factory=dict)
    enabled_by_code: dict[str, Category] = field(default_factory=dict)


_table: Table | None = None
_checked_at = 0.0


def _version_sql() -> str:
    parts = []
    for model in (
        Organisation,
        Category,
        SlaPolicy,
        StageClock,
        RoutingRule,
        ChannelPolicy,
        CalendarDay,
    ):
        t = connection.ops.quote_name(model._meta.db_table)
        parts += [f"(SELECT COUNT(*) FROM {t})", f"(SELECT MAX(updated_at) FROM {t})"]
    # Join rows and regions have no timestamps; their count and highest id tell a change.
    for model in (Organisation.regions.through, Region):
        t = connection.ops.quote_name(model._meta.db_table)
        parts += [f"(SELECT COUNT(*) FROM {t})", f"(SELECT MAX(id) FROM {t})"]
    return "SELECT " + ", ".join(parts)


def _version() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(_version_sql())
        return tuple(cursor.fetchone())


def table() -> Table:
    """The current reference rows (no query at all when checked within the last second)."""
    global _table, _checked_at
    now = time.monotonic()
    if _table is not None and now - _checked_at < CHECK_EVERY:
        return _table
    version = _version()
    if _table is None or _table.version != version:
        _table = _build(version)
    _checked_at = now
    return _table


def category_by_code(code: str) -> Category | None:
    """An enabled category by its code, as the API names it, or None. A copy: the caller
    may hang it on a case without touching the table's row."""
    found = table().enabled_by_code.get(code)
    return copy.copy(found) if found is not None else None


def clear(**_signal_kwargs) -> None:
    global _table
    _table = None
    workdays.use_calendar({})  # until the next table() installs the rows again


def connect_signals() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for model in (
        Organisation,
        Region,
        Category,
        SlaPolicy,
        StageClock,
        RoutingRule,
        ChannelPolicy,
        CalendarDay,
    ):
        post_save.connect(clear, sender=model, dispatch_uid=f"reference-save-{model.__name__}")
        post_delete.connect(clear, sender=model, dispatch_uid=f"reference-del-{model.__name__}")
    m2m_changed.connect(
        clear, sender=Organisation.regions.through, dispatch_uid="reference-org-regions"
    )


def _build(version: tuple) -> Table:
    t = Table(version=version)
    t.orgs = {o.pk: o for o in Organisation.objects.order_by("path", "pk")}
    for pk, code, level in Region.objects.values_list("pk", "code", "level"):
        t.region_level[code] = level
        t.region_id[code] = pk
    for org_id, code, path in Organisation.regions.through.objects.values_list(
        "organisation_id", "region__code", "region__path"
    ).order_by("organisation__path", "organisation_id"):
        t.org_regions.setdefault(org_id, []).append(path)
        if t.orgs[org_id].is_active:
            t.serving.setdefault(code, []).append(org_id)
    t.rules = {
        r.category.code: r
        for r in RoutingRule.objects.filter(enabled=True).select_related("category")
    }
    t.policies = {p.channel: p for p in ChannelPolicy.objects.all()}
    t.slas = {p.pk: p for p in SlaPolicy.objects.all()}
    t.urgent = next((p for p in t.slas.values() if p.code == URGENT_SLA_CODE and p.enabled), None)
    t.clocks = list(StageClock.objects.filter(enabled=True))
    categories = list(Category.objects.all())
    t.categories = {c.pk: CategoryRow(c.parent_id, c.owner_id, c.sla_id) for c in categories}
    t.enabled_by_code = {c.code: c for c in categories if c.enabled}
    # Deadlines are computed right after a table() call (routing.sla_for), so the calendar
    # they count on is as fresh as the rest.
    holidays.load()
    return t
