"""Hotspots of any subject (issue 24 item 2): reports group by the company, policy, estate or
road they share and by the problem they describe, not only by a place name, and each
hotspot is named "subject · problem"."""

from datetime import datetime, timedelta

from gongzhi.triage.hotspots import hotspots
from gongzhi.triage.subjects import spans, subject_keys

T0 = datetime(2026, 5, 1, 9)


def reports(prefix: str, items: list[tuple[str, str]], start: int = 0) -> list[dict]:
    return [
        {
            "id": f"{prefix}{i}",
            "title": title,
            "text": text,
            "time": T0 + timedelta(days=start + 2 * i),
            "reporter": f"{prefix}-u{i}",
            "supports": 1,
        }
        for i, (title, text) in enumerate(items)
    ]


def groups(found) -> list[list[str]]:
    return sorted(sorted(h.ids) for h in found)


def test_reports_about_one_company_are_one_hotspot_and_another_company_another():
    # No place in any of them: the lending platform is the subject.
    star = reports(
        "S",
        [
            ("请书记关注A市星河车贷案", "星河车贷恶性退出，受害人上千，立案后毫无进展。"),
            ("严惩星河车贷特大集资诈骗案保护伞", "星河车贷案件至今没有通报案情，请督促经侦。"),
            ("星河车贷立案近半年没有任何案情通报", "经侦办案拖延，受害人的钱追不回来。"),
            ("再次请求过问星河车贷案件进展", "立案这么久了，案情进展一次也没有公布。"),
        ],
    )
    moon = reports(
        "M",
        [
            ("月光网贷平台逾期不兑付", "月光网贷平台停止兑付，出借人报案无门。"),
            ("请公安立案侦查月光网贷平台", "月光网贷平台实控人跑路，出借人损失惨重。"),
        ],
        start=1,
    )
    found = hotspots(star + moon, top=None)
    assert groups(found) == [["M0", "M1"], ["S0", "S1", "S2", "S3"]]
    assert {h.place for h in found} == {"星河车贷", "月光网贷"}


def test_reports_about_one_policy_group_across_its_names():
    # "青年人才新政", "青年人才购房补贴" and "青年人才新政购房补贴" are one policy.
    found = hotspots(
        reports(
            "P",
            [
                (
                    "咨询A市青年人才购房补贴申请为何不通过",
                    "我去年落户后申请购房补贴，审核没有通过。",
                ),
                ("A市青年人才新政购房补贴申请审核问题", "补贴申请提交三个月了，审核一直没有结果。"),
                ("A市青年人才新政补贴申请两个月没发了", "补贴申请通过了，但是已经两个月没有发放。"),
                (
                    "夫妻共同购房为何申请青年人才购房补贴不通过",
                    "申请补贴时说购房合同上必须只有本人。",
                ),
                ("买二手房能申请青年人才新政购房补贴吗", "二手房能不能申请补贴，审核要什么材料？"),
                ("青年人才新政的补贴申请通过了却没发", "补贴申请早就通过了，钱一直没有发放。"),
            ],
        ),
        top=None,
    )
    assert groups(found) == [["P0", "P1", "P2", "P3", "P4", "P5"]]
    assert "青年人才" in found[0].place


def test_an_estate_and_the_plant_near_it_are_one_hotspot():
    # Some titles name only "the mixing plant near the estate"; their texts name the estate.
    found = hotspots(
        reports(
            "E",
            [
                ("碧水花园小区附近搅拌站噪音扰民", "碧水花园小区旁边新建搅拌站，日夜轰鸣。"),
                ("投诉小区附近搅拌站噪音扰民", "我是碧水花园小区业主，附近搅拌站晚上吵得睡不着。"),
                ("搅拌站粉尘大孩子生活不了", "碧水花园小区旁的搅拌站粉尘很大，不敢开窗。"),
                ("碧水花园小区旁边建搅拌站合理吗", "离小区不到百米建了搅拌站，噪音粉尘严重。"),
            ],
        ),
        top=None,
    )
    assert groups(found) == [["E0", "E1", "E2", "E3"]]
    assert found[0].place == "碧水花园小区"


def test_two_spellings_of_one_road_are_one_hotspot_but_two_numbered_roads_are_two():
    jinmao = reports(
        "R",
        [
            ("金贸路井盖缺失很危险", "晚上骑车差点掉进去，请尽快补上井盖。"),
            ("金茂路井盖丢了没人管", "井盖缺失好几天，路过的老人孩子很危险。"),
            ("金贸路人行道井盖缺失", "人行道井盖没了，行人容易踩空掉进去。"),
        ],
    )
    east = reports(
        "D",
        [
            ("东四路路灯不亮", "整条路的路灯晚上都不亮，走路看不清。"),
            ("东四路晚上路灯坏了", "路灯坏了一个月，散步的老人摔了跤。"),
            ("东六路的路灯一直不亮", "下班回家黑灯瞎火，开车很危险。"),
            ("东六路路灯不亮没人修", "路灯坏了很久没人修，开车很危险。"),
        ],
        start=1,
    )
    found = hotspots(jinmao + east, top=None)
    assert groups(found) == [["D0", "D1"], ["D2", "D3"], ["R0", "R1", "R2"]]


def test_two_problems_of_one_estate_are_two_hotspots():
    rubbish = [
        ("碧水花园小区垃圾站臭气熏天", "垃圾站离住户不到十米，夏天臭味很大。"),
        ("碧水花园小区垃圾站太臭了", "垃圾站的臭味飘进家里，开不了窗户。"),
        ("投诉碧水花园小区垃圾中转站臭味", "垃圾中转站每天散发臭味，请搬走。"),
    ]
    parking = [
        ("碧水花园小区物业乱收停车费", "物业把临时停车费从五元涨到二十元。"),
        ("碧水花园小区停车收费不合理", "物业停车收费没有公示就涨价了。"),
        ("碧水花园小区物业停车费涨价", "停车费一个月涨了三倍，业主不同意。"),
    ]
    found = hotspots(reports("G", rubbish) + reports("K", parking, start=1), top=None)
    assert groups(found) == [["G0", "G1", "G2"], ["K0", "K1", "K2"]]


def test_a_hotspot_is_named_by_its_subject_and_its_problem():
    found = hotspots(
        reports(
            "N",
            [
                ("A2区碧水花园小区附近搅拌站噪音扰民", "碧水花园小区旁边新建搅拌站，日夜轰鸣。"),
                ("投诉A2区碧水花园小区附近搅拌站噪音扰民", "搅拌站噪音太大，晚上无法休息。"),
                ("碧水花园小区附近搅拌站噪音扰民严重", "搅拌站离小区不到百米，噪音扰民。"),
            ],
        ),
        top=1,
    )
    (spot,) = found
    assert spot.place == "碧水花园小区"
    assert spot.problem.startswith("搅拌站噪音扰民")
    assert "碧水花园" not in spot.problem and "A2区" not in spot.problem
    assert spot.label == f"碧水花园小区 · {spot.problem}"


def test_two_roads_stay_apart_though_each_has_a_hospital_and_a_mixing_plant():
    # "南山路人民医院" names a road and a hospital at once: it is the variant of neither, or
    # every road with a hospital would be one subject; and "南山路搅拌站" is 南山路's, not
    # alike "振兴路搅拌站" for sharing the plant (the demo chained 1,515 of 2,784 reports).
    texts = [
        "南山路路灯不亮，晚上一片漆黑",
        "南山路井盖缺失",
        "振兴路路灯不亮，晚上一片漆黑",
        "振兴路井盖缺失",
        "人民医院门口乱停车",
        "人民医院门口乱停车堵路",
        "南山路人民医院门口积水",
        "南山路人民医院门口积水严重",
        "振兴路人民医院门口积水",
        "振兴路人民医院门口积水严重",
        "南山路搅拌站粉尘大",
        "南山路搅拌站夜间施工",
        "振兴路搅拌站粉尘大",
        "振兴路搅拌站夜间施工",
    ]
    keys, _, _ = subject_keys([spans(t) for t in texts])
    south, north = keys[0], keys[2]
    assert south and north and not south & north
    assert keys[1] == south and keys[3] == north
    hospital = keys[4]
    for compound in (keys[6], keys[8]):
        assert compound and not compound & (south | north | hospital)
    assert keys[6] != keys[8]
    assert south <= keys[10] and north <= keys[12]  # a road's plant is that road's
    assert not keys[10] & north and not keys[12] & south
