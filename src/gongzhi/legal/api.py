"""The legal services' JSON API, under /api/v1/legal/: each room keeps its own router
(``<room>/api.py``), mounted here."""

from ninja import Router

from .advice import api as advice
from .aid import api as aid
from .figures import api as figures
from .notary import api as notary
from .outreach import api as outreach
from .points import api as points

# Untagged: each room's router names its own tag, so that an operation is listed once.
router = Router()
for _room in (points, aid, advice, notary, outreach, figures):
    router.add_router("", _room.router)
