"""How the community app plugs into the platform below it: where a repair case goes and by
when (``cases.workflow.routing``), and which platform events it listens to."""

from __future__ import annotations


def connect() -> None:
    from gongzhi.cases import channels
    from gongzhi.cases.choices import Channel
    from gongzhi.cases.workflow import routing

    from .repairs import reference as repair_reference
    from .repairs import routing as repair_routing

    routing.register(owner=repair_routing.owner, deadlines=repair_routing.deadlines)
    # 报事报修's categories are for repair requests only (not 随手拍, the hotline or Open311).
    channels.reserve(repair_reference.ROOT_CODE, Channel.REPAIR)
