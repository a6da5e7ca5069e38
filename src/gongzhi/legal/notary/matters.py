"""The common notary matters as the platform ships them (the migration ``0004_notary`` seeds
them; administrators edit them afterwards). Fees follow the shape of the 青海省 公证服务收费
schedule: a fixed fee per item for certificates of facts (出生、亲属关系、婚姻状况、学历、
无犯罪记录), a fixed fee for acts (委托、声明、遗嘱), and a percentage of the value, by
band, for property (继承、赠与、房产买卖). The figures are data: the office checks them."""

from __future__ import annotations

YES_NO = [{"value": "yes", "label": "是"}, {"value": "no", "label": "否"}]
ID = {"text": "申请人居民身份证、户口簿原件"}
ABROAD = {"key": "abroad", "text": "是否用于出国（境）？", "choices": YES_NO}
ABROAD_DOCS = [{"text": "护照或签证复印件（用于出国/境）", "when": {"abroad": ["yes"]}}]
ABROAD_FEE = {"when": {"abroad": ["yes"]}, "amount": 100, "label": "译文费（每件）"}
COPIES = {
    "key": "copies",
    "text": "需要几份公证书？",
    "choices": [
        {"value": "1", "label": "1份"},
        {"value": "2", "label": "2份"},
        {"value": "3", "label": "3份"},
        {"value": "4", "label": "4份及以上"},
    ],
}
COPIES_FEE = {"on": "copies", "amount": 20, "beyond": 1, "label": "副本费（每增加一份）"}
# Property: a percentage of the value, by band, at least 200 yuan.
PROPERTY_BANDS = [
    [200000, "0.01"],
    [500000, "0.008"],
    [5000000, "0.006"],
    [10000000, "0.005"],
    [None, "0.001"],
]
SALE_BANDS = [[500000, "0.003"], [5000000, "0.0025"], [10000000, "0.002"], [None, "0.001"]]
VALUE = {"type": "amount", "min": 1, "max": 1000000000}


def _certificate(code, name, order, summary, docs, fixed=80, questions=()):
    return {
        "code": code,
        "name": name,
        "order": order,
        "summary": summary,
        "questions": [*questions, ABROAD, COPIES],
        "documents": [ID, *docs, *ABROAD_DOCS],
        "fee": {"fixed": fixed, "add": [ABROAD_FEE], "per": COPIES_FEE},
    }


MATTERS = [
    {
        "code": "inheritance",
        "name": "继承",
        "order": 10,
        "colour": "#7c3aed",
        "summary": "继承父母、配偶等亲属的遗产（房产、存款、车辆等）",
        "questions": [
            {"key": "will", "text": "被继承人是否留有遗嘱？", "choices": YES_NO},
            {
                "key": "heirs",
                "text": "法定继承人共有几位？",
                "choices": [
                    {"value": "1", "label": "1位"},
                    {"value": "2", "label": "2位"},
                    {"value": "3", "label": "3位"},
                    {"value": "4", "label": "4位"},
                    {"value": "5", "label": "5位及以上"},
                ],
            },
            {"key": "property", "text": "遗产中是否有房产（不动产）？", "choices": YES_NO},
            {
                "key": "value",
                "text": "遗产总价值约多少元？",
                "when": {"property": ["yes"]},
                **VALUE,
            },
        ],
        "documents": [
            {"text": "每位继承人的居民身份证、户口簿原件"},
            {"text": "被继承人的死亡证明（医院或公安机关出具）"},
            {"text": "被继承人的婚姻状况证明（结婚证、离婚证或配偶死亡证明）"},
            {"text": "继承人与被继承人的亲属关系证明", "when": {"will": ["no"]}},
            {"text": "遗嘱原件", "when": {"will": ["yes"]}},
            {
                "text": "其他继承人放弃继承的声明书（或本人到场）",
                "when": {"heirs": ["2", "3", "4", "5"]},
            },
            {"text": "不动产权证书（房产证）原件", "when": {"property": ["yes"]}},
            {"text": "存款、车辆等其他遗产的权属凭证"},
        ],
        "fee": {
            "add": [{"when": {"property": ["no"]}, "amount": 200, "label": "继承公证（按件）"}],
            "per": {"on": "heirs", "amount": 100, "beyond": 2, "label": "每增加一位继承人"},
            "bands": {
                "on": "value",
                "minimum": 200,
                "rates": PROPERTY_BANDS,
                "label": "按遗产价值分段累进",
            },
            "note": "按受益额分段累进收费；最终以公证处核定为准。",
        },
    },
    {
        "code": "entrust",
        "name": "委托",
        "order": 20,
        "colour": "#2563eb",
        "summary": "委托他人代办房产、存款、诉讼等事务",
        "questions": [
            {
                "key": "about",
                "text": "委托办理什么事项？",
                "choices": [
                    {"value": "property", "label": "买卖、抵押房产"},
                    {"value": "money", "label": "存取款、理财"},
                    {"value": "other", "label": "其他事务"},
                ],
            },
            ABROAD,
        ],
        "documents": [
            ID,
            {"text": "受托人身份证复印件"},
            {"text": "不动产权证书（房产证）原件", "when": {"about": ["property"]}},
            {"text": "银行卡或存折", "when": {"about": ["money"]}},
            *ABROAD_DOCS,
        ],
        "fee": {"fixed": 200, "add": [ABROAD_FEE]},
    },
    {
        "code": "gift",
        "name": "赠与",
        "order": 30,
        "colour": "#059669",
        "summary": "将房产、存款等赠与他人",
        "questions": [
            {
                "key": "object",
                "text": "赠与的是什么？",
                "choices": [
                    {"value": "house", "label": "房产"},
                    {"value": "money", "label": "存款、现金"},
                    {"value": "other", "label": "其他财产"},
                ],
            },
            {"key": "value", "text": "赠与财产价值约多少元？", **VALUE},
        ],
        "documents": [
            ID,
            {"text": "受赠人身份证、户口簿"},
            {"text": "赠与人婚姻状况证明（结婚证等）"},
            {"text": "配偶同意赠与的书面意见（已婚）"},
            {"text": "不动产权证书（房产证）原件", "when": {"object": ["house"]}},
            {"text": "存单或账户证明", "when": {"object": ["money"]}},
        ],
        "fee": {
            "bands": {
                "on": "value",
                "minimum": 200,
                "rates": PROPERTY_BANDS,
                "label": "按赠与价值分段累进",
            }
        },
    },
    {
        "code": "property-sale",
        "name": "房产买卖",
        "order": 40,
        "colour": "#d97706",
        "summary": "房屋买卖合同公证",
        "questions": [
            {"key": "mortgage", "text": "房产上是否有抵押？", "choices": YES_NO},
            {"key": "value", "text": "成交价约多少元？", **VALUE},
        ],
        "documents": [
            ID,
            {"text": "买卖双方身份证、户口簿"},
            {"text": "不动产权证书（房产证）原件"},
            {"text": "房屋买卖合同"},
            {"text": "卖方配偶同意出售的书面意见"},
            {"text": "抵押权人同意转让的证明", "when": {"mortgage": ["yes"]}},
        ],
        "fee": {
            "bands": {
                "on": "value",
                "minimum": 200,
                "rates": SALE_BANDS,
                "label": "按成交价分段累进",
            }
        },
    },
    {
        "code": "will",
        "name": "遗嘱",
        "order": 50,
        "colour": "#6d28d9",
        "summary": "立遗嘱并办理公证",
        "questions": [
            {"key": "property", "text": "遗嘱是否处分房产？", "choices": YES_NO},
            {"key": "home", "text": "是否因行动不便需要公证员上门？", "choices": YES_NO},
        ],
        "documents": [
            ID,
            {"text": "遗嘱草稿（可由公证员代书）"},
            {"text": "不动产权证书（房产证）", "when": {"property": ["yes"]}},
            {"text": "医院出具的行动不便证明", "when": {"home": ["yes"]}},
        ],
        "fee": {
            "fixed": 300,
            "add": [{"when": {"home": ["yes"]}, "amount": 200, "label": "上门办理"}],
        },
    },
    {
        "code": "declaration",
        "name": "声明",
        "order": 60,
        "colour": "#0891b2",
        "summary": "放弃继承、同意出售等声明书公证",
        "questions": [ABROAD],
        "documents": [ID, {"text": "声明书草稿"}, *ABROAD_DOCS],
        "fee": {"fixed": 200, "add": [ABROAD_FEE]},
    },
    {
        "code": "evidence",
        "name": "证据保全",
        "order": 70,
        "colour": "#b91c1c",
        "summary": "网页、现场、物品等证据的保全",
        "questions": [
            {
                "key": "what",
                "text": "需要保全什么证据？",
                "choices": [
                    {"value": "web", "label": "网页、聊天记录"},
                    {"value": "site", "label": "现场状况"},
                    {"value": "goods", "label": "物品、文书"},
                ],
            }
        ],
        "documents": [
            ID,
            {"text": "与保全事项有关的权利证明"},
            {"text": "存有证据的手机或账号", "when": {"what": ["web"]}},
            {"text": "现场地址及进入现场的许可", "when": {"what": ["site"]}},
        ],
        "fee": {
            "fixed": 1000,
            "add": [{"when": {"what": ["site"]}, "amount": 500, "label": "现场保全"}],
        },
    },
    _certificate("birth", "出生", 80, "出生时间、地点、父母的证明", [{"text": "出生医学证明"}]),
    _certificate(
        "kinship",
        "亲属关系",
        90,
        "父母子女、兄弟姐妹等关系的证明",
        [{"text": "关系人的身份证、户口簿"}, {"text": "村（居）委会或派出所出具的亲属关系证明"}],
    ),
    _certificate(
        "marital",
        "婚姻状况",
        100,
        "未婚、已婚、离婚、丧偶的证明",
        [
            {"text": "结婚证", "when": {"status": ["married"]}},
            {"text": "离婚证或法院判决书", "when": {"status": ["divorced"]}},
            {"text": "配偶死亡证明", "when": {"status": ["widowed"]}},
            {"text": "民政部门出具的婚姻登记记录证明", "when": {"status": ["single"]}},
        ],
        questions=[
            {
                "key": "status",
                "text": "现在的婚姻状况？",
                "choices": [
                    {"value": "single", "label": "未婚"},
                    {"value": "married", "label": "已婚"},
                    {"value": "divorced", "label": "离婚"},
                    {"value": "widowed", "label": "丧偶"},
                ],
            }
        ],
    ),
    _certificate(
        "education",
        "学历",
        110,
        "毕业证书、学位证书的公证",
        [{"text": "毕业证书、学位证书原件"}],
    ),
    _certificate(
        "no-record",
        "无犯罪记录",
        120,
        "有无违法犯罪记录的公证",
        [{"text": "公安机关出具的无犯罪记录证明"}],
    ),
]


def seed(NotaryMatter) -> int:  # noqa: N803 (a model class, historical in the migration)
    """Create the matters not there yet (by code); leave edited ones alone."""
    created = 0
    for row in MATTERS:
        fields = {k: v for k, v in row.items() if k != "code"}
        _matter, made = NotaryMatter.objects.get_or_create(code=row["code"], defaults=fields)
        created += made
    return created
