"""Hotspot grouping computed pair by pair, the slow obvious way, gives the same groups as
``hotspots()``'s blocked, upper-triangle, thresholded linking (issue 23: the page's speed):
two reports are linked when their texts are alike, or when they share a subject and their
problem words are alike (issue 24)."""

import random
from datetime import datetime, timedelta

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from gongzhi.triage import hotspots as hot

PLACES = ["幸福家园小区", "西关路", "东关学校", "南门菜市场", "", ""]
PROBLEMS = ["夜间施工噪音扰民", "垃圾堆放发臭", "路灯不亮", "井盖丢失很危险", "占道经营"]


def _records(seed: int, n: int, places: list[str] = PLACES) -> list[dict]:
    rnd = random.Random(seed)
    t0 = datetime(2026, 3, 1)
    out = []
    for i in range(n):
        place, problem = rnd.choice(places), rnd.choice(PROBLEMS)
        point = rnd.random() < 0.97
        out.append(
            {
                "id": f"C{i}",
                "title": f"{place}{problem}{rnd.choice(['', '，请处理', '了'])}",
                "text": f"{place}附近{problem}",
                "time": t0 + timedelta(days=rnd.uniform(0, 120)),
                "reporter": rnd.choice([None, "a", "b", "c", "d"]),
                "supports": rnd.randint(0, 3),
                "lng": 102.40 + rnd.randint(0, 9) * 0.01 + rnd.random() * 0.002 if point else None,
                "lat": 36.47 + rnd.random() * 0.002 if point else None,
                "kind": None if rnd.random() < 0.03 else rnd.randint(1, 12),
            }
        )
    return out


def _pairwise_groups(recs, window_days):
    docs = [hot._doc(r) or "∅" for r in recs]
    vectoriser = TfidfVectorizer(analyzer="char", ngram_range=(2, 2), sublinear_tf=True)
    x = vectoriser.fit_transform(docs)
    sim = (x @ x.T).toarray()
    _, keys, _, problems = hot._subjects_of(recs, docs)
    # The problem words of the reports with a subject, weighed among themselves.
    subject = [i for i, k in enumerate(keys) if k]
    px = TfidfVectorizer(analyzer="char", ngram_range=(2, 2), sublinear_tf=True).fit_transform(
        [problems[i] if problems[i].strip() else "∅" for i in subject]
    )
    problem_sim = np.zeros((len(recs), len(recs)))
    problem_sim[np.ix_(subject, subject)] = (px @ px.T).toarray()
    parent = list(range(len(recs)))

    def root(i):
        while parent[i] != i:
            i = parent[i]
        return i

    for i, a in enumerate(recs):
        for j in range(i + 1, len(recs)):
            b = recs[j]
            if abs((a["time"] - b["time"]).total_seconds()) > window_days * 86400:
                continue
            if a["kind"] is not None and b["kind"] is not None and a["kind"] != b["kind"]:
                continue
            if a["lng"] is not None and b["lng"] is not None:
                dx = (a["lng"] - b["lng"]) * np.cos(np.radians((a["lat"] + b["lat"]) / 2))
                if np.hypot(dx * 111_320, (a["lat"] - b["lat"]) * 111_320) > hot.NEAR_M:
                    continue
            same_subject = bool(keys[i] & keys[j])
            if sim[i, j] >= hot.TEXT_SIM or (same_subject and problem_sim[i, j] >= hot.SUBJECT_SIM):
                parent[root(j)] = root(i)
    groups = {}
    for i, r in enumerate(recs):
        groups.setdefault(root(i), set()).add(r["id"])
    return {frozenset(g) for g in groups.values() if len(g) >= 2}


@pytest.mark.parametrize("seed,window", [(0, 90), (1, 30), (2, 7)])
def test_the_groups_are_those_of_comparing_every_pair(seed, window, monkeypatch):
    recs = _records(seed, 260)
    monkeypatch.setattr(hot, "CHUNK", 37)  # several chunks a kind, as on a large platform
    found = hot.hotspots(recs, top=None, window_days=window)
    assert len(found) > 5  # enough groups for the comparison to mean something
    assert {frozenset(h.ids) for h in found} == _pairwise_groups(recs, window)
    assert [h.heat for h in found] == sorted((h.heat for h in found), reverse=True)
    # The top ten are the first ten of all of them, named the same.
    top = hot.hotspots(recs, top=10, window_days=window)
    assert [h.as_dict() for h in top] == [h.as_dict() for h in found[:10]]


def test_a_kind_mostly_about_one_subject_groups_as_comparing_every_pair(monkeypatch):
    # Most of a kind's reports share a subject: their problem words are compared as one
    # product, not pair by pair.
    recs = _records(6, 240, places=["幸福家园小区", "西关路"])
    monkeypatch.setattr(hot, "CHUNK", 13)
    found = hot.hotspots(recs, top=None, window_days=45)
    assert len(found) > 5
    assert {frozenset(h.ids) for h in found} == _pairwise_groups(recs, 45)


def test_records_without_kinds_or_points_link_across_everything():
    recs = [dict(r, kind=None, lng=None, lat=None) for r in _records(3, 120)]
    found = hot.hotspots(recs, top=None, window_days=3)
    assert len(found) > 3
    assert {frozenset(h.ids) for h in found} == _pairwise_groups(recs, 3)


# Words of varied rarity, so that some bigrams are shared by most reports, some by a few and
# some by one: the text similarity is taken over the rarer bigrams first and the common ones
# bounded (hot.COMMON_SHARE), and that must find every pair the full product finds.
WORDS = "幸福 家园 西关 东关 学校 南门 菜市 夜间 施工 噪音 垃圾 堆放 路灯 井盖 丢失 占道 经营 危险 发臭 扰民"


def _varied_records(seed: int, n: int) -> list[dict]:
    rnd = random.Random(seed)
    words = WORDS.split()
    rare = [
        chr(0x4E00 + rnd.randrange(2000)) + chr(0x4E00 + rnd.randrange(2000)) for _ in range(40)
    ]
    topics = [[rare[k], *rnd.sample(words, 2)] for k in range(40)]
    out = _records(seed, n)
    for r in out:
        # A topic (a rare word and two shared ones), some noise, and a common phrase of
        # varying length: some pairs alike, most not, the common bigrams weighing more or less.
        title = rnd.choice(topics) + rnd.sample(words, rnd.randint(0, 3))
        r["title"] = "".join(title) + "问题反映" * rnd.randint(0, 3)
        r["text"] = rnd.choice(words)
    return out


@pytest.mark.parametrize("share", [0.0, 0.02, 0.2, 1.0])
def test_the_rare_bigram_bound_finds_every_pair_of_comparing_every_pair(share, monkeypatch):
    recs = _varied_records(4, 300)
    monkeypatch.setattr(hot, "COMMON_SHARE", share)
    monkeypatch.setattr(hot, "CHUNK", 41)
    found = hot.hotspots(recs, top=None, window_days=60)
    assert len(found) > 5
    assert {frozenset(h.ids) for h in found} == _pairwise_groups(recs, 60)


def test_the_vectors_are_sklearns():
    docs = [hot._doc(r) for r in _varied_records(5, 80)] + ["", "∅", "  A  b\tC ", "ab AB"]
    ours = hot._tfidf(docs)
    vectoriser = TfidfVectorizer(analyzer="char", ngram_range=(2, 2), sublinear_tf=True)
    theirs = vectoriser.fit_transform(docs)
    np.testing.assert_allclose((ours @ ours.T).toarray(), (theirs @ theirs.T).toarray(), atol=1e-12)
    assert ours.shape == theirs.shape
