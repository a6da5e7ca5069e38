"""The classifier as a library: what intake and the CLI rely on."""

import joblib
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.triage.classifier import Record, TextClassifier, join_text
from gongzhi.triage.evaluation import read_csv


def _records(rows):
    return [Record(r["title"], r["detail"], r["label"]) for r in rows]


@pytest.fixture(scope="module")
def model():
    from .corpus import records

    return TextClassifier(min_examples=10).fit(_records(records()))


def test_predicts_the_category_of_an_unseen_report(model):
    best = model.predict("东村学校乱收补课费", "孩子所在学校要求交补课费")[0]
    assert best.label == "教育文体"
    assert best.confidence > 0.5


def test_predictions_are_ranked_probabilities(model):
    preds = model.predict("工厂排放污水", "河边工厂排放污水臭味很大", top_k=3)
    assert len(preds) == 3
    confs = [p.confidence for p in preds]
    assert confs == sorted(confs, reverse=True)
    assert 0 < sum(confs) <= 1.0 + 1e-9


def test_deeper_level_is_predicted_where_there_is_training_data(model):
    best = model.predict("幸福家园小区物业乱收费", "物业费上涨，物业不作为")[0]
    assert best.label == "城乡建设/物业"
    assert [lab for lab, _p in best.levels] == ["城乡建设", "物业"]
    # The path's confidence is the product of its levels'.
    assert best.confidence == pytest.approx(best.levels[0][1] * best.levels[1][1])


def test_one_report_path_matches_the_batch_path(model):
    title, text = "高庙村公司拖欠工资", "农民工讨薪无门"
    idx, val = model._one_vector(join_text(title, text, model.max_chars))
    fast = model.top.proba_sparse(idx, val)
    slow = model.top.proba(model._features([join_text(title, text, model.max_chars)], False))[0]
    np.testing.assert_allclose(fast, slow, atol=1e-5)


def test_model_survives_a_file_round_trip(model, tmp_path):
    joblib.dump(model, tmp_path / "m.joblib")
    again = joblib.load(tmp_path / "m.joblib")
    a = model.predict("餐馆油烟扰民", "")[0]
    b = again.predict("餐馆油烟扰民", "")[0]
    assert (a.label, round(a.confidence, 6)) == (b.label, round(b.confidence, 6))


def test_domain_words_are_kept_whole():
    from gongzhi.triage.text import Tokenizer

    tok = Tokenizer(["碾伯镇西关社区"])
    assert "碾伯镇西关社区" in tok("碾伯镇西关社区路灯不亮")


@pytest.mark.parametrize(
    "text",
    [
        "碾伯镇西关社区路灯不亮 碾伯镇西关社区路灯不亮 晚上 看不见路",
        "a市 a市\t12345热线\r\n反映：ＡＢＣ小区\u3000噪音扰民！！ ok,fine…",
        "  ",
        "",
        "乐都区碾伯镇\x1c高庙村 3号楼 3号楼",
    ],
)
def test_words_cover_the_text_without_its_white_space(text):
    # Every character outside white space lands in exactly one word, in order.
    from gongzhi.triage.text import Tokenizer

    words = Tokenizer(["碾伯镇西关社区"])(text)
    assert all(w == w.strip() and w for w in words)
    assert "".join(words) == "".join(text.split())


def test_training_needs_two_categories():
    with pytest.raises(ValueError):
        TextClassifier().fit([Record("a", "b", "x"), Record("c", "d", "x")])


def test_teddy_subset_trains_and_predicts(teddy):
    rows = read_csv(
        teddy / "labeled_messages.csv", text_cols=["title", "detail"], label_col="label"
    )
    model = TextClassifier().fit(rows[:700:2])
    test = rows[1:700:2]
    predicted = model.predict_top([r.title for r in test], [r.text for r in test])
    accuracy = np.mean([p == r.label for p, r in zip(predicted, test, strict=True)])
    assert accuracy > 0.6  # far above the 1-in-7 of guessing, even on 350 examples


def test_batch_path_matches_sklearn_features(model):
    # predict_top builds its matrix through the one-report path, not sklearn's analyzers.
    docs = [join_text("西关社区路面坑洼积水", "我是西关社区居民，已经很久了。"), join_text("", "")]
    fast = model._fast_features(docs).toarray()
    slow = model._features(docs, False).toarray()
    np.testing.assert_allclose(fast, slow, atol=1e-6)


def test_char_ngram_lookup_matches_sklearn():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from gongzhi.triage.ngrams import CharGrams

    train = ["路灯不亮 请修", "路面坑洼积水", "ab路灯 坏了😀😀", "坑洼的路"]
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), lowercase=False).fit(train)
    grams = CharGrams(vec.vocabulary_, 1, 3)
    analyse = vec.build_analyzer()
    for text in [*train, "没见过的字 路灯", "路", "", "x路灯y坑洼😀"]:
        expected = sorted(vec.vocabulary_[t] for t in analyse(text) if t in vec.vocabulary_)
        assert sorted(grams(text).tolist()) == expected, text


@pytest.mark.parametrize("missing", [("_grams", "_rows"), ("_rows",)])
def test_model_file_from_before_the_ngram_lookup_still_predicts(model, tmp_path, missing):
    # Model files written by earlier versions lack the compiled lookups; loading one
    # rebuilds them instead of failing at the first report.
    state = dict(model.__dict__)
    for name in missing:
        state.pop(name)
    old = TextClassifier.__new__(TextClassifier)
    old.__dict__.update(state)
    joblib.dump(old, tmp_path / "old.joblib")
    again = joblib.load(tmp_path / "old.joblib")
    a, b = model.predict("餐馆油烟扰民", "")[0], again.predict("餐馆油烟扰民", "")[0]
    assert (a.label, round(a.confidence, 6)) == (b.label, round(b.confidence, 6))


# What NFKC changes in Chinese reports (and what must compose with it), plus plain text.
TRICKY = "路灯不亮，：（）！？ＡＢｃ１２　\u00a0…①㎡℃Ⅱ￥﹝ｶﾞ\u0301\u0308e A.,"


@given(st.text(alphabet=st.sampled_from(TRICKY), max_size=40) | st.text(max_size=40))
def test_nfkc_shortcut_is_nfkc(text):
    # The table plus quick check must give exactly what a full NFKC pass gives.
    import unicodedata

    from gongzhi.triage.text import nfkc

    assert nfkc(text) == unicodedata.normalize("NFKC", text)
