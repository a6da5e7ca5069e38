"""Intake dated by ``now=``: a report replayed from the past (a demo's history, an import)
is dated by it, and so are its first steps and the clocks they start."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.cases.choices import State
from gongzhi.cases.intake import services
from gongzhi.cases.models import Case
from gongzhi.cases.workflow import routing

pytestmark = pytest.mark.django_db


def _report(w, channel, **fields):
    lng, lat = w.point
    return services.Report(
        channel=channel,
        title="西关路口井盖丢失",
        category_id=w.manhole.pk,
        lng=lng,
        lat=lat,
        **fields,
    )


def test_a_report_made_with_now_is_dated_by_it_and_its_acceptance_clock_starts_then(world):
    then = timezone.now().replace(microsecond=0) - timedelta(days=10, hours=3)
    case, created = services.do_report(
        report=_report(world, "quick_report"), reporter=world.resident, now=then
    )
    assert created
    case = Case.objects.get(pk=case.pk)  # as stored
    assert case.state == State.REPORTED
    assert case.created_at == then
    assert case.accept_due == routing.stage_due(case, "accept", start=then)
    assert case.accept_due < timezone.now() - timedelta(days=5)
    assert [e.at for e in case.events.all()] == [then]


def test_a_call_made_with_now_is_accepted_at_that_time(world):
    then = timezone.now().replace(microsecond=0) - timedelta(days=3)
    case, _created = services.do_report(
        report=_report(world, "hotline", reporter_phone="13900001111"),
        entered_by=world.operator,
        now=then,
    )
    case = Case.objects.get(pk=case.pk)
    assert case.created_at == then
    events = list(case.events.order_by("id"))
    assert [e.action for e in events][:2] == ["report", "accept"]
    assert {e.at for e in events} == {then}
    assert case.accepted_at == then
    if case.dispatch_due is not None:  # the hotline's dispatch clock, from the acceptance
        assert case.dispatch_due == routing.stage_due(case, "dispatch", start=then)


def test_without_now_a_report_is_dated_the_present(world):
    before = timezone.now()
    case, _created = services.do_report(
        report=_report(world, "quick_report"), reporter=world.resident
    )
    case = Case.objects.get(pk=case.pk)
    assert before <= case.created_at <= timezone.now()
    assert before <= case.events.get().at <= timezone.now()
