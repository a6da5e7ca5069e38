"""Variants of the hand-written base questions (places, amounts, times, who): the demo's
1,000 questions and the benchmark's 100,000 entries, so that many near-duplicates of each
question compete in the search. Deterministic for a given ``random.Random``."""

from __future__ import annotations

import random

PLACES = [
    "碾伯镇",
    "雨润镇",
    "寿乐镇",
    "高庙镇",
    "洪水镇",
    "高店镇",
    "瞿昙镇",
    "共和乡",
    "中岭乡",
    "李家乡",
    "峰堆乡",
    "城台乡",
    "蒲台乡",
    "中坝藏族乡",
    "马营乡",
    "马厂乡",
    "芦花乡",
    "达拉土族乡",
    "下营藏族乡",
    "平安镇",
    "小峡镇",
    "三合镇",
    "洪水泉乡",
    "石灰窑乡",
    "古城乡",
    "沙沟回族乡",
    "巴燕镇",
    "群科镇",
    "甘都镇",
    "扎巴镇",
    "昂思多镇",
]
WHO = [
    "我",
    "我父亲",
    "我母亲",
    "我哥哥",
    "我姐姐",
    "我丈夫",
    "我妻子",
    "我儿子",
    "我女儿",
    "我们家",
    "我弟弟",
    "我妹妹",
    "我舅舅",
    "我婶婶",
]
OPENERS = [
    "",
    "",
    "您好，",
    "律师您好，",
    "请问一下，",
    "想咨询一下，",
    "我是{place}的，",
    "我家住在{place}，",
    "{place}村民，",
    "打扰了，",
]
DETAILS = [
    "涉及金额大约{n}万元。",
    "已经{m}个月了。",
    "事情发生在{y}年{mo}月。",
    "对方是外地人。",
    "对方是同村的。",
    "我们手里有聊天记录。",
    "当时没有签任何字据。",
    "村委会调解过一次没谈拢。",
    "家里经济比较困难。",
    "{who}今年{age}岁。",
    "有两个证人可以作证。",
    "找过对方好几次了。",
    "",
    "",
    "",
]
CLOSERS = ["", "", "该怎么办？", "有什么办法吗？", "麻烦律师给个建议。", "谢谢！", "急！"]
ANSWER_TAILS = [
    "",
    "建议保存好相关证据。",
    "可拨打12348公共法律服务热线进一步咨询。",
    "也可到乡镇公共法律服务工作站当面咨询。",
    "如经济困难，可申请法律援助。",
]


def variant_question(base: str, rng: random.Random) -> str:
    place = rng.choice(PLACES)
    opener = rng.choice(OPENERS).format(place=place)
    detail = rng.choice(DETAILS).format(
        n=rng.randint(1, 30),
        m=rng.randint(1, 24),
        y=rng.randint(2019, 2026),
        mo=rng.randint(1, 12),
        who=rng.choice(WHO),
        age=rng.randint(16, 85),
    )
    core = base.rstrip("？?。")
    closer = rng.choice(CLOSERS)
    if closer:
        return f"{opener}{core}。{detail}{closer}"
    return f"{opener}{core}？{detail}"


def variant_answer(base: str, rng: random.Random) -> str:
    return base + rng.choice(ANSWER_TAILS)
