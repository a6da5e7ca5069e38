"""Legal advice: the knowledge base's full-text search over 100,000 answered questions, on
SQLite (FTS5, bm25) and on PostgreSQL (tsvector + GIN, when one answers at BENCH_PG_URL),
beside a baseline measured in the same run.

The corpus: the 200 hand-written base questions with answers
(``src/gongzhi/legal/advice/data/questions.tsv``: wages, work injury, divorce and custody,
support of parents, land and grassland contracts, house sites, traffic accidents, loans,
inheritance, consumer disputes, rent, neighbours, criminal, administrative, medical,
minors, pastoral, social insurance…) each expanded to ~500 variants (place, opener,
amounts, times, who, closing words; ``data/variants.py``), so that 100,000 entries hold
500 near-duplicates of every question and the answers' words compete.

The labelled set: ``bench/data/legal_paraphrases.jsonl``, 200 questions written by hand,
one per base question, in other words (see ``bench/data/README.md``). A hit: an entry of
the target base question (its answer) among the top 3.

Measured: ``search()`` latency (the whole call: terms, document frequencies, the ranked
query, loading the entries) over the 200 paraphrases, cold (the first pass: document
frequencies not cached yet) and warm (three more passes); p50 and p99 (nearest rank) in
ms; the top-3 share. Baseline: ``search.baseline_ids`` — a ``LIKE '%word%'`` scan counting
the query's longest words, on the same rows and questions.

Prints one JSON object. Targets (issue 19): p99 < 50 ms; ≥ 90 % in the top 3.

    python bench/legal.py [--entries 100000] [--databases sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from _postgres import drop_postgres, postgres_database

ROOT = Path(__file__).resolve().parent
PARAPHRASES = ROOT / "data" / "legal_paraphrases.jsonl"
SEED = 20261206
BATCH = 2000
WARM_PASSES = 3


def run_child(database_url: str | None, opts) -> dict:
    var_dir = tempfile.mkdtemp(prefix="gongzhi-bench-")
    env = dict(
        os.environ,
        GONGZHI_VAR_DIR=var_dir,
        GONGZHI_SECRET_KEY="bench-" + uuid.uuid4().hex,
        DJANGO_SETTINGS_MODULE="gongzhi.settings",
    )
    env.pop("GONGZHI_DEBUG", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
    args = [sys.executable, __file__, "--child", "--entries", str(opts.entries)]
    try:
        out = subprocess.run(args, env=env, capture_output=True, text=True)
        if out.returncode != 0:
            sys.stderr.write(out.stderr)
            return {"error": out.stderr.strip().splitlines()[-1] if out.stderr else "failed"}
        return json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)], 2)


def _load(n: int) -> tuple[dict[int, int], float]:
    """Insert n entries in bulk; (entry id -> base id, seconds)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from gongzhi.legal.advice import search
    from gongzhi.legal.advice.data import base_questions
    from gongzhi.legal.advice.data.variants import variant_answer, variant_question
    from gongzhi.legal.models import KnowledgeEntry

    rng = random.Random(SEED)
    bases = base_questions()
    now = timezone.now()
    group: dict[int, int] = {}
    started = time.perf_counter()
    made = 0
    while made < n:
        rows, of = [], []
        for i in range(made, min(n, made + BATCH)):
            base = bases[i % len(bases)]
            body = variant_question(base["question"], rng)
            answer = variant_answer(base["answer"], rng)
            title = base["question"].rstrip("？?")[:60]
            rows.append(
                KnowledgeEntry(
                    title=title,
                    body=body,
                    answer=answer,
                    **dict(
                        zip(
                            ("terms", "body_terms"),
                            search.entry_terms(title, body, answer),
                            strict=True,
                        )
                    ),
                    published=True,
                    published_at=now,
                )
            )
            of.append(base["id"])
        with transaction.atomic():
            created = KnowledgeEntry.objects.bulk_create(rows)
        for entry, base_id in zip(created, of, strict=True):
            group[entry.pk] = base_id
        made += len(rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE legal_knowledgeentry")
    return group, time.perf_counter() - started


def _timed(fn, texts) -> tuple[list[float], list[list[int]]]:
    times, results = [], []
    for text in texts:
        t0 = time.perf_counter()
        ids = fn(text)
        times.append((time.perf_counter() - t0) * 1000)
        results.append(ids)
    return times, results


def child(opts) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from gongzhi.legal.advice import search

    call_command("migrate", verbosity=0, interactive=False)
    labelled = [json.loads(line) for line in PARAPHRASES.read_text(encoding="utf-8").splitlines()]
    texts = [r["text"] for r in labelled]
    group, load_s = _load(opts.entries)

    def ours(text):
        return [entry.pk for entry, _score in search.search(text, limit=3)]

    search.clear_cache()
    cold, _ = _timed(ours, texts)
    warm: list[float] = []
    for _ in range(WARM_PASSES):
        t, results = _timed(ours, texts)
        warm += t
    hits = sum(
        r["target"] in {group.get(i) for i in found}
        for r, found in zip(labelled, results, strict=True)
    )
    base_times, base_results = _timed(lambda t: search.baseline_ids(t, limit=3), texts)
    base_hits = sum(
        r["target"] in {group.get(i) for i in found}
        for r, found in zip(labelled, base_results, strict=True)
    )
    return {
        "database": connection.vendor,
        "entries": opts.entries,
        "load_seconds": round(load_s, 1),
        "labelled": len(labelled),
        "search": {
            "p50_ms": pct(warm, 50),
            "p99_ms": pct(warm, 99),
            "mean_ms": round(statistics.fmean(warm), 2),
            "cold_p50_ms": pct(cold, 50),
            "cold_p99_ms": pct(cold, 99),
            "top3": round(hits / len(labelled), 3),
        },
        "baseline_like_scan": {
            "p50_ms": pct(base_times, 50),
            "p99_ms": pct(base_times, 99),
            "top3": round(base_hits / len(labelled), 3),
        },
        "targets": {"p99_ms": 50, "top3": 0.9},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        print(json.dumps(child(opts), ensure_ascii=False))
        return 0
    result: dict = {"benchmark": "legal", "entries": opts.entries}
    for name in opts.databases.split(","):
        if name == "sqlite":
            result["sqlite"] = run_child(None, opts)
        elif name == "postgresql":
            url, reason = postgres_database("gongzhi_bench_legal")
            if url is None:
                result["postgresql"] = {"skipped": reason}
                continue
            try:
                result["postgresql"] = run_child(url, opts)
            finally:
                drop_postgres(url)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
