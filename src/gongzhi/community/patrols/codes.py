"""The signed codes printed on a route's QR sheet.

A code is a URL ending in a token signed with ``django.core.signing`` under a salt of its
own: it holds the checkpoint, its route and the checkpoint's ``code_version``. A token
someone made up fails the signature; a genuine code carried to another route names that
route; a code from a sheet that was reprinted carries the old version. Printed codes do not
expire (a sheet hangs on a wall for years); reprinting is how a code is withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.urls import reverse

SALT = "gongzhi.community.patrols.checkpoint"


@dataclass(frozen=True)
class Code:
    checkpoint_id: int
    route_id: int
    version: int


def token_for(checkpoint) -> str:
    payload = {"c": checkpoint.pk, "r": checkpoint.route_id, "v": checkpoint.code_version}
    return signing.dumps(payload, salt=SALT)


def url_for(checkpoint, base: str = "") -> str:
    """What the QR code holds: a page that records the scan when opened by any phone's
    camera app, and whose last segment the patrol page's own scanner reads."""
    return base + reverse("community:patrol_code", args=[token_for(checkpoint)])


def token_in(text: str) -> str:
    """The token in what a scanner read or a volunteer typed: a whole URL or the bare token."""
    text = (text or "").strip()
    if "/" in text:
        text = text.rstrip("/").rsplit("/", 1)[-1]
    return text


def read(text: str) -> Code | None:
    """The code in ``text``, or None when its signature does not hold."""
    try:
        data = signing.loads(token_in(text), salt=SALT)
        return Code(int(data["c"]), int(data["r"]), int(data["v"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
