"""The notary room's JSON API."""

from ninja import Router

router = Router()
