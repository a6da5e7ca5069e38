"""The knowledge base's Chinese full-text search, on the database's own engine.

Text is cut into terms by ``rjieba`` (jieba's dictionary with the legal words of
``data/legal_terms.txt``); for robustness to paraphrase every CJK character bigram is added
(婚姻 vs 结婚, 欠薪 vs 拖欠工资), and the legal concepts the text names in residents' words
(``data/concepts.txt``: 东家/厂里/老板 → ~用人单位). The terms are stored space-separated
in ``KnowledgeEntry.terms`` (title) and ``body_terms`` (question and answer).

- SQLite: an FTS5 table ``legal_knowledge_fts`` (external content, kept in sync by
  triggers; migration ``0003_advice``), ranked by ``bm25``.
- PostgreSQL: a generated ``tsvector`` column ``search_vector`` (``array_to_tsvector`` of
  the terms: they are already cut, no parser runs) and ``title_vector`` (the title's
  terms), each with a GIN index. ``ts_rank`` has no inverse document frequency and reads
  every matched row's vector (slow: 460 ms p50 at 100,000 entries), so the rank is the sum
  of the matched terms' IDF (bm25 without term frequency; a term in the title counts
  ``TITLE_WEIGHT`` times), summed from one index lookup per term.

On both the title (which the lawyer writes when publishing: the matter in plain words)
weighs ``TITLE_WEIGHT`` times the question's and the answer's text.

A query is the OR of its terms. Terms found in more than ``COMMON_SHARE`` of the entries
(的, 我们, 怎么办), the commonest beyond ``MAX_TERMS`` and those beyond a budget of
matched entries (``POSTINGS_BUDGET``) are left out: they rank little and would make the
engine score most of the table. Document frequencies are read from the
engine (fts5vocab on SQLite; a count on the GIN index on PostgreSQL) and cached briefly.
"""

from __future__ import annotations

import math
import re
import threading
import time

from django.db import connection

from gongzhi.triage.text import Tokenizer, normalise

FTS_TABLE = "legal_knowledge_fts"
VOCAB_TABLE = "legal_knowledge_vocab"
MAX_TERMS = 16
COMMON_SHARE = 0.2
# The engine scores every entry that holds a chosen term: the rarest terms are taken until
# their entries add up to this, which bounds a search's work whatever the table's size
# (PostgreSQL pays more per entry found: a heap visit per index hit). Measured at 100,000
# entries (bench/legal.py): SQLite 6,000 → p99 21 ms, 29 % top-3; 15,000 → 36 ms, 34 %.
POSTINGS_BUDGET = {"sqlite": 15_000, "postgresql": 6_000}
TITLE_WEIGHT = 3.0
DF_TTL = 300.0  # seconds a document frequency is trusted

_CJK = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[\u4e00-\u9fff]+|[a-z0-9]+")
# Function words and question boilerplate: they say nothing about the matter.
STOP = frozenset(
    "的 了 是 我 你 他 她 它 们 我们 你们 他们 在 有 和 与 及 或 就 也 都 还 又 吗 呢 吧 啊 么 什么 "
    "怎么 怎么办 怎样 如何 可以 能 能不能 可不可以 应该 请问 请 问 一下 这个 那个 这 那 个 "
    "一 不 没 没有 要 会 想 让 给 被 把 对 从 到 为 为什么 现在 已经 如果 但是 但 而且 因为 所以 "
    "自己 他家 我家 家里 情况 问题 一个 这种 这样 那么 律师 法律 规定 咨询 谢谢 您好".split()
)

_tok = None
_tok_lock = threading.Lock()


def _tokenizer() -> Tokenizer:
    global _tok
    with _tok_lock:
        if _tok is None:
            from .data import legal_terms

            _tok = Tokenizer(legal_terms())
        return _tok


def _words(text: str) -> list[str]:
    text = normalise(text)
    out = []
    for chunk in _WORD.findall(text):
        if _CJK.fullmatch(chunk):
            out.extend(w for w in _tokenizer()(chunk) if w not in STOP)
        else:
            out.append(chunk)
    return out


def _bigrams(text: str) -> list[str]:
    grams = []
    for run in _CJK.findall(normalise(text)):
        grams.extend(run[i : i + 2] for i in range(len(run) - 1))
    return [g for g in grams if g not in STOP and not (g[0] in _STOP_CHARS and g[1] in _STOP_CHARS)]


_STOP_CHARS = frozenset(
    "的了是我你他她们在有和与就也都还吗呢吧啊么这那个一不没要会想让给被把对从到为"
)


_concept_re = None


def _concepts(text: str) -> list[str]:
    """The concepts (``data/concepts.txt``) the text names, each once, as ``~name``."""
    global _concept_re
    if _concept_re is None:
        from .data import concepts

        by_word = {}
        for name, words in concepts():
            for w in words:
                by_word.setdefault(w, []).append(name)
        pattern = "|".join(re.escape(w) for w in sorted(by_word, key=len, reverse=True))
        _concept_re = (re.compile(pattern), by_word)
    pattern, by_word = _concept_re
    found = []
    for m in pattern.finditer(normalise(text)):
        for name in by_word[m.group(0)]:
            if f"~{name}" not in found:
                found.append(f"~{name}")
    return found


def index_terms(text: str, *, concepts: bool = True) -> str:
    """The terms an entry is indexed by, space-separated: words, then CJK character bigrams
    (marked with a ``_`` suffix so a two-character word and a bigram differ), then the legal
    concepts named (``~`` prefix)."""
    words = _words(text)
    grams = [f"{g}_" for g in _bigrams(text)]
    return " ".join(words + grams + (_concepts(text) if concepts else []))


def entry_terms(title: str, body: str, answer: str) -> tuple[str, str]:
    """An entry's (title terms, text terms)."""
    return index_terms(title), index_terms(f"{body} {answer}")


def query_terms(text: str) -> list[str]:
    """The distinct terms of a query, in order."""
    seen, out = set(), []
    for t in index_terms(text).split():
        if t not in seen:
            seen.add(t)
            out.append(t)
    return out


# -- document frequencies ------------------------------------------------------------------

_df_cache: dict[tuple[str, str], tuple[float, int]] = {}
_total_cache: dict[str, tuple[float, int]] = {}


def clear_cache() -> None:
    _df_cache.clear()
    _total_cache.clear()


def _alias() -> str:
    return connection.settings_dict["NAME"] or connection.vendor


def _total(cursor) -> int:
    key = _alias()
    hit = _total_cache.get(key)
    if hit and time.monotonic() - hit[0] < DF_TTL:
        return hit[1]
    cursor.execute("SELECT count(*) FROM legal_knowledgeentry WHERE published")
    n = cursor.fetchone()[0]
    _total_cache[key] = (time.monotonic(), n)
    return n


def _frequencies(cursor, terms: list[str]) -> dict[str, int]:
    key, now, out, missing = _alias(), time.monotonic(), {}, []
    for t in terms:
        hit = _df_cache.get((key, t))
        if hit and now - hit[0] < DF_TTL:
            out[t] = hit[1]
        else:
            missing.append(t)
    if missing:
        if connection.vendor == "postgresql":
            for t in missing:
                cursor.execute(
                    "SELECT count(*) FROM legal_knowledgeentry WHERE search_vector @@ %s::tsquery",
                    [_pg_quote(t)],
                )
                out[t] = cursor.fetchone()[0]
        else:
            marks = ",".join(["%s"] * len(missing))
            cursor.execute(f"SELECT term, doc FROM {VOCAB_TABLE} WHERE term IN ({marks})", missing)
            found = dict(cursor.fetchall())
            for t in missing:
                out[t] = found.get(t, 0)
        for t in missing:
            _df_cache[(key, t)] = (now, out[t])
    return out


def chosen_terms(cursor, text: str) -> list[tuple[str, float]]:
    """The query's terms that rank, with their IDF: present in the index, not too common,
    the rarest ``MAX_TERMS``."""
    terms = query_terms(text)
    if not terms:
        return []
    total = max(_total(cursor), 1)
    df = _frequencies(cursor, terms)
    useful = [t for t in terms if 0 < df[t] <= max(COMMON_SHARE * total, 50)]
    useful.sort(key=lambda t: df[t])
    chosen, postings = [], 0
    for t in useful[:MAX_TERMS]:
        if chosen and postings + df[t] > POSTINGS_BUDGET.get(connection.vendor, 6_000):
            break
        chosen.append(t)
        postings += df[t]
    return [(t, math.log(1 + (total - df[t] + 0.5) / (df[t] + 0.5))) for t in chosen]


def _fts_quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _pg_quote(term: str) -> str:
    return "'" + term.replace("'", "''").replace("\\", "") + "'"


# -- the search ----------------------------------------------------------------------------


def search_ids(text: str, *, limit: int = 10) -> list[tuple[int, float]]:
    """(entry id, score) of the best published entries for ``text``, best first (a higher
    score is better on both engines)."""
    limit = max(1, min(int(limit), 100))
    with connection.cursor() as cursor:
        terms = chosen_terms(cursor, text)
        if not terms:
            return []
        if connection.vendor == "postgresql":
            # One GIN lookup per term (and one in the titles), summed per entry: no row's
            # tsvector is read, so the cost is the entries found, not their size.
            part = (
                "SELECT id, %s::float8 AS w FROM legal_knowledgeentry "
                "WHERE {col} @@ %s::tsquery AND published"
            )
            parts, params = [], []
            for t, w in terms:
                parts.append(part.format(col="search_vector"))
                params += [w, _pg_quote(t)]
                parts.append(part.format(col="title_vector"))
                params += [(TITLE_WEIGHT - 1) * w, _pg_quote(t)]
            cursor.execute(
                f"SELECT id, sum(w) AS score FROM ({' UNION ALL '.join(parts)}) hits "
                "GROUP BY id ORDER BY score DESC, id LIMIT %s",
                [*params, limit],
            )
        else:
            query = " OR ".join(_fts_quote(t) for t, _w in terms)
            cursor.execute(
                f"SELECT f.rowid, -bm25({FTS_TABLE}, {TITLE_WEIGHT}, 1.0) AS score FROM {FTS_TABLE} f "
                f"JOIN legal_knowledgeentry e ON e.id = f.rowid "
                f"WHERE {FTS_TABLE} MATCH %s AND e.published "
                f"ORDER BY bm25({FTS_TABLE}, {TITLE_WEIGHT}, 1.0) LIMIT %s",
                [query, limit],
            )
        return [(row[0], float(row[1])) for row in cursor.fetchall()]


def search(text: str, *, limit: int = 10) -> list:
    """The best published knowledge-base entries for ``text``: [(entry, score)], best first."""
    from ..models import KnowledgeEntry

    found = search_ids(text, limit=limit)
    entries = KnowledgeEntry.objects.in_bulk([i for i, _s in found])
    return [(entries[i], s) for i, s in found if i in entries]


# -- baseline (for the benchmark) ----------------------------------------------------------


def baseline_ids(text: str, *, limit: int = 10) -> list[int]:
    """A plain scan: entries whose question contains the query's longest words (LIKE
    '%word%'), ranked by how many of them they contain — no index, no weighting."""
    words = sorted({w for w in _words(text) if len(w) >= 2}, key=len, reverse=True)[:6]
    if not words:
        return []
    parts = " + ".join(["(CASE WHEN body LIKE %s THEN 1 ELSE 0 END)"] * len(words))
    likes = [f"%{w}%" for w in words]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM (SELECT id, {parts} AS hits FROM legal_knowledgeentry "
            f"WHERE published) t WHERE hits > 0 ORDER BY hits DESC, id LIMIT %s",
            [*likes, limit],
        )
        return [row[0] for row in cursor.fetchall()]
