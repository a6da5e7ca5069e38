"""Triage in the JSON API (mounted at /api/v1/triage by ``gongzhi.api``).

POST /triage/classify                   predicted categories of a text, with confidences
GET  /triage/hotspots                   hotspots over the caller's cases (region, period)
GET  /triage/queue                      cases waiting for a dispatcher's category
POST /triage/cases/{number}/category    confirm or change a case's category (a label)
GET  /triage/cases/{number}/similar     open cases that may report the same problem
POST /triage/locate                     the region and grid a text names

Thin: parse, call one service in ``cases.triage_hooks`` or ``gongzhi.triage``, shape.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from gongzhi.cases.models import Case
from gongzhi.cases.triage import hooks as triage_hooks
from gongzhi.core.api import Day, ErrorOut
from gongzhi.core.errors import NotFound, ServiceError
from gongzhi.regions.models import Region
from gongzhi.triage import services as triage

router = Router(tags=["triage"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class TextIn(Schema):
    title: str = Field("", max_length=200)
    text: str = Field("", max_length=5000)


class Level(Schema):
    label: str
    confidence: float


class PredictionOut(Schema):
    label: str = Field(description="category codes from the first level down, '/'-separated")
    confidence: float = Field(description="calibrated probability of the whole path")
    category: str | None = Field(None, description="the category's full name, if it exists")
    levels: list[Level]
    words: list[str] = Field(
        [], description="the report's words that weighed most for this category"
    )


class ClassifyOut(Schema):
    model_version: str
    threshold: float = Field(description="below this confidence a report waits for a dispatcher")
    coverage_target: float | None = Field(
        None,
        description="the policy's share routed automatically, which ``threshold`` achieves "
        "on the model's held-out folds (None: the model has no such measurement)",
    )
    needs_review: bool
    predictions: list[PredictionOut]


def _visible_case(user, number: str) -> Case:
    case = Case.objects.visible_to(user).filter(number=number).first()
    if case is None:
        raise NotFound("case_not_found", _("The case does not exist."))
    return case


@router.post("/classify", response={200: ClassifyOut, **ERRORS})
def classify(request, payload: TextIn):
    if len((payload.title + payload.text).strip()) < 2:
        raise ServiceError("required", _("Please describe the problem."), "text")
    result = triage.classify(payload.title, payload.text)
    if result is None:
        raise ServiceError("no_model", _("No triage model is trained yet."))
    for p in result["predictions"]:
        category = triage_hooks.category_for_label(p["label"])
        p["category"] = category.full_name if category else None
    return result


class CaseRef(Schema):
    number: str
    title: str
    state: str
    lng: float | None = Field(None, description="the case's point, WGS84 (None: no pin)")
    lat: float | None = None


class HotspotOut(Schema):
    label: str
    place: str
    problem: str
    heat: float
    reports: int
    reporters: int
    first: dt.datetime | None
    last: dt.datetime | None
    growth: float
    keywords: list[str]
    point: list[float] | None = Field(
        None,
        description="[lng, lat] (WGS84) where the map draws it: the mean of its cases' "
        "points; None when none of its cases has one",
    )
    cases: list[CaseRef]


class HotspotsOut(Schema):
    start: dt.datetime
    end: dt.datetime
    region: str | None
    hotspots: list[HotspotOut]


@router.get("/hotspots", response={200: HotspotsOut, **ERRORS}, url_name="triage_hotspots")
def hotspots(
    request,
    region: str | None = None,
    start: Day | None = None,
    end: Day | None = None,
    top: int = Query(10, ge=1, le=50),
):
    """Hotspots among the cases the caller may see; ``region`` is a region code."""
    found_region = None
    if region:
        found_region = Region.objects.visible_to(request.user).filter(code=region).first()
        if found_region is None:
            raise ServiceError(
                "unknown_region", _("There is no such region in your scope."), "region"
            )
    tz = timezone.get_current_timezone()
    start_at = dt.datetime.combine(start, dt.time.min, tz) if start else None
    end_at = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tz) if end else None
    if start_at and not end_at:
        end_at = timezone.now()
    s, e, spots = triage_hooks.case_hotspots(
        viewer=request.user, region=found_region, start=start_at, end=end_at, top=top
    )
    for h in spots:
        h["cases"] = [
            {"number": c.number, "title": c.title, "state": c.state, "lng": c.lng, "lat": c.lat}
            for c in h["cases"]
        ]
    return {"start": s, "end": e, "region": region, "hotspots": spots}


class QueueRow(Schema):
    number: str
    title: str
    category: str
    reason: str
    predictions: list[dict]


@router.get("/queue", response={200: list[QueueRow], **ERRORS})
def queue(request):
    return [
        {
            "number": r["case"].number,
            "title": r["case"].title,
            "category": r["case"].category.code,
            "reason": r["assessment"].reason if r["assessment"] else "",
            "predictions": [
                {
                    "category": p["category"].code,
                    "confidence": p["confidence"],
                    "words": p["words"],
                }
                for p in r["predictions"]
            ],
        }
        for r in triage_hooks.queue(request.user)
    ]


class CategoryIn(Schema):
    category: str = Field(description="the category's code")


class CategoryOut(Schema):
    number: str
    category: str


@router.post("/cases/{number}/category", response={200: CategoryOut, **ERRORS})
def set_category(request, number: str, payload: CategoryIn):
    case = _visible_case(request.user, number)
    category = triage_hooks.Category.objects.filter(code=payload.category, enabled=True).first()
    if category is None:
        raise ServiceError("unknown_category", _("There is no such category."), "category")
    case = triage_hooks.do_decide(case=case, category_id=category.pk, actor=request.user)
    return {"number": case.number, "category": case.category.code}


class SimilarOut(Schema):
    number: str
    title: str
    score: float = Field(..., description="chance (0–1) that the two report one problem")
    text_similarity: float
    distance_m: float | None
    hours_apart: float | None
    days_apart: float | None
    same_category: bool | None
    shared_words: list[str] = Field(..., description="rarest words both texts use")
    shared_places: list[str] = Field(..., description="places both name")


@router.get("/cases/{number}/similar", response={200: list[SimilarOut], **ERRORS})
def similar(request, number: str):
    case = _visible_case(request.user, number)
    rows = triage_hooks.similar_open_cases(case=case, viewer=request.user)
    return [
        {**{k: v for k, v in r.items() if k != "case"}, "number": r["id"], "title": r["case"].title}
        for r in rows
    ]


class LocateIn(Schema):
    text: str = Field(..., min_length=2, max_length=2000)


class LocateOut(Schema):
    places: list[str]
    location: dict | None


@router.post("/locate", response={200: LocateOut, **ERRORS})
def locate(request, payload: LocateIn):
    from gongzhi.triage import places

    return {
        "places": places.extract_places(payload.text),
        "location": triage_hooks.locate_text(payload.text),
    }
