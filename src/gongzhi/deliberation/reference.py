"""The rows the hall starts with (seeded by migration 0002, editable in the admin): the
default topic threshold and a rule for each kind of meeting, rural and urban."""

from __future__ import annotations

# (code, name, kind, urban, basis, (num, den, strict), alt (basis, num, den, strict) or None,
#  decision (num, den, strict), vote_per, notice_days, law)
MEETING_RULES = [
    (
        "committees-rural",
        "两委联席会议",
        "committees",
        False,
        "committee",
        (1, 2, True),
        None,
        (1, 2, True),
        "person",
        1,
        "村党组织领导下的村民委员会议事规则",
    ),
    (
        "committees-urban",
        "社区两委联席会议",
        "committees",
        True,
        "committee",
        (1, 2, True),
        None,
        (1, 2, True),
        "person",
        1,
        "社区党组织领导下的居民委员会议事规则",
    ),
    (
        "party-rural",
        "村党员大会",
        "party",
        False,
        "party_members",
        (1, 2, True),
        None,
        (1, 2, True),
        "person",
        3,
        "中国共产党农村基层组织工作条例",
    ),
    (
        "party-urban",
        "社区党员大会",
        "party",
        True,
        "party_members",
        (1, 2, True),
        None,
        (1, 2, True),
        "person",
        3,
        "中国共产党城市基层党组织工作条例",
    ),
    (
        "village-assembly",
        "村民会议",
        "village_assembly",
        False,
        "adults",
        (1, 2, True),
        ("households", 2, 3, False),
        (1, 2, True),
        "person",
        10,
        "村民委员会组织法第二十二条：本村十八周岁以上村民的过半数，或者本村三分之二以上的户的代表参加，"
        "所作决定应当经到会人员的过半数通过；第二十一条：提前十天通知",
    ),
    (
        "village-reps",
        "村民代表会议",
        "village_reps",
        False,
        "representatives",
        (2, 3, False),
        None,
        (1, 2, True),
        "person",
        5,
        "村民委员会组织法第二十六条：三分之二以上的组成人员参加方可召开，所作决定应当经到会人员的过半数同意",
    ),
    (
        "resident-assembly",
        "居民会议",
        "resident_assembly",
        True,
        "adults",
        (1, 2, True),
        ("households", 1, 2, True),
        (1, 2, True),
        "person",
        7,
        "城市居民委员会组织法第十条：全体十八周岁以上的居民、户的代表或者居民小组选举的代表的过半数出席，"
        "会议的决定由出席人的过半数通过",
    ),
    (
        "resident-reps",
        "居民代表会议",
        "resident_reps",
        True,
        "representatives",
        (1, 2, True),
        None,
        (1, 2, True),
        "person",
        5,
        "城市居民委员会组织法第十条",
    ),
    (
        "hall-rural",
        "百姓议事会",
        "hall",
        False,
        "none",
        (0, 1, False),
        None,
        (1, 2, True),
        "household",
        3,
        "村规民约：议事会每户一票",
    ),
    (
        "hall-urban",
        "社区议事会",
        "hall",
        True,
        "none",
        (0, 1, False),
        None,
        (1, 2, True),
        "household",
        3,
        "居民公约：议事会每户一票",
    ),
]


def seed(apps, schema_editor=None) -> None:
    TopicRule = apps.get_model("deliberation", "TopicRule")
    MeetingRule = apps.get_model("deliberation", "MeetingRule")
    TopicRule.objects.get_or_create(
        code="default",
        defaults={
            "name": "默认：10户或5%的户联名",
            "households": 10,
            "percent": 5,
            "answer_days": 10,
        },
    )
    for order, row in enumerate(MEETING_RULES, start=1):
        code, name, kind, urban, basis, quorum, alt, decision, per, notice, law = row
        fields = {
            "name": name,
            "kind": kind,
            "urban": urban,
            "basis": basis,
            "quorum_num": quorum[0],
            "quorum_den": quorum[1],
            "quorum_strict": quorum[2],
            "decision_num": decision[0],
            "decision_den": decision[1],
            "decision_strict": decision[2],
            "vote_per": per,
            "notice_days": notice,
            "law": law,
            "order": order * 10,
        }
        if alt:
            fields.update(alt_basis=alt[0], alt_num=alt[1], alt_den=alt[2], alt_strict=alt[3])
        MeetingRule.objects.get_or_create(code=code, defaults=fields)


def ensure_seeded() -> None:
    """Put the rows back after a transactional test's flush removed them."""
    from django.apps import apps

    if not apps.get_model("deliberation", "MeetingRule").objects.exists():
        seed(apps)
