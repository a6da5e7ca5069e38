"""The deliberation hall's JSON API, under /api/v1/deliberation/: each room keeps its own
router (``<room>/api.py``), mounted here."""

from ninja import Router

from .matters import api as matters
from .meetings import api as meetings
from .openness import api as openness
from .public import api as public
from .topics import api as topics

# Untagged: each room's router names its own tag, so that an operation is listed once.
router = Router()
for _room in (public, topics, meetings, matters, openness):
    router.add_router("", _room.router)
