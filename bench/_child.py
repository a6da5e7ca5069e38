"""Child processes for the benches: each measured platform runs in a process of its own,
with its own settings (a temporary var directory, a fresh secret, the database under test)
and prints its figures as JSON on its last line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid


def child_env(database_url: str | None, var_dir: str, **extra: str) -> dict:
    """The environment of a child platform: DATABASE_URL (None: SQLite in VAR_DIR), no
    debug, and any EXTRA settings."""
    env = dict(
        os.environ,
        GONGZHI_VAR_DIR=var_dir,
        GONGZHI_SECRET_KEY="bench-" + uuid.uuid4().hex,
        DJANGO_SETTINGS_MODULE="gongzhi.settings",
        **extra,
    )
    env.pop("GONGZHI_DEBUG", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
    return env


def run_child(script: str, args: list[str], env: dict) -> dict:
    """Run SCRIPT with ARGS in ENV: the JSON object on its last line, or {"error": the last
    line of its errors} when it failed (its errors go to ours)."""
    out = subprocess.run([sys.executable, script, *args], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr else "failed"}
    return json.loads(out.stdout.strip().splitlines()[-1])
