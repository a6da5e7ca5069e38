"""The surveys part of the JSON API (mounted at /api/v1/surveys by ``gongzhi.api``).

GET  /surveys/waves                     the waves the caller sees (pages)
GET  /surveys/results?region=&wave=&start=&end=   ``figures.results`` for a region
GET  /surveys/calls                     the caller's calling list (open members, masked)
POST /surveys/members/{id}/calls        record a call's outcome (``services.do_record_call``)

Reads start from ``visible_to``: a wave or member outside it is "not found". Phones are
masked; errors have the one shape (``ErrorOut``) and bad input changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from gongzhi.core.api import Day, ErrorOut, Pages
from gongzhi.core.db import MAX_ID
from gongzhi.core.errors import NotFound, ServiceError
from gongzhi.regions.models import Region

from . import figures, queries, services
from .choices import Outcome
from .models import SampleMember

router = Router(tags=["surveys"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
OutcomeName = Literal[tuple(Outcome.values)]  # type: ignore[valid-type]


class SurveyWaveOut(Schema):
    id: int
    name: str
    region: str = Field(..., description="the surveyed region's code")
    region_name: str
    questionnaire: str
    start: dt.date
    end: dt.date
    state: str
    allocation: str
    per_township: int


class SurveyPlaceOut(Schema):
    code: str
    name: str
    level: str


class SurveyMeasureOut(Schema):
    mean: float = Field(..., description="mean score, 0–100, weighted by township population")
    low: float = Field(..., description="95 % confidence interval, low end")
    high: float
    positive: float = Field(..., description="% positive answers")
    positive_low: float
    positive_high: float
    n: int = Field(..., description="respondents")
    coverage: float = Field(..., description="population share of the strata that answered")


class SurveyMeasuresOut(Schema):
    safety: SurveyMeasureOut | None = None
    satisfaction: SurveyMeasureOut | None = None


class SurveyResponseRateOut(Schema):
    sample: int
    contacted: int
    completed: int
    by_link: int
    rate: float | None = Field(None, description="% completed of contacted (AAPOR RR1-like)")


class SurveyWaveRefOut(Schema):
    id: int
    name: str
    start: str
    end: str
    state: str


class SurveyAreaOut(SurveyPlaceOut):
    measures: SurveyMeasuresOut
    response: SurveyResponseRateOut


class SurveyResultsOut(Schema):
    region: SurveyPlaceOut
    wave: SurveyWaveRefOut | None = None
    measures: SurveyMeasuresOut
    response: SurveyResponseRateOut
    areas: list[SurveyAreaOut]
    method: str


class SurveyResultsQuery(Schema):
    region: str = Field(..., min_length=1, max_length=12, description="a region's code")
    wave: Id | None = None
    start: Day | None = None
    end: Day | None = None


class SurveyMemberOut(Schema):
    id: int
    wave: int
    township: str
    phone: str = Field(..., description="masked")
    state: str
    attempts: int
    max_attempts: int
    callback_at: dt.datetime | None = None


class SurveyCallIn(Schema):
    outcome: OutcomeName
    answers: dict[str, int] = Field(
        default_factory=dict, description="{question id: scale option id}, when answered"
    )
    callback_at: dt.datetime | None = Field(None, description="when the outcome is call_back")


def _wave_out(wave) -> dict:
    return {
        "id": wave.pk,
        "name": wave.name,
        "region": wave.region.code,
        "region_name": wave.region.name,
        "questionnaire": wave.questionnaire.name,
        "start": wave.start,
        "end": wave.end,
        "state": wave.state,
        "allocation": wave.allocation,
        "per_township": wave.per_township,
    }


def _member_out(member) -> dict:
    return {
        "id": member.pk,
        "wave": member.wave_id,
        "township": member.region.code,
        "phone": member.masked_phone,
        "state": member.state,
        "attempts": member.attempts,
        "max_attempts": member.wave.max_attempts,
        "callback_at": member.callback_at,
    }


@router.get("/waves", response={200: list[SurveyWaveOut], **ERRORS}, operation_id="survey_waves")
@paginate(Pages)
def list_waves(request):
    return [_wave_out(w) for w in queries.waves(request.user).order_by("-start", "-id")]


@router.get("/results", response={200: SurveyResultsOut, **ERRORS}, operation_id="survey_results")
def results(request, params: Query[SurveyResultsQuery]):
    region = Region.objects.filter(code=params.region.strip()).first()
    if region is None:
        raise NotFound("unknown_region", _("There is no region with this code."), "region")
    wave = None
    if params.wave is not None:
        wave = queries.waves(request.user).filter(pk=params.wave).first()
        if wave is None:
            raise NotFound("not_found", _("There is no such wave."), "wave")
    if params.start and params.end and params.end < params.start:
        raise ServiceError("period", _("The period must end on or after its start."), "end")
    return figures.results(
        viewer=request.user, region=region, wave=wave, start=params.start, end=params.end
    )


@router.get("/calls", response={200: list[SurveyMemberOut], **ERRORS}, operation_id="survey_calls")
@paginate(Pages)
def calling_list(request):
    return [_member_out(m) for m in queries.calling_list(request.user)]


@router.post(
    "/members/{member_id}/calls",
    response={200: SurveyMemberOut, **ERRORS, 409: ErrorOut},
    operation_id="survey_record_call",
)
def record_call(request, member_id: Id, payload: SurveyCallIn):
    member = get_object_or_404(
        SampleMember.objects.visible_to(request.user).select_related("wave"), pk=member_id
    )
    member = services.do_record_call(
        user=request.user,
        member=member,
        outcome=payload.outcome,
        answers={str(k): v for k, v in payload.answers.items()},
        callback_at=payload.callback_at,
    )
    member = SampleMember.objects.select_related("wave", "region").get(pk=member.pk)
    return _member_out(member)
