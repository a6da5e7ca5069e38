"""The legal-aid test world: the legal world (``tests/legal/conftest.py``) with the law's
matter types and exemption rules (re-seeded after a flush), 乐都区's income standard, and
helpers that apply and move an application as its users would."""

import datetime as dt
import io
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.accounts.validators import id_check_digit
from gongzhi.core.workdays import LOCAL_TZ
from gongzhi.legal.aid import services
from gongzhi.legal.models import AidMatterType, IncomeStandard


def seeded_reference() -> None:
    if not AidMatterType.objects.exists():
        import_module("gongzhi.legal.migrations.0002_aid").seed(apps, None)


def id_number(born: str = "19850307", county: str = "630202", seq: str = "123") -> str:
    first = county + born + seq
    return first + id_check_digit(first)


def at(y, m, d, h=10, mi=0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=LOCAL_TZ)


def photo(name="doc.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def pdf(name="doc.pdf", size=200) -> SimpleUploadedFile:
    body = b"%PDF-1.4\n" + b"0" * size + b"\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


@pytest.fixture
def aid(legal):
    seeded_reference()
    w = legal
    w.standard = IncomeStandard.objects.create(
        region=w.regions.ledu, yuan_per_person_month=Decimal("1200")
    )
    w.wages = AidMatterType.objects.get(code="wages")
    w.maintenance = AidMatterType.objects.get(code="maintenance")

    def apply(user=None, *, now=None, **change):
        fields = dict(
            matter_type_id=w.wages.pk,
            summary="老板拖欠三个月工资共计一万二千元，多次讨要未果。",
            region_id=w.regions.xiguan.pk,
            name="马秀兰",
            id_number=id_number(),
            phone="13900001111",
            address="海东市乐都区碾伯镇西关街12号",
            opposing_party="某建筑公司",
            household_size=3,
            monthly_income_per_head=Decimal("800"),
            pledge=True,
        )
        on_behalf = change.pop("on_behalf", False)
        fields.update(change)
        return services.do_apply(
            data=services.ApplicationIn(**fields),
            actor=user or w.resident,
            on_behalf=on_behalf,
            now=now,
        )

    def act(app, action, user, *, now=None, **params):
        return services.do_transition(application=app, action=action, actor=user, now=now, **params)

    w.apply, w.act = apply, act
    return w
