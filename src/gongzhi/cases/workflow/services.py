"""Taking an action on a case: the one service the case page, the API and Open311 call.

``check_transition`` parses the action's input (a posted form or JSON alike) and refuses
what the actor may not do; ``do_transition`` does it through the table
(``table.transition``), with the photos that document a resolution or a verification.
"""

from __future__ import annotations

from django.db import transaction

from gongzhi.cases import media, signals
from gongzhi.cases.models import Case
from gongzhi.cases.workflow import inputs
from gongzhi.cases.workflow.table import FLOW, transition


def check_transition(*, case: Case, action: str, actor, data=None, expected_state=None) -> dict:
    """The action's parameters from ``data``, once they are well formed and the actor may
    take the action on the case as it is now (the engine checks again under the row lock)."""
    params = inputs.parse(actor, case, action, data)
    FLOW.check(case, action, actor, expected_state=expected_state)
    return params


def do_transition(
    *, case: Case, action: str, actor, data=None, photos=(), expected_state=None, **params
) -> Case:
    """Take a user's action, with optional photos (resolution or verification). ``data``
    is the raw input to parse (``check_transition``); ``params`` are already parsed."""
    if data is not None:
        params = {
            **check_transition(
                case=case, action=action, actor=actor, data=data, expected_state=expected_state
            ),
            **params,
        }
    images = media.check_photos(photos)
    with transaction.atomic():
        case = transition(
            case_id=case.pk, action=action, actor=actor, expected_state=expected_state, **params
        )
        if action == "merge":
            signals.case_merged.send(sender=Case, case=case, actor=actor)
        stage = "resolution" if action == "resolve" else "verification"
        for image in images:
            media.store_photo(
                case=case, image=image, stage=stage, user=actor, event=case.last_event
            )
    return case
