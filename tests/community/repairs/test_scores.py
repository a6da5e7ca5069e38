"""Monthly scores: counts, complaints from the case queue, the formula and the rank."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.accounts.models import OrganisationKind
from gongzhi.cases.choices import Channel
from gongzhi.cases.intake.services import Report, do_report
from gongzhi.cases.models import Callback, Case
from gongzhi.community import jobs
from gongzhi.community.models import CompanyScore, ComplaintCategory, Estate
from gongzhi.community.repairs import queries, services
from gongzhi.taxonomy.models import Category
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_score_formula():
    assert services.score_of(
        repairs=0, responded=0, finished=0, rated=0, satisfied=0, complaints=0
    ) == Decimal("100.0")
    # 3 of 4 timely steps, 1 of 2 satisfied, 1 complaint in 2 repairs (50 per 100 → 0)
    assert services.score_of(
        repairs=2, responded=2, finished=1, rated=2, satisfied=1, complaints=1
    ) == Decimal("50.0")
    # 10 repairs all on time, all satisfied, 1 complaint (10 per 100 → half of 20)
    assert services.score_of(
        repairs=10, responded=10, finished=10, rated=10, satisfied=10, complaints=1
    ) == Decimal("90.0")


def complaint(w, *, point=None, text="物业不作为", category=None):
    category = category or Category.objects.get(name="物业服务")
    lng, lat = point or (None, None)
    return do_report(
        report=Report(
            channel=Channel.HOTLINE,
            description=text,
            category=category,
            lng=lng,
            lat=lat,
            address="" if point else "乐都区某处",
            reporter_phone="13900001234",
        )
    )[0]


def test_month_table(repairs):
    w = repairs
    assert ComplaintCategory.objects.filter(category__name="物业服务").exists()
    assert ComplaintCategory.objects.filter(category__name="物业纠纷").exists()
    other = OrganisationFactory(
        code="PM-OTHER",
        name="别家物业",
        kind=OrganisationKind.PROPERTY_COMPANY,
        regions=[w.regions.xiguan],
    )
    Estate.objects.create(
        region=w.regions.xiguan, name="东门小区", lng=102.415, lat=36.475, company=other
    )
    r1 = services.do_request(user=w.resident_a, category_id=w.water.pk, description="水管漏水了")
    r2 = services.do_request(user=w.resident_b, category_id=w.lift.pk, description="电梯坏了啊")
    Case.objects.filter(pk=r1.case_id).update(sign_for_met=True, resolve_met=True)
    Case.objects.filter(pk=r2.case_id).update(sign_for_met=True, resolve_met=False)
    Callback.objects.create(case_id=r1.case_id, resolved=True, satisfaction="satisfied")
    Callback.objects.create(case_id=r2.case_id, resolved=False, satisfaction="unsatisfied")
    complaint(w, point=(102.4052, 36.4701))  # ~20 m from 西关花园
    complaint(w, text="西关花园的物业收费不合理")  # names it, no point
    complaint(w, text="别的地方")  # neither: counts for no one
    complaint(w, point=(102.4052, 36.4701), category=w.manhole)  # not a complaint category
    month = timezone.localdate().replace(day=1)
    services.do_score_month(month=month)
    mine = CompanyScore.objects.get(company=w.company, month=month)
    assert (mine.repairs, mine.responded_in_time, mine.finished_in_time) == (2, 2, 1)
    assert (mine.rated, mine.satisfied, mine.complaints) == (2, 1, 2)
    assert mine.score == Decimal("50.0") and mine.rank == 2
    theirs = CompanyScore.objects.get(company=other, month=month)
    assert theirs.repairs == 0 and theirs.score == Decimal("100.0") and theirs.rank == 1
    # computing again changes nothing; the company sees only its own estate's repairs
    services.do_score_month(month=month)
    assert CompanyScore.objects.filter(month=month).count() == 2
    assert list(queries.ranking(w.resident_a, month).values_list("company", flat=True)) == [
        other.pk,
        w.company.pk,
    ]


def test_tick_scores_last_and_this_month(repairs):
    now = timezone.now()
    done = jobs.tick(now=now)["repairs"]
    assert done == {"escalated": 0, "scored": 2}
    months = set(CompanyScore.objects.values_list("month", flat=True))
    this = timezone.localdate().replace(day=1)
    assert months == {this, (this - dt.timedelta(days=1)).replace(day=1)}
