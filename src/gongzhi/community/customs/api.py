"""The customs room's JSON API, under /api/v1/community/."""

from ninja import Router

router = Router()
