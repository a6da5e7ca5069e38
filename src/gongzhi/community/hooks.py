"""How the community app plugs into the platform below it: where a repair case goes and by
when (``cases.workflow.routing``), and which platform events it listens to."""

from __future__ import annotations


def connect() -> None:
    from gongzhi.cases.workflow import routing

    from .repairs import routing as repair_routing

    routing.register(owner=repair_routing.owner, deadlines=repair_routing.deadlines)
