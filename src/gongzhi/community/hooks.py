"""How the community app plugs into the platform below it: where a repair case goes and by
when (``cases.workflow.routing``), and which platform events it listens to (a household's
attendance at a meeting of the deliberation hall earns it points: ``people.signals``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gongzhi.people import signals


def connect() -> None:
    from gongzhi.cases import channels
    from gongzhi.cases.choices import Channel
    from gongzhi.cases.workflow import routing

    from .repairs import reference as repair_reference
    from .repairs import routing as repair_routing

    routing.register(owner=repair_routing.owner, deadlines=repair_routing.deadlines)
    # 报事报修's categories are for repair requests only (not 随手拍, the hotline or Open311).
    channels.reserve(repair_reference.ROOT_CODE, Channel.REPAIR)
    signals.meeting_attended.connect(_meeting_attended, dispatch_uid="community_meeting_points")
    signals.meeting_attendance_withdrawn.connect(
        _attendance_withdrawn, dispatch_uid="community_meeting_points_withdrawn"
    )


def _meeting_attended(sender, *, household_id, meeting, title, on, when=None, **kwargs):
    from .points import services

    services.do_award_meeting(
        household_id=household_id, meeting=meeting, title=title, on=on, when=when
    )


def _attendance_withdrawn(sender, *, household_id, meeting, reason="", when=None, **kwargs):
    from .points import services

    services.do_withdraw_award(
        source=services.meeting_source(meeting, household_id),
        reason=reason or _("the sign-in at the meeting was undone"),
        now=when,
    )
