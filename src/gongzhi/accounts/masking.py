"""Masking personal data for display (脱敏).

Each kind of personal data has one masking function, and a model declares which of its
fields hold which kind::

    class User(AbstractUser):
        sensitive_fields = {"display_name": NAME, "mobile": MOBILE, "id_number": ID_NUMBER}

Styles (what a viewer without the right to unmask sees):

* mobile: first 3 and last 4 digits, ``13812341234`` → ``138****1234``.
* resident ID number: the first 6 digits (the issuing county) and the last 4; the date of
  birth and the sequence number are hidden: ``630202199001011234`` → ``630202********1234``.
* name: the surname (compound surnames such as 欧阳 included), one ``*`` per other
  character: ``张三`` → ``张*``, ``欧阳娜娜`` → ``欧阳**``. A one-character name becomes ``*``.
* address: kept up to the last street / road / village / township / district word before
  any house number, then a fixed ``****`` (so that the length says nothing):
  ``海东市乐都区碾伯镇西关街12号3单元402室`` → ``海东市乐都区碾伯镇西关街****``.

Empty values stay empty; a masker never raises on odd input.
"""

from __future__ import annotations

import re
from collections.abc import Callable

NAME = "name"
MOBILE = "mobile"
ID_NUMBER = "id_number"
ADDRESS = "address"
KINDS = (NAME, MOBILE, ID_NUMBER, ADDRESS)

STARS = "****"

COMPOUND_SURNAMES = frozenset(
    """欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 司空 夏侯 轩辕 令狐
    端木 独孤 南宫 西门 万俟 闻人 赫连 澹台 呼延 申屠 太史 钟离 百里 东郭 公冶 濮阳
    淳于 单于 拓跋 完颜""".split()
)


def mask_mobile(value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) >= 8:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    return value[:1] + "*" * (len(value) - 1)


def mask_id_number(value: str | None) -> str:
    value = (value or "").strip().upper()
    if not value:
        return ""
    if len(value) >= 11:
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    return value[:1] + "*" * (len(value) - 1)


def mask_name(value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) == 1:
        return "*"
    if " " in value:  # a name in Latin script: keep the first word
        first, rest = value.split(" ", 1)
        return first + " " + "*" * len(rest.replace(" ", ""))
    keep = 2 if value[:2] in COMPOUND_SURNAMES and len(value) > 2 else 1
    return value[:keep] + "*" * (len(value) - keep)


# Words that end an administrative or street-level part of an address.
_ADDRESS_UNITS = re.compile(
    r"(省|自治区|市|自治州|州|盟|区|县|旗|镇|乡|街道|街|路|大道|巷|胡同|弄|村|社区|组|小区)"
)
_FIRST_DETAIL = re.compile(
    r"[0-9０-９一二三四五六七八九十百]+\s*(号|栋|幢|楼|单元|室|层|户|组)|[0-9０-９]"
)


def mask_address(value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    detail = _FIRST_DETAIL.search(value)
    head = value[: detail.start()] if detail else value
    ends = [m.end() for m in _ADDRESS_UNITS.finditer(head)]
    if ends and ends[-1] >= len(value):
        ends.pop()  # nothing but names of places: hide the last (smallest) one anyway
    keep = ends[-1] if ends else max(1, min(len(head), len(value) // 3))
    if keep >= len(value):
        keep = max(1, len(value) // 2)
    return value[:keep] + STARS


MASKERS: dict[str, Callable[[str | None], str]] = {
    NAME: mask_name,
    MOBILE: mask_mobile,
    ID_NUMBER: mask_id_number,
    ADDRESS: mask_address,
}


_MOBILE_IN_TEXT = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_ID_IN_TEXT = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")


def mask_numbers_in_text(text: str | None) -> str | None:
    """Mask the mobile and ID numbers a reporter typed into free text (titles, descriptions)
    before it is shown to people outside the case."""
    if not text:
        return text
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), text)
    return _MOBILE_IN_TEXT.sub(lambda m: mask_mobile(m.group(0)), text)


def mask(kind: str, value: str | None) -> str:
    """Mask ``value`` as personal data of ``kind`` (one of ``KINDS``)."""
    try:
        masker = MASKERS[kind]
    except KeyError:
        raise ValueError(f"unknown kind of personal data {kind!r}") from None
    return masker(value)


def sensitive_fields(model_or_obj) -> dict[str, str]:
    """``{field name: kind}`` declared by a model's ``sensitive_fields``."""
    return dict(getattr(model_or_obj, "sensitive_fields", None) or {})


def masked_value(obj, field: str) -> str:
    """The masked display of ``obj.field`` according to the model's declaration."""
    kind = sensitive_fields(obj).get(field)
    if kind is None:
        raise ValueError(f"{type(obj).__name__}.{field} is not declared as personal data")
    return mask(kind, getattr(obj, field, "") or "")
