"""Cases on the live push (``gongzhi.core.push``): the command centre's big screen hears of a
new report and of every step within a second, without reloading.

``case_new`` is called by intake inside the report's transaction, ``steps`` by the
workflow after a step's commit (an effect of every entry); both publish on commit, so a
report or step rolled back pushes nothing. Every viewer of the case's region receives a
message, so it holds the case's public face only: number, title, category, state, place
and time, never the reporter's name, phone or words. A case placed nowhere (no region
path) is not pushed: core's streams would send it to everyone signed in.
"""

from __future__ import annotations

from gongzhi.core import push
from gongzhi.regions import lookup

from .models import Case

TOPIC = "cases"


def _place(case: Case) -> str:
    # The grid's name from the in-memory index intake has just used: no read of a row.
    hit = lookup.grid_info(case.grid_id) if case.grid_id else None
    return hit.name if hit is not None else ""


def _message(case: Case, *, action: str = "report", at=None) -> dict:
    category = case.category if case.category_id else None
    return {
        "number": case.number,
        "title": case.title,
        "category": category.name if category else "",
        # The first level's code: the screen's category trend counts by it.
        "category_root": category.path.strip("/").split("/")[0] if category else "",
        "state": case.state,
        "state_label": str(case.get_state_display()),
        "action": action,
        "region": _place(case),
        "region_path": case.region_path,
        "grid": case.grid_id,
        "urgent": case.is_urgent,
        "lng": case.lng,
        "lat": case.lat,
        "at": at or case.created_at,
    }


def case_new(case: Case) -> None:
    """A report became a case (called inside its transaction; pushed after the commit)."""
    if not case.region_path:
        return  # an empty path reaches everyone signed in: an unplaced case is not pushed
    push.publish(TOPIC, "case.new", _message(case), region_path=case.region_path)


def step(case: Case, event) -> None:
    """A timeline entry was committed. A report's own entry is left out: its case was
    announced as new when it was made."""
    if event.action == "report" or not case.region_path:
        return
    push.publish(
        TOPIC,
        "case.step",
        _message(case, action=event.action, at=event.at),
        region_path=case.region_path,
    )


def steps(pairs) -> None:
    for case, event in pairs:
        step(case, event)


step.many = steps  # the engine sends a batch (intake's follow-up) at once
