"""The points room's reference rows and their defaults (seeded by its migration; tests and
the demo call ``ensure_seeded``, which adds what is missing and changes nothing else).

The rules every village starts with. ``source`` names the event that awards a rule by
itself (another room calls ``do_award`` with its code); a rule with no source is one that
staff pick by hand (美丽庭院 after an inspection, the deductions).

How a village tailors its points: ``code`` is unique, so a village never edits the shared
rule; it adds its own rule with its own code, ``region`` set to the village and ``source``
naming the same event (or the shared rule's code). ``do_award`` then uses the most specific
rule for the household's place: the village's own, else the shared one. A village's rule
that is disabled switches that award off there. Rules picked by hand are listed to staff
when shared or set to one of their villages.
"""

from __future__ import annotations

# (code, name, points, per hour, source, order, colour)
RULES = [
    ("volunteer_hour", "志愿服务（每小时）", 10, True, "volunteer_hour", 10, "#16a34a"),
    ("repair_rated", "评价报事报修", 2, False, "repair_rated", 20, "#0ea5e9"),
    ("meeting_attended", "参加村（居）民会议", 5, False, "meeting_attended", 30, "#6366f1"),
    ("courtyard_tidy", "美丽庭院（检查合格）", 10, False, "", 40, "#22c55e"),
    ("modest_ceremony", "移风易俗·婚丧简办", 20, False, "modest_ceremony", 50, "#f59e0b"),
    ("clutter", "乱堆乱放", -5, False, "", 80, "#dc2626"),
    ("litter", "乱倒垃圾污水", -5, False, "", 81, "#b91c1c"),
]
CODES = [r[0] for r in RULES]


def seed(PointRule) -> None:
    """Add the missing rules; works on the real model and on a migration's historical one."""
    for code, name, points, per_hour, source, order, colour in RULES:
        PointRule.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "points": points,
                "per_hour": per_hour,
                "source": source,
                "order": order,
                "colour": colour,
            },
        )


def ensure_seeded() -> None:
    from ..models import PointRule

    seed(PointRule)
