"""The figures room's JSON API: ``GET /api/v1/legal/figures`` (the same numbers as the page
and the Excel download, for the viewer's area)."""

from __future__ import annotations

from ninja import Router, Schema

from gongzhi.core.api import ERRORS, Day

from . import queries

router = Router(tags=["legal"])


class LegalFigureRow(Schema):
    key: str
    label: str
    code: str
    applications: int
    decided: int
    decided_in_time: int
    decided_in_time_share: float | None
    granted: int
    refused: int
    avg_workdays_to_decision: float | None
    assigned: int
    avg_workdays_to_assignment: float | None
    rated: int
    avg_rating: float | None
    questions: int
    answered: int
    answered_in_time: int
    answered_in_time_share: float | None
    questions_rated: int
    avg_question_rating: float | None


class LegalFiguresOut(Schema):
    region: str | None
    start: Day
    end: Day
    has_questions: bool
    has_question_ratings: bool
    total: LegalFigureRow
    places: list[LegalFigureRow]
    types: list[LegalFigureRow]


@router.get("/figures", response={200: LegalFiguresOut, **ERRORS}, summary="Legal service figures")
def figures(request, region: str | None = None, start: Day | None = None, end: Day | None = None):
    """Applications, decisions in time, granted and refused by type, working days to
    decision and assignment, questions answered in time and satisfaction, for ``region``
    (a code in the viewer's area; default their whole area) and the period."""
    found = queries.find_region(request.user, region)
    data = queries.figures(user=request.user, region=found, start=start, end=end)
    return {**data, "region": data["region"].code if data["region"] else None}
