"""The notices room's test helpers on the community world (``tests/community/conftest.py``):
a notice written by the village's clerk to 大古城村 (12 households), sent at once."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gongzhi.community.choices import AnswerKind
from gongzhi.community.notices import services


@pytest.fixture
def nw(town, settings):
    settings.GONGZHI_SMS_GATEWAY_URL = ""
    return town


def write(w, *, by=None, publish=True, **change):
    """A notice to the whole village (change anything), published unless ``publish=False``."""
    fields = {
        "actor": by or w.clerk,
        "region": w.village,
        "title": "关于开展农村人居环境整治的通知",
        "body": "请各户于本周六上午九点打扫房前屋后。",
        "regions": [w.village],
        "answer_kind": AnswerKind.NONE,
    }
    fields.update(change)
    notice = services.do_create(**fields)
    if publish:
        notice = services.do_publish(actor=fields["actor"], notice=notice, now=change.get("now"))
    return notice


def a_photo(name="map.png") -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 60)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def later(**delta) -> dt.datetime:
    return timezone.now() + dt.timedelta(**delta)
