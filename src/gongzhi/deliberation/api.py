"""The deliberation hall's JSON API, under /api/v1/deliberation/: each room keeps its own
router (``<room>/api.py``), mounted here."""

from ninja import Router

from .matters import api as matters
from .meetings import api as meetings
from .openness import api as openness
from .public import api as public
from .topics import api as topics

router = Router(tags=["deliberation"])
for _room in (public, topics, meetings, matters, openness):
    router.add_router("", _room.router)
    # Left out of the published schema for now: with these operations in it, Swagger UI at
    # /api/v1/docs renders only the first tag (tests/web/test_api_docs_browser.py); the
    # endpoints work and are tested through their own suites (tests/deliberation/*/test_api.py).
    for _view in _room.router.path_operations.values():
        for _operation in _view.operations:
            _operation.include_in_schema = False
