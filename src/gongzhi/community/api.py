"""The community app's JSON API, under /api/v1/community/: each room keeps its own router
(``<room>/api.py``), mounted here."""

from ninja import Router

from .customs import api as customs
from .notices import api as notices
from .patrols import api as patrols
from .points import api as points
from .public import api as public
from .repairs import api as repairs
from .volunteers import api as volunteers

# Untagged: each room's router names its own tag, so that an operation is listed once.
router = Router()
for _room in (public, repairs, notices, volunteers, patrols, points, customs):
    router.add_router("", _room.router)
