"""A fresh PostgreSQL database for a benchmark, and dropping it afterwards (every bench
that measures PostgreSQL makes its own at BENCH_PG_URL's server)."""

from __future__ import annotations

import os

PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def postgres_database(prefix: str) -> tuple[str | None, str | None]:
    """A fresh database named ``<prefix>_<pid>`` on the machine's PostgreSQL: (its URL,
    None), or (None, why there is none)."""
    try:
        import psycopg
    except ImportError:
        return None, "psycopg is not installed"
    name = f"{prefix}_{os.getpid()}"
    try:
        with psycopg.connect(PG_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
    except psycopg.Error as error:
        return None, f"PostgreSQL not reachable at {PG_URL}: {error}"
    return PG_URL.rsplit("/", 1)[0] + "/" + name, None


def drop_postgres(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
