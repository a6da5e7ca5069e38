"""The reference data the taxonomy ships with, and the idempotent loader that seeds it.

* ``data/taxonomy.csv`` — the 3-level scheme of a provincial "问政" platform (2020 Teddy Cup
  data): 15 first-level, 103 second-level and 390 third-level labels (118 and 517 nodes).
  Codes follow the order of the file: ``T01``, ``T01.03``, ``T01.03.002``.
* ``data/governance.csv`` — what a 综治中心 handles day to day (市容环境, 道路与井盖,
  治安隐患, 矛盾纠纷, 安全生产, 公共设施, 特殊人群服务, 政策咨询), two levels, with search
  keywords and SLA overrides: ``G01``, ``G01.02``. Pollution is left to the file's 环境保护
  so that there are not two "environment" trees.
* ``SLA_POLICIES`` — 紧急 / 一般 / 复杂 / 咨询.

``seed(Category, SlaPolicy)`` takes the model classes so that a data migration can pass its
historical models. It only *adds* what is missing (by code, or by name under the same
parent) and never changes a row an administrator may have edited; run it again from a new
migration after extending the data.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
SEPARATOR = " / "  # as Category.full_name

SLA_POLICIES = [
    # code, name, sign for (value, unit), resolve (value, unit), order
    ("urgent", "紧急", (20, "minutes"), (2, "hours"), 10),
    ("general", "一般", (2, "hours"), (5, "workdays"), 20),
    ("complex", "复杂", (4, "hours"), (15, "workdays"), 30),
    ("consultation", "咨询", (1, "hours"), (1, "workdays"), 40),
]
DEFAULT_SLA = "general"

STAGE_CLOCKS = [
    # stage, channel ("" any), urgency ("" any), value, unit: how long the command centre
    # has to accept a report, and to dispatch it once accepted.
    ("accept", "", "", 2, "workhours"),
    ("accept", "", "urgent", 30, "minutes"),
    ("dispatch", "", "", 2, "workhours"),
    ("dispatch", "", "urgent", 30, "minutes"),
]


def seed_stage_clocks(StageClock) -> int:
    """Add the shipped acceptance and dispatch time limits that are missing; returns how
    many were added (rows an administrator edited are left as they are)."""
    added = 0
    for stage, channel, urgency, value, unit in STAGE_CLOCKS:
        _row, created = StageClock.objects.get_or_create(
            stage=stage, channel=channel, urgency=urgency, defaults={"value": value, "unit": unit}
        )
        added += created
    return added


# SLA overrides inside the file's scheme, by full name.
TEDDY_SLA = {
    "纪检监察": "complex",
    "城乡建设 / 城市建设和市政管理 / 燃气供应": "urgent",
    "城乡建设 / 国有土地上房屋征收与补偿": "complex",
    "城乡建设 / 集体土地上房屋拆迁与补偿": "complex",
    "国土资源 / 土地资源管理 / 土地权属纠纷": "complex",
    "卫生计生 / 公共卫生 / 突发公共卫生事件处理": "urgent",
    "卫生计生 / 医患纠纷": "complex",
    "劳动和社会保障 / 劳动关系": "complex",
    "政法 / 社会治安 / 消防安全": "urgent",
    "政法 / 行政复议": "complex",
    "政法 / 仲裁与调解": "complex",
}

PALETTE = [
    "#2563eb",
    "#16a34a",
    "#dc2626",
    "#9333ea",
    "#ea580c",
    "#0891b2",
    "#ca8a04",
    "#db2777",
    "#4f46e5",
    "#059669",
    "#b91c1c",
    "#7c3aed",
    "#c2410c",
    "#0e7490",
    "#a16207",
    "#be185d",
    "#1d4ed8",
    "#15803d",
    "#e11d48",
    "#6d28d9",
    "#d97706",
    "#0f766e",
    "#475569",
]


@dataclass
class Node:
    code: str
    name: str
    parent_code: str | None
    keywords: str = ""
    sla: str | None = None
    color: str = PALETTE[0]
    order: int = 100


def _read(name: str) -> list[list[str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return [[cell.strip() for cell in row] for row in rows[1:] if any(row)]


def teddy_nodes() -> list[Node]:
    nodes: dict[tuple[str, ...], Node] = {}
    counters: dict[tuple[str, ...], int] = {}
    for row in _read("taxonomy.csv"):
        names = tuple(n for n in row[:3] if n)
        for depth in range(1, len(names) + 1):
            key = names[:depth]
            if key in nodes:
                continue
            parent_key = key[:-1]
            counters[parent_key] = counters.get(parent_key, 0) + 1
            index = counters[parent_key]
            if depth == 1:
                code, parent_code = f"T{index:02d}", None
                color = PALETTE[(index - 1) % len(PALETTE)]
            else:
                parent = nodes[parent_key]
                width = 2 if depth == 2 else 3
                code, parent_code, color = (
                    f"{parent.code}.{index:0{width}d}",
                    parent.code,
                    parent.color,
                )
            nodes[key] = Node(
                code=code,
                name=key[-1],
                parent_code=parent_code,
                sla=TEDDY_SLA.get(SEPARATOR.join(key), DEFAULT_SLA if depth == 1 else None),
                color=color,
                order=index * 10,
            )
    return list(nodes.values())


def governance_nodes() -> list[Node]:
    nodes: dict[tuple[str, ...], Node] = {}
    counters: dict[tuple[str, ...], int] = {}
    offset = 15  # colours after the T scheme's
    for first, second, keywords, sla in _read("governance.csv"):
        key = (first, second) if second else (first,)
        if key in nodes:
            raise ValueError(f"governance.csv: {' / '.join(key)} appears twice")
        parent_key = key[:-1]
        counters[parent_key] = counters.get(parent_key, 0) + 1
        index = counters[parent_key]
        if len(key) == 1:
            code, parent_code = f"G{index:02d}", None
            color = PALETTE[(offset + index - 1) % len(PALETTE)]
        else:
            parent = nodes[parent_key]
            code, parent_code, color = f"{parent.code}.{index:02d}", parent.code, parent.color
        nodes[key] = Node(
            code=code,
            name=key[-1],
            parent_code=parent_code,
            keywords=keywords,
            sla=sla or None,
            color=color,
            order=index * 10,
        )
    return list(nodes.values())


def all_nodes() -> list[Node]:
    return governance_nodes() + teddy_nodes()


def seed(Category, SlaPolicy) -> dict[str, int]:
    """Add the SLA policies and categories that are missing. Returns counts created."""
    policies = {p.code: p for p in SlaPolicy.objects.all()}
    new_policies = [
        SlaPolicy(
            code=code,
            name=name,
            sign_for_value=sign[0],
            sign_for_unit=sign[1],
            resolve_value=resolve[0],
            resolve_unit=resolve[1],
            order=order,
        )
        for code, name, sign, resolve, order in SLA_POLICIES
        if code not in policies
    ]
    for policy in new_policies:
        policy.save()
        policies[policy.code] = policy

    by_code = {c.code: c for c in Category.objects.all()}
    taken = {(c.parent_id, c.name) for c in by_code.values()}
    created = 0
    nodes = all_nodes()
    for depth in (1, 2, 3):
        batch = []
        for node in nodes:
            if node.code in by_code or node.code.count(".") != depth - 1:
                continue
            parent = by_code.get(node.parent_code) if node.parent_code else None
            if node.parent_code and parent is None:
                continue  # the parent was removed on purpose: leave its subtree out
            parent_id = parent.pk if parent else None
            if (parent_id, node.name) in taken:
                continue  # an administrator already made this category under another code
            sla = policies.get(node.sla) if node.sla else None
            batch.append(
                Category(
                    code=node.code,
                    name=node.name,
                    parent=parent,
                    level=depth,
                    path=(parent.path if parent else "/") + f"{node.code}/",
                    full_name=(parent.full_name + SEPARATOR if parent else "") + node.name,
                    sla=sla,
                    keywords=node.keywords,
                    color=node.color,
                    order=node.order,
                )
            )
            taken.add((parent_id, node.name))
        Category.objects.bulk_create(batch)
        if batch and batch[0].pk is None:  # a backend that does not return ids
            fresh = Category.objects.filter(code__in=[c.code for c in batch])
            batch = list(fresh)
        for category in batch:
            by_code[category.code] = category
        created += len(batch)
    return {"sla_policies": len(new_policies), "categories": created}
