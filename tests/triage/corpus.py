"""A small made-up labelled corpus: enough for a model to learn in well under a second."""

import csv
import random

PLACES = ["西关社区", "东关社区", "高庙村", "碾伯镇", "平安镇", "东村", "幸福家园小区", "南山花园"]
TOPICS = {
    "城乡建设/道路": ["路面坑洼积水", "井盖缺失破损", "道路破损无人修", "人行道砖块松动"],
    "城乡建设/物业": [
        "物业不作为乱收费",
        "小区电梯坏了物业不修",
        "物业费上涨业主不满",
        "楼道灯坏了物业不管",
    ],
    "环境保护": ["工厂排放污水臭味", "夜间施工噪音扰民", "餐馆油烟扰民", "焚烧垃圾浓烟污染"],
    "劳动和社会保障": ["公司拖欠工资不发", "社保缴费断缴", "农民工欠薪讨薪", "养老保险无法转移"],
    "教育文体": ["学校乱收补课费", "幼儿园入学难", "学区划分不合理", "教师体罚学生"],
}
OPENERS = ["反映", "投诉", "请问", "希望解决", ""]
TAILS = ["，请相关部门尽快处理。", "，已经很久了。", "，居民意见很大。", "。", "，谢谢！"]


def records(n_per_label: int = 30, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for label, issues in TOPICS.items():
        for i in range(n_per_label):
            place, issue = rng.choice(PLACES), rng.choice(issues)
            title = f"{rng.choice(OPENERS)}{place}{issue}"
            detail = f"我是{place}居民，{issue}{rng.choice(TAILS)}第{i}次反映。"
            out.append({"title": title, "detail": detail, "label": label})
    rng.shuffle(out)
    return out


def write_csv(path, rows, columns=("title", "detail", "label")) -> str:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(columns))
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in columns})
    return str(path)
