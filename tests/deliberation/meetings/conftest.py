"""The meetings' test helpers on the shared ``hall`` world: a meeting of 大古城村 called
twenty days ago for a few minutes ago, its notice sent then, so that it can open now."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.deliberation.meetings import services


class Meetings:
    def __init__(self, w):
        self.w = w

    def call(
        self,
        kind="village_assembly",
        *,
        region=None,
        title="修村道议事",
        items=1,
        notice=True,
        starts_in=dt.timedelta(minutes=-5),
        by=None,
    ):
        w = self.w
        now = timezone.now()
        past = now - dt.timedelta(days=20)
        meeting = services.do_schedule(
            actor=by or w.clerk,
            region=region or w.village,
            kind=kind,
            title=title,
            place="村委会议室",
            starts_at=now + starts_in,
            now=past,
        )
        for n in range(items):
            services.do_add_item(meeting=meeting, actor=by or w.clerk, title=f"议题{n + 1}")
        if notice:
            meeting = services.do_send_notice(actor=by or w.clerk, meeting=meeting, now=past)
        return meeting

    def sitting(self, kind="village_assembly", *, present=(), **kwargs):
        """Opened now, with these residents signed in by the clerk."""
        by = kwargs.get("by") or self.w.clerk
        meeting = self.call(kind, **kwargs)
        meeting = services.do_open(actor=by, meeting=meeting)
        for resident in present:
            services.do_sign_in(actor=by, meeting=meeting, resident=resident)
        meeting.refresh_from_db()
        return meeting

    def adults(self):
        """The village's 24 adults: heads and spouses."""
        from gongzhi.people.models import Resident

        return list(
            Resident.objects.filter(
                region=self.w.village, relation__in=["head", "spouse"]
            ).order_by("id")
        )

    def voting(self, kind="village_assembly", *, present=None, **kwargs):
        present = self.adults()[:13] if present is None else present
        meeting = self.sitting(kind, present=present, **kwargs)
        return services.do_open_voting(actor=kwargs.get("by") or self.w.clerk, meeting=meeting)


@pytest.fixture
def meet(hall):
    hall.meet = Meetings(hall)
    return hall.meet
