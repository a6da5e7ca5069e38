"""The report classifier: title + text → category path, with calibrated confidences.

Features are TF-IDF over jieba words (1–2-grams, domain dictionary added) and over
characters (1–3-grams, which catch place and unit names jieba splits badly). A linear SVM
does the ranking; Platt scaling fitted by cross-validation (``CalibratedClassifierCV``)
turns its margins into probabilities a threshold can be set on.

Measured on the Teddy set (grouped 5-fold, uncalibrated SVM, macro-F1; this design 0.903,
0.908 since rare character n-grams are dropped, see ``_features``) and not kept:
characters 1–4 (0.898) or characters alone (0.900); C = 0.5 (0.899) or 2 (0.902); balanced
class weights (no gain); LinearSVC + ComplementNB (0.895); NB-SVM log-count-ratio features
(0.904–0.905, within the folds' noise, for a slower training). Against 0.904 for this
design in the same run (uncalibrated, jieba-rs): self-training on the 7,100 unlabelled
hot_messages and replied_messages texts (pseudo-labels with a margin over 0.5: 0.897;
over 1.0: 0.903); IDF and vocabulary fitted on those texts too (0.9045); 300 LSA
components appended to the TF-IDF features, as the prize-winning TF-IDF + SVD + SVM
(0.903). Against 0.904 again: a TF-IDF block over the title alone beside the others
(characters 1–3: 0.901, at half weight 0.9037; jieba words: 0.900). Against 0.9039 (fold
seed 0; the calibrated design 0.9084): per-class offsets to the margins tuned for macro-F1 on
inner grouped folds (0.9040; on top of calibration 0.9036); training weights of
1/√(near-duplicate group size) or 1/size (0.9040–0.9042; seed 1: +0.0005); separate word and
character SVMs summed (0.8965–0.8980); logistic regression, alone (0.8945–0.8996) or averaged
with the calibrated SVM (0.9037–0.9040). The fold split alone moves macro-F1 by about ±0.003
(seed 1: 0.9056 uncalibrated, 0.9054 calibrated): a smaller gain is not evidence.

Labels are paths: ``"城乡建设"`` or ``"城乡建设/安全生产"``. The first level is always
learnt; a deeper level is learnt under a parent wherever the training data holds at least
two children with ``min_examples`` each, and predicted only when the parent wins.

Plain Python and numpy throughout: no database, so the CLI, the bench and the platform
share it.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from .ngrams import CharGrams
from .text import Tokenizer, normalise

# Long letters say what they are about early, and cutting keeps prediction fast: words come
# from a shorter head than character n-grams. On the Teddy set (grouped 5-fold, with jieba-rs)
# 80/400 scored macro-F1 0.9085 at ~4,100 reports/s on one core; 200/400 0.9065; 400/400
# 0.9062 at ~2,500/s; 600/600 0.910 at ~2,100/s; 1000/1000 0.9097 at ~1,900/s.
MAX_CHARS = 400
WORD_CHARS = 80
PATH_SEP = "/"
CHAR_DOCS_PER_MIN_DF = 1000
_WHITE = re.compile(r"\s\s+")  # as sklearn's char analyzer collapses white space


@dataclass
class Record:
    """One labelled (or to-be-labelled) report."""

    title: str
    text: str
    label: str = ""
    ref: str = ""  # the case number, when the record comes from the platform


def join_text(title: str, text: str, max_chars: int = MAX_CHARS) -> str:
    # The title twice: it is the operator's summary and usually names the problem.
    return normalise(f"{title} {title} {text[: max_chars * 2]}")[:max_chars]


def split_label(label: str) -> list[str]:
    return [p.strip() for p in str(label).replace(" / ", PATH_SEP).split(PATH_SEP) if p.strip()]


class _Level:
    """One flat classifier: the shared features → one level's labels.

    After fitting, the SVM's weights and the per-class sigmoids are kept as plain arrays so
    that one report is scored with a gather and a dot product, without sklearn's per-call
    validation (which costs more than the arithmetic at this size).
    """

    def __init__(self, c: float, calibrate: bool, class_weight=None):
        self.c = c
        self.calibrate = calibrate
        self.class_weight = class_weight
        self.classes_: np.ndarray | None = None
        self.constant: str | None = None
        self.weights: np.ndarray | None = None  # (n_features, n_classes), C order
        self.bias: np.ndarray | None = None
        self.sig_a: np.ndarray | None = None  # Platt: p = 1 / (1 + exp(a·d + b))
        self.sig_b: np.ndarray | None = None

    def fit(self, x, y: np.ndarray) -> _Level:
        classes, counts = np.unique(y, return_counts=True)
        self.classes_ = classes
        if len(classes) == 1:
            self.constant = str(classes[0])
            return self
        svm = LinearSVC(C=self.c, class_weight=self.class_weight)
        folds = int(min(3, counts.min()))
        if self.calibrate and folds >= 2:
            # ensemble=False: one SVM on all the data, sigmoids fitted on out-of-fold margins.
            cal = CalibratedClassifierCV(svm, method="sigmoid", cv=folds, ensemble=False)
            cal.fit(x, y)
            inner = cal.calibrated_classifiers_[0]
            fitted = inner.estimator
            self.sig_a = np.array([k.a_ for k in inner.calibrators], dtype=np.float64)
            self.sig_b = np.array([k.b_ for k in inner.calibrators], dtype=np.float64)
        else:
            fitted = svm.fit(x, y)
        coef = np.asarray(fitted.coef_, dtype=np.float32)
        bias = np.asarray(fitted.intercept_, dtype=np.float64)
        if len(classes) == 2:  # sklearn keeps one column for two classes
            coef, bias = np.vstack([-coef, coef]), np.concatenate([-bias, bias])
            if self.sig_a is not None:
                self.sig_a = np.concatenate([self.sig_a, self.sig_a])
                self.sig_b = np.concatenate([-self.sig_b, self.sig_b])
        self.weights = np.ascontiguousarray(coef.T)
        self.bias = bias
        return self

    def proba_from_margins(self, d: np.ndarray) -> np.ndarray:
        if self.sig_a is None:
            # Uncalibrated (tiny data): a softmax of the margins, honest about being rough.
            e = np.exp(d - d.max(axis=-1, keepdims=True))
            return e / e.sum(axis=-1, keepdims=True)
        p = 1.0 / (1.0 + np.exp(self.sig_a * d + self.sig_b))
        total = p.sum(axis=-1, keepdims=True)
        return np.where(total > 0, p / np.where(total > 0, total, 1), 1 / p.shape[-1])

    def proba(self, x) -> np.ndarray:
        if self.constant is not None:
            return np.ones((x.shape[0], 1))
        return self.proba_from_margins(np.asarray(x @ self.weights) + self.bias)

    def proba_sparse(self, idx: np.ndarray, val: np.ndarray) -> np.ndarray:
        if self.constant is not None:
            return np.ones(1)
        return self.proba_from_margins(val @ self.weights[idx] + self.bias)


@dataclass
class Prediction:
    label: str  # the full path, e.g. "城乡建设/安全生产"
    confidence: float  # calibrated probability of the path (product over its levels)
    levels: list[tuple[str, float]] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # what weighed most (predict(reasons=k))

    def as_dict(self) -> dict:
        return {
            "label": self.label,
            "confidence": round(self.confidence, 4),
            "levels": [{"label": lab, "confidence": round(p, 4)} for lab, p in self.levels],
            "words": list(self.words),
        }


class TextClassifier:
    def __init__(
        self,
        *,
        extra_words=(),
        c: float = 1.0,
        min_examples: int = 20,
        calibrate: bool = True,
        word_chars: int = WORD_CHARS,
        max_chars: int = MAX_CHARS,
        char_ngrams: tuple[int, int] = (1, 3),
        class_weight=None,
    ):
        self.class_weight = class_weight
        self.word_chars = word_chars
        self.max_chars = max_chars
        self.char_ngrams = tuple(char_ngrams)
        self.tokenizer = Tokenizer(extra_words)
        self.c = c
        self.min_examples = min_examples
        self.calibrate = calibrate
        self.word = TfidfVectorizer(
            tokenizer=self.tokenizer,
            lowercase=False,
            token_pattern=None,
            ngram_range=(1, 2),
            sublinear_tf=True,
            min_df=2,
            dtype=np.float32,
        )
        self.char = TfidfVectorizer(
            analyzer="char",
            lowercase=False,  # join_text has lower-cased already
            ngram_range=self.char_ngrams,
            sublinear_tf=True,
            min_df=2,
            dtype=np.float32,
        )
        self.top: _Level | None = None
        self.children: dict[str, _Level] = {}
        self.train_seconds = 0.0
        self.label_counts: dict[str, int] = {}

    # -- training -------------------------------------------------------------------
    def _features(self, docs: list[str], fit: bool):
        heads = [d[: self.word_chars] for d in docs]
        if fit:
            # A character n-gram must occur in about one report in 1,000 (at least two). On
            # the Teddy set (grouped 5-fold, ~5,700 training reports a fold) macro-F1 was
            # 0.9044 at two, 0.9061 at four, 0.9077 at five, 0.9075 at eight; at five the
            # model has 131k features instead of 352k and predicts ~13% faster.
            self.char.min_df = max(2, round(len(docs) / CHAR_DOCS_PER_MIN_DF))
            parts = [self.word.fit_transform(heads), self.char.fit_transform(docs)]
        else:
            parts = [self.word.transform(heads), self.char.transform(docs)]
        return sp.hstack(parts).tocsr()

    def fit(self, records: list[Record]) -> TextClassifier:
        if len(records) < 2:
            raise ValueError("at least two labelled reports are needed")
        started = time.perf_counter()
        docs = [join_text(r.title, r.text, self.max_chars) for r in records]
        paths = [split_label(r.label) for r in records]
        if any(not p for p in paths):
            raise ValueError("every training report needs a label")
        first = np.array([p[0] for p in paths])
        if len(set(first)) < 2:
            raise ValueError("at least two categories are needed")
        x = self._features(docs, fit=True)
        self.top = _Level(self.c, self.calibrate, self.class_weight).fit(x, first)
        self.children = {}
        self._fit_children(x, paths, depth=1, prefix="", rows=np.arange(len(paths)))
        self.label_counts = dict(Counter(PATH_SEP.join(p) for p in paths))
        self._compile()
        self.train_seconds = time.perf_counter() - started
        return self

    def _fit_children(self, x, paths, *, depth: int, prefix: str, rows: np.ndarray) -> None:
        by_parent: dict[str, list[int]] = {}
        for i in rows:
            if len(paths[i]) > depth:
                by_parent.setdefault(PATH_SEP.join(paths[i][:depth]), []).append(i)
        for parent, idx in by_parent.items():
            labels = np.array([paths[i][depth] for i in idx])
            counts = Counter(labels)
            kept = [lab for lab, n in counts.items() if n >= self.min_examples]
            if len(kept) < 2:
                continue  # not enough to learn this level under this parent
            mask = np.isin(labels, kept)
            sub = np.array(idx)[mask]
            self.children[parent] = _Level(self.c, self.calibrate, self.class_weight).fit(
                x[sub], labels[mask]
            )
            self._fit_children(x, paths, depth=depth + 1, prefix=parent, rows=sub)

    def _compile(self) -> None:
        # Plain dicts and arrays for the one-report path (see _one_vector).
        self._wvocab = dict(self.word.vocabulary_)
        self._idf = np.concatenate([self.word.idf_, self.char.idf_]).astype(np.float64)
        self._offset = len(self._wvocab)
        self._grams = CharGrams(self.char.vocabulary_, *self.char_ngrams)
        # A feature's idf beside its first-level weights, one row each: the one-report path
        # gathers each of its ~700 features from memory once instead of twice.
        self._rows = (
            np.hstack([self._idf[:, None], self.top.weights]).astype(np.float32)
            if self.top is not None and self.top.weights is not None
            else None
        )

    def __setstate__(self, state):
        self.__dict__.update(state)
        if not {"_grams", "_rows"} <= state.keys() and self.top is not None:
            self._compile()  # a model file written before the compiled lookups existed

    def _one_vector(self, doc: str):
        """The same vector as ``_features([doc])`` (word then char block, each L2-normed)."""
        idx, val, _top = self._vector_and_top(doc)
        return idx, val

    def _vector_and_top(self, doc: str):
        """``_one_vector`` and the first level's weights of its features (None without)."""
        toks = self.tokenizer(doc[: self.word_chars])
        words = toks + [f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False)]
        get = self._wvocab.get
        wids = np.array([j for j in map(get, words) if j is not None], dtype=np.int64)
        cids = self._grams(_WHITE.sub(" ", doc)) + self._offset
        # Sublinear tf × idf, each block L2-normed, as the two TfidfVectorizers do.
        idx, tf = np.unique(np.concatenate([wids, cids]), return_counts=True)
        if self._rows is not None:
            rows = self._rows[idx]
            idf, top = rows[:, 0], rows[:, 1:]
        else:
            idf, top = self._idf[idx], None
        val = (1.0 + np.log(tf)) * idf
        cut = int(np.searchsorted(idx, self._offset))
        for block in (val[:cut], val[cut:]):
            if block.size:
                block /= np.sqrt(block @ block)
        return idx, val, top

    def _fast_features(self, docs: list[str]) -> sp.csr_matrix:
        """``_features(docs, fit=False)`` through the one-report path (several times faster
        than sklearn's analyzers)."""
        rows = [self._one_vector(d) for d in docs]
        indptr = np.cumsum([0] + [len(i) for i, _v in rows])
        idx = np.concatenate([i for i, _v in rows]) if rows else np.zeros(0, np.int64)
        val = np.concatenate([v for _i, v in rows]) if rows else np.zeros(0)
        width = len(self._idf)
        return sp.csr_matrix((val, idx, indptr), shape=(len(docs), width))

    # -- prediction -----------------------------------------------------------------
    @property
    def classes(self) -> list[str]:
        return [str(c) for c in self.top.classes_]

    def proba_top(self, titles: list[str], texts: list[str]) -> np.ndarray:
        """First-level probabilities, batched: one row a report, columns as ``classes``."""
        docs = [join_text(a, b, self.max_chars) for a, b in zip(titles, texts, strict=True)]
        return self.top.proba(self._fast_features(docs))

    def predict_top(self, titles: list[str], texts: list[str]) -> np.ndarray:
        """First-level labels only, batched (for evaluation)."""
        return self.top.classes_[self.proba_top(titles, texts).argmax(axis=1)]

    def _feature_names(self) -> np.ndarray:
        names = getattr(self, "_names", None)
        if names is None:
            names = np.concatenate(
                [self.word.get_feature_names_out(), self.char.get_feature_names_out()]
            )
            self._names = names
        return names

    def reasons(self, title: str, text: str, labels: list[str], *, k: int = 4) -> dict:
        """The words that weighed most for each first-level label: the largest products of
        the linear model's coefficient for that label and the report's feature value."""
        doc = join_text(title, text, self.max_chars)
        idx, val, _top = self._vector_and_top(doc)
        return self._reasons(idx, val, labels, k, doc)

    def _reasons(
        self, idx: np.ndarray, val: np.ndarray, labels: list[str], k: int, doc: str
    ) -> dict:
        """Features overlap (jieba words, word pairs, character 1–3-grams), so each feature's
        weight goes to the report's own words that hold it (a character n-gram inside the
        word, or a word of a word pair): the reason reads as whole words ("人才市场"), not
        fragments ("才市"). Only the 40 heaviest features of a label are spread."""
        if self.top is None or self.top.weights is None or not len(idx):
            return {}
        names = self._feature_names()
        words = {w for w in self.tokenizer(doc) if len(w) >= 2 and not w.isascii()}
        column = {str(c): j for j, c in enumerate(self.top.classes_)}
        out = {}
        for label in labels:
            parts = split_label(label)
            j = column.get(parts[0] if parts else "")
            if j is None:
                continue
            weight = val * self.top.weights[idx, j]
            score: dict[str, float] = {}
            for i in np.argsort(-weight)[:40]:
                if weight[i] <= 0:
                    break
                name = str(names[idx[i]])
                if " " in name:  # a word pair: its words
                    held = [w for w in name.split(" ") if w in words]
                elif name in words:
                    held = [name]
                else:  # a character n-gram: the words that hold it
                    held = [w for w in words if name in w]
                for w in held:
                    score[w] = score.get(w, 0.0) + float(weight[i]) / len(held)
            chosen: list[str] = []
            for w in sorted(score, key=lambda w: (-score[w], w)):
                if not any(w in c or c in w for c in chosen):
                    chosen.append(w)
                if len(chosen) == k:
                    break
            out[label] = chosen
        return out

    def predict(
        self, title: str, text: str, *, top_k: int = 3, reasons: int = 0
    ) -> list[Prediction]:
        """The ``top_k`` most likely first-level categories, each extended down its tree;
        with ``reasons`` > 0, each with up to that many of the words that weighed most."""
        idx, val, top = self._vector_and_top(join_text(title, text, self.max_chars))
        if top is not None:
            p = self.top.proba_from_margins(val @ top + self.top.bias)
        else:
            p = self.top.proba_sparse(idx, val)
        order = np.argsort(-p)[:top_k]
        out = []
        for j in order:
            label, conf = str(self.top.classes_[j]), float(p[j])
            levels = [(label, conf)]
            path = label
            while path in self.children:
                child = self.children[path]
                q = child.proba_sparse(idx, val)
                k = int(q.argmax())
                path = f"{path}{PATH_SEP}{child.classes_[k]}"
                conf *= float(q[k])
                levels.append((str(child.classes_[k]), float(q[k])))
            out.append(Prediction(label=path, confidence=conf, levels=levels))
        if reasons:
            doc = join_text(title, text, self.max_chars)
            words = self._reasons(idx, val, [p.label for p in out], reasons, doc)
            for p in out:
                p.words = words.get(p.label, [])
        return out
