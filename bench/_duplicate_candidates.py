"""How the candidate pairs of src/gongzhi/triage/data/dup_pairs_labelled.csv were drawn
(see dup_pairs_labelled.md), kept to show the means and to draw more: nine means, fixed
seeds; the pairs were then shuffled (random.Random(7)) and labelled by reading.

    python bench/_duplicate_candidates.py > candidates.json
"""

import json
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from gongzhi.triage.datasets import read_messages  # noqa: E402
from gongzhi.triage.text import near_duplicate_groups, normalise  # noqa: E402

m = read_messages(ROOT.parent / "shared" / "data" / "teddy2020" / "hot_messages.csv")
rng = random.Random(24)
m = read_messages("/work/shared/data/teddy2020/hot_messages.csv")
n = len(m)
seen = set()
out = []


def add(i, j, src):
    if i == j:
        return False
    k = (min(i, j), max(i, j))
    if k in seen:
        return False
    seen.add(k)
    out.append({"a": m[k[0]]["id"], "b": m[k[1]]["id"], "source": src})
    return True


def take(pairs, cap, src):
    pairs = list(pairs)
    rng.shuffle(pairs)
    c = 0
    for i, j in pairs:
        if c >= cap:
            break
        c += add(i, j, src)


# A same title
bt = defaultdict(list)
for i, r in enumerate(m):
    bt[normalise(r["title"])].append(i)
take(
    [(g[x], g[y]) for g in bt.values() for x in range(len(g)) for y in range(x + 1, len(g))],
    60,
    "same_title",
)
# B near-dup text group, different titles
g = near_duplicate_groups([r["title"] + " " + r["text"] for r in m])
bg = defaultdict(list)
for i, x in enumerate(g):
    bg[x].append(i)
take(
    [
        (g[x], g[y])
        for g in bg.values()
        for x in range(len(g))
        for y in range(x + 1, len(g))
        if normalise(m[g[x]]["title"]) != normalise(m[g[y]]["title"])
    ],
    60,
    "near_copy_text",
)
# C title bigram cosine neighbours
v = TfidfVectorizer(analyzer="char", ngram_range=(2, 2), sublinear_tf=True)
X = v.fit_transform([normalise(r["title"]) for r in m])
S = (X @ X.T).toarray()
np.fill_diagonal(S, 0)
hi = [(i, j) for i, j in zip(*np.where(S >= 0.5), strict=False) if i < j]
mid = [(i, j) for i, j in zip(*np.where((S >= 0.28) & (S < 0.5)), strict=False) if i < j]
take(hi, 80, "title_cosine_high")
take(mid, 90, "title_cosine_mid")
# G body cosine middle
v2 = TfidfVectorizer(analyzer="char", ngram_range=(2, 2), sublinear_tf=True, max_features=50000)
Y = v2.fit_transform([normalise(r["text"])[:400] for r in m])
T = (Y @ Y.T).toarray()
np.fill_diagonal(T, 0)
take(
    [
        (i, j)
        for i, j in zip(*np.where((T >= 0.3) & (T < 0.6)), strict=False)
        if i < j and S[i, j] < 0.28
    ],
    50,
    "body_cosine_mid",
)
# D shared rare title 4-gram (a name of an estate, company, road, school...)
HAN = re.compile(r"[\u4e00-\u9fff]{4,}")
grams = defaultdict(set)
for i, r in enumerate(m):
    for run in HAN.findall(r["title"]):
        for k in range(len(run) - 3):
            grams[run[k : k + 4]].add(i)
cand = []
for _gram, ids in grams.items():
    if 2 <= len(ids) <= 40:
        ids = sorted(ids)
        for _ in range(3):
            i, j = rng.sample(ids, 2)
            cand.append((i, j))
take(cand, 110, "shared_title_4gram")
# E same author
ba = defaultdict(list)
for i, r in enumerate(m):
    ba[r.get("reporter")].append(i)
take(
    [(g[x], g[y]) for g in ba.values() for x in range(len(g)) for y in range(x + 1, len(g))],
    30,
    "same_author",
)
# F random
order = sorted(range(n), key=lambda i: m[i]["time"])
rp = []
for _ in range(400):
    x = rng.randrange(n)
    y = min(n - 1, x + rng.randrange(1, 60))
    rp.append((order[x], order[y]))
take(rp, 40, "random_close_in_time")
take([(rng.randrange(n), rng.randrange(n)) for _ in range(100)], 30, "random")


random.Random(7).shuffle(out)
print(json.dumps(out, ensure_ascii=False))
print(Counter(o["source"] for o in out), file=sys.stderr)
