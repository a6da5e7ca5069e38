"""Finding cases by what a desk types: a case number (or its tail), or words of the title and
the description, in Chinese. One function, ``matching``, serves the queue's filter bar and
the API list.

A query shaped like a case number (HD-20261128-000123, 20261128-000123, 000123) is looked
up by number only: the number itself or a prefix of it (the unique index's pattern twin),
or its tail (PostgreSQL: an index on the reversed number, migration 0018).

Anything else is words, separated by spaces, each of which must appear in the title or the
description, as a substring (the old LIKE filter's reading). PostgreSQL compares them with
the text NFKC-normalised and lower-cased (ＷｉＦｉ, ３号楼 are found as wifi, 3号楼) and
first narrows the cases through an index:

- every case's title and description, NFKC-normalised and lower-cased, are cut into runs of
  CJK ideographs, Latin letters and digits, and each run into overlapping character
  bigrams plus its last character alone (井盖丢失 → 井盖 盖丢 丢失 失). Stored as the
  ``tsvector`` column ``cases_case.search_vector`` with a GIN index: PostgreSQL's own, not
  a model field (it is never read into Python). A trigger computes it from the row on every
  insert and on every update of the title or description, whatever wrote it (the ORM,
  intake, bulk_create, COPY: it fires in replica mode too), so no writer can forget it.
- a word's runs become the AND of bigrams covering it (a one-character run: any lexeme
  starting with it, ``'灯':*``, which is why runs keep their last character). Every case
  holding the word holds those bigrams, so the index never misses one; the few that hold
  the bigrams apart are dropped by testing the words themselves, on those rows only.

Why bigrams and not pg_trgm: under this cluster's C.UTF-8, pg_trgm does extract CJK
trigrams (``show_trgm('井盖丢失')`` gives five), but a LIKE pattern of two characters has
no trigram, and most Chinese words people search for have two (井盖, 路灯, 噪音): the
trigram index would then scan itself whole. Nor jieba's words: a filter by substring gains
nothing from them (the bigrams already hold every two-character word) and the index should
not depend on a dictionary's cut. No extension is needed.

SQLite (development and small installations) keeps the LIKE scan over the text as written
(case-insensitive for Latin letters; full-width letters are not folded). FTS5's trigram tokenizer has the same two-character gap, and a bigram FTS5 table
would need every writer to keep it in step.

A viewer who may unmask no personal data (a leader) reads titles and descriptions with
phone numbers, ID numbers and house addresses masked (``queries.reporters_words``): words
that the masking would change do not search the texts for them, or the search would tell
which case holds a given phone number.
"""

from __future__ import annotations

import re
import unicodedata

from django.db import connection
from django.db.models import BooleanField, F, Func, Q
from django.db.models.functions import Reverse

from gongzhi.accounts import masking
from gongzhi.accounts.services import unmaskable_kinds

# The characters that make up runs: as migration 0018's cases_search_terms() reads them.
RUN = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")
# A case number or a piece of one from its start or its end (intake: PREFIX-YYYYMMDD-NNNNNN).
NUMBER = re.compile(r"(?:[A-Z]+-?)?[0-9][0-9-]*")
MAX_WORDS = 8
MAX_LEXEMES = 24  # a long query narrows enough with a few of its bigrams


def normal(text: str) -> str:
    """NFKC, lower case: as the database's ``NormalText`` (and the index) read a text."""
    return unicodedata.normalize("NFKC", text or "").lower()


def _runs(text: str) -> list[str]:
    return RUN.findall(normal(text))


def terms(title: str, description: str) -> list[str]:
    """A case's lexemes, as the database's ``cases_search_terms(title, description)``
    computes them (sorted): every run's bigrams and its last character."""
    found = set()
    for run in _runs(f"{title} {description}"):
        found.update(run[i : i + 2] for i in range(len(run)))
    return sorted(found)


def vector_literal(title: str, description: str) -> str:
    """The ``tsvector`` input of ``terms``, for a writer that gives the column itself (COPY)."""
    return " ".join(f"'{t}'" for t in terms(title, description))


def word_lexemes(word: str) -> list[str]:
    """The tsquery operands a case holding ``word`` certainly has: for each run, bigrams
    that cover it (not overlapping), or a one-character run as a prefix."""
    out = []
    for run in _runs(word):
        if len(run) == 1:
            out.append(f"'{run}':*")
            continue
        starts = list(range(0, len(run) - 1, 2))
        if len(run) % 2:
            starts.append(len(run) - 2)  # the last character, with the one before it
        out += [f"'{run[i : i + 2]}'" for i in starts]
    return out


def tsquery(words: list[str]) -> str | None:
    """The AND of every word's lexemes (None when the words have no run: LIKE alone)."""
    lexemes = list(dict.fromkeys(lexeme for w in words for lexeme in word_lexemes(w)))
    return " & ".join(lexemes[:MAX_LEXEMES]) or None


class Matches(Func):
    """The cases whose vector matches QUERY (through the GIN index) and whose text, read as
    the index reads it, holds every one of WORDS.

    The vector is PostgreSQL's only (migration 0018), not a model field, so the table's
    alias is taken from the primary key's column (right inside subqueries too). Each word is
    tested with ``strpos(...) <> 0`` rather than LIKE: the planner, which has no statistics
    for the expression, then takes it for what it is (nearly every row the index found
    holds the word) instead of a LIKE it would think matches one row in three thousand, and
    so keeps reading in the page's index order when a word is common.
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, query: str | None, words: list[str]):
        super().__init__(F("pk"))
        self.query, self.words = query, words

    def as_sql(self, compiler, connection, **extra):
        pk, params = compiler.compile(self.source_expressions[0])
        table = pk.rsplit(".", 1)[0]
        text = f"lower(normalize(concat_ws(' ', {table}.title, {table}.description), NFKC))"
        parts, values = [], []
        if self.query:
            parts.append(f"{table}.search_vector @@ %s::tsquery")
            values.append(self.query)
        for word in self.words:
            parts.append(f"strpos({text}, %s) <> 0")
            values.append(word)
        return "(" + " AND ".join(parts) + ")", [*params, *values]


def _reveals_personal_data(word: str, viewer) -> bool:
    return masking.mask_personal_in_text(word) != word and not unmaskable_kinds(viewer)


def matching(queryset, text: str, *, viewer=None):
    """``queryset`` (cases, already scoped) narrowed to those ``text`` finds: by number when
    it looks like one, else by the words of their title and description."""
    text = (text or "").strip()
    if not text:
        return queryset
    number = text.upper()
    if NUMBER.fullmatch(number):
        tail = queryset.alias(number_reversed=Reverse("number"))
        return tail.filter(
            Q(number__startswith=number) | Q(number_reversed__startswith=number[::-1])
        )
    words = text.split()[:MAX_WORDS]
    if viewer is not None and any(_reveals_personal_data(w, viewer) for w in words):
        return queryset.none()
    if connection.vendor != "postgresql":
        condition = Q()
        for word in words:
            condition &= Q(title__icontains=word) | Q(description__icontains=word)
        return queryset.filter(condition)
    # The words against the text as the index reads it (３号楼 finds 3号楼), on the rows
    # the index found only.
    return queryset.filter(Matches(tsquery(words), [normal(w) for w in words]))
