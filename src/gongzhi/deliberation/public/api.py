"""The public room's JSON API, mounted under /api/v1/deliberation/."""

from ninja import Router

router = Router()
