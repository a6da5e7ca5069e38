"""The advice room's shipped data: legal words for the tokenizer and the hand-written base
questions with answers (used by the demo and by ``bench/legal.py``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def legal_terms() -> tuple[str, ...]:
    lines = (HERE / "legal_terms.txt").read_text(encoding="utf-8").splitlines()
    return tuple(s.strip() for s in lines if s.strip() and not s.startswith("#"))


@lru_cache(maxsize=1)
def base_questions() -> tuple[dict, ...]:
    """[{id, topic, question, answer}] in file order."""
    out = []
    for line in (HERE / "questions.tsv").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        qid, topic, question, answer = line.split("\t")
        out.append({"id": int(qid), "topic": topic, "question": question, "answer": answer})
    return tuple(out)


@lru_cache(maxsize=1)
def concepts() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """[(concept, its words)]: the words residents use for a legal notion."""
    out = []
    for line in (HERE / "concepts.txt").read_text(encoding="utf-8").splitlines():
        words = line.split()
        if words and not line.startswith("#"):
            out.append((words[0], tuple(words)))
    return tuple(out)
