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


# Numbers in free text are written every way a person types them: with spaces or dashes
# between groups, in full-width digits (from a Chinese input method), or with a single
# separator between any two digits to get past a filter.
_DIGIT = "[0-9\uff10-\uff19]"
_SEP = "[ \\-\u3000\uff0d\u2010-\u2015]"  # space, dashes (ASCII, full-width, typographic)
_NOT_DIGIT_BEFORE = "(?<![0-9\uff10-\uff19])"
_NOT_DIGIT_AFTER = "(?![0-9\uff10-\uff19])"
_FULL_WIDTH = str.maketrans("０１２３４５６７８９ｘＸ", "0123456789xX")

# A mobile: 11 digits from 13…19, any single separator between any two of them.
_MOBILE_IN_TEXT = re.compile(
    rf"{_NOT_DIGIT_BEFORE}[1\uff11]{_SEP}?[3-9\uff13-\uff19](?:{_SEP}?{_DIGIT}){{9}}{_NOT_DIGIT_AFTER}"
)
# A resident ID number: 18 characters, whole or in the groups it is read out in (6-8-4 or
# 6-4-4-4). Not a separator between any two digits: a run of dates would match that.
_ID_TAIL = "[0-9\uff10-\uff19Xx\uff38\uff58]"
_ID_IN_TEXT = re.compile(
    rf"{_NOT_DIGIT_BEFORE}(?:{_DIGIT}{{17}}{_ID_TAIL}"
    rf"|{_DIGIT}{{6}}{_SEP}{{1,2}}{_DIGIT}{{8}}{_SEP}{{1,2}}{_DIGIT}{{3}}{_ID_TAIL}"
    rf"|{_DIGIT}{{6}}(?:{_SEP}{{1,2}}{_DIGIT}{{4}}){{2}}{_SEP}{{1,2}}{_DIGIT}{{3}}{_ID_TAIL})"
    rf"{_NOT_DIGIT_AFTER}"
)
# A landline: an area code (0 and two or three digits), in brackets or followed by an
# optional dash, then 7 or 8 digits.
_LANDLINE_IN_TEXT = re.compile(
    rf"{_NOT_DIGIT_BEFORE}(?P<area>[(\uff08]\s*0{_DIGIT}{{2,3}}\s*[)\uff09]"
    rf"|0{_DIGIT}{{2,3}})\s*{_SEP}?\s*(?P<local>{_DIGIT}{{3,4}}{_SEP}?{_DIGIT}{{4}})"
    rf"{_NOT_DIGIT_AFTER}"
)
# A number that its words call a phone number, however short (a local number without its
# area code, a service number).
_CALLED_PHONE = re.compile(
    rf"(?P<word>电话|手机|座机|联系方式|号码|微信|tel|Tel|TEL|phone|Phone)"
    rf"(?P<gap>[号是为:：\s]{{0,3}})"
    rf"(?P<number>{_DIGIT}(?:{_SEP}?{_DIGIT}){{5,14}}){_NOT_DIGIT_AFTER}"
)

# House addresses: the parts below a street (building, unit, floor, room), as
# “12号3单元402室”, “5栋2单元301”, “3号楼1单元”, “小区3-2-402”, or a street's door number
# (“西关街12号”). A lone “12号” or “5号楼” is not enough: “3月12号” is a date.
_NUMERAL = "(?:[0-9\uff10-\uff19]+|[一二三四五六七八九十百零〇两]+)"
_HOUSE_PART = (
    rf"(?:[A-Za-z\uff21-\uff3a]{_SEP}?)?{_NUMERAL}\s*(?:号楼|号院|号|栋|幢|座|单元|楼|层|室|户)"
)
_HOUSE_CHAIN = re.compile(
    rf"(?<![0-9\uff10-\uff19一二三四五六七八九十百零〇两])"
    rf"{_HOUSE_PART}(?:{_SEP}?{_HOUSE_PART})+(?:{_SEP}?{_DIGIT}+(?![0-9\uff10-\uff19年月日元]))?"
    rf"|(?<![0-9\uff10-\uff19])(?:{_NUMERAL}\s*(?:栋|幢|号楼|单元){_SEP}?)?{_DIGIT}{{3,4}}\s*室"
)
_DOOR_NUMBER = re.compile(
    rf"(?P<street>街|路|巷|胡同|弄|道|大道|小区|花园|家园|公寓|苑|院)"
    rf"(?P<number>{_DIGIT}+(?:{_SEP}{_DIGIT}+){{0,3}}\s*号?"
    rf"|{_DIGIT}+(?:{_SEP}{_DIGIT}+){{1,3}})"
    rf"(?![0-9\uff10-\uff19年月日元%％路线])"
)


def _digits(text: str) -> str:
    return "".join(ch for ch in text.translate(_FULL_WIDTH) if ch.isdigit() or ch in "xX")


def _mask_landline(match: re.Match) -> str:
    area = _digits(match.group("area"))
    local = _digits(match.group("local"))
    return f"{area}-" + "*" * (len(local) - 4) + local[-4:]


def _mask_called(match: re.Match) -> str:
    number = _digits(match.group("number"))
    shown = number[-4:] if len(number) > 8 else number[-2:]
    return match.group("word") + match.group("gap") + "*" * (len(number) - len(shown)) + shown


def mask_numbers_in_text(text: str | None) -> str | None:
    """Mask the mobile and ID numbers a reporter typed into free text (titles, descriptions)
    before it is shown to people outside the case, however they are written (spaces,
    dashes, full-width digits)."""
    if not text:
        return text
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(_digits(m.group(0))), text)
    return _MOBILE_IN_TEXT.sub(lambda m: mask_mobile(_digits(m.group(0))), text)


def mask_personal_in_text(text: str | None) -> str | None:
    """Mask everything personal that people type into free text, for readers who may unmask
    nothing (the public feed, leaders, the exports that say they hold nothing personal):
    mobiles and ID numbers in any writing, landlines (0972-1234567, (0972)1234567), numbers
    named as phones, and house addresses below the street (…号…室, …单元…室, …栋…号,
    a street's door number). Dates, amounts, years and case numbers are left as written."""
    if not text:
        return text
    text = mask_numbers_in_text(text)
    text = _LANDLINE_IN_TEXT.sub(_mask_landline, text)
    text = _CALLED_PHONE.sub(_mask_called, text)
    text = _HOUSE_CHAIN.sub(STARS, text)
    return _DOOR_NUMBER.sub(lambda m: m.group("street") + STARS, text)


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
