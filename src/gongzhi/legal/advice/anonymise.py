"""Removing personal details from a question before it joins the public knowledge base.

Automatic first, then the lawyer: ``scrub`` replaces what a pattern can find (mobile and
landline numbers, ID numbers, plate numbers, bank cards, addresses down to the house
number, names after 叫/名叫/姓 and common titles) and what the platform knows of the asker
(their name, phone, ID number), and the places below the county (village names) with
"某". The lawyer sees the scrubbed text on the answer form, edits it if anything is left,
and only then publishes; nothing is published without that look.
"""

from __future__ import annotations

import re

from gongzhi.regions.models import Region

_PATTERNS = [
    (re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])"), "[身份证号]"),
    (re.compile(r"(?<!\d)1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)"), "[电话]"),
    (re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)"), "[电话]"),
    (re.compile(r"(?<!\d)\d{16,19}(?!\d)"), "[账号]"),
    (
        re.compile(
            r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z][·\s]?[A-Z0-9]{5,6}"
        ),
        "[车牌号]",
    ),
    (
        re.compile(r"[\u4e00-\u9fff]{1,10}(?:路|街|巷|道)\d+号(?:[\d\-]+(?:室|号楼|单元))*"),
        "[地址]",
    ),
    (re.compile(r"\d+号楼\d*单元?\d*室?|\d+单元\d+室"), "[地址]"),
    (
        re.compile(r"(?:名叫|叫做|叫|姓名是?|名字是)([\u4e00-\u9fff]{2,3})(?=[，,。的、\s]|$)"),
        None,
    ),
]
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤冶祁"
_TITLED = re.compile(
    rf"[{_SURNAMES}][\u4e00-\u9fff]{{0,2}}?(?=(?:老板|经理|师傅|老师|大夫|医生|先生|女士|阿姨|大哥|大姐|老汉|包工头|工头))"
)


def _names_after_cue(match: re.Match) -> str:
    return match.group(0).replace(match.group(1), "某某")


def scrub(text: str, *, known: list[str] = (), places: list[str] = ()) -> str:
    """``text`` without the personal details found in it."""
    text = text or ""
    for value in sorted({k for k in known if k and len(k) >= 2}, key=len, reverse=True):
        text = text.replace(value, "某某")
    for pattern, repl in _PATTERNS:
        text = pattern.sub(_names_after_cue if repl is None else repl, text)
    text = _TITLED.sub("某", text)
    for place in sorted({p for p in places if p and len(p) >= 2}, key=len, reverse=True):
        text = text.replace(place, "某村")
    return text


def known_of(user) -> list[str]:
    """What the platform knows of a person that must not appear in public."""
    out = [getattr(user, f, "") or "" for f in ("display_name", "mobile", "id_number")]
    name = out[0]
    if len(name) >= 3:
        out.append(name[1:])  # the given name alone (秀兰)
    return out


def places_below_county(region) -> list[str]:
    """The village's and township's names (the county may stay: it says which rules apply)."""
    names = []
    node = region
    while node is not None and getattr(node, "level", "") in ("community", "township"):
        names.append(node.name)
        node = node.parent
    return names


def scrub_question(question) -> str:
    region = Region.objects.filter(pk=question.region_id).first()
    return scrub(
        question.text,
        known=known_of(question.asker),
        places=places_below_county(region) if region else [],
    )
