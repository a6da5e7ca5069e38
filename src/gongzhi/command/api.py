"""The command centre's JSON API, under /api/v1/command/: each room keeps its own router
(``api_<room>.py``), mounted here."""

from ninja import Router

from . import api_analytics, api_early_warnings, api_figures, api_reports, api_safety, api_screen

router = Router(tags=["command"])
for _room in (api_figures, api_screen, api_analytics, api_early_warnings, api_reports, api_safety):
    router.add_router("", _room.router)
